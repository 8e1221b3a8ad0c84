"""Multi-head attention (Vaswani et al., 2017, section 3.2.2).

    MultiHead(Q, K, V) = Concat(head_1, ..., head_h) W_O
    head_i = Attention(Q W_Q_i, K W_K_i, V W_V_i),      d_k = d_model / h

Shapes: query (B, Lq, d_model), key and value (B, Lk, d_model) -> output (B, Lq, d_model).
Heads: (B, L, d_model) <-> (B, h, L, d_k).

멀티-헤드 어텐션. d_k = d_model / h 이고, 헤드별 출력을 이어 붙인 뒤 W_O 로 섞습니다.
"""

from __future__ import annotations

import torch
from torch import nn

from .attention import masked_softmax, scaled_dot_product_attention  # noqa: F401  (yours to use)


def split_heads(x: torch.Tensor, num_heads: int) -> torch.Tensor:
    """Split the last dimension into heads: (B, L, d_model) -> (B, h, L, d_model / h).

    Head j holds features j·d_k .. (j+1)·d_k - 1 of every position.

    마지막 차원을 헤드로 나눕니다: (B, L, d_model) -> (B, h, L, d_k).
    헤드 j 는 각 위치의 특성 j·d_k .. (j+1)·d_k - 1 을 갖습니다.
    """
    # TODO: implement (Task 6)
    raise NotImplementedError("Task 6: split_heads")


def combine_heads(x: torch.Tensor) -> torch.Tensor:
    """Inverse of split_heads: (B, h, L, d_k) -> (B, L, h·d_k), the concatenation of the heads.

    split_heads 의 역: (B, h, L, d_k) -> (B, L, h·d_k). 헤드들을 이어 붙인 결과입니다.
    """
    # TODO: implement (Task 7)
    raise NotImplementedError("Task 7: combine_heads")


class MultiHeadAttention(nn.Module):
    """Multi-head attention.

    __init__(d_model, num_heads, dropout=0.0):
        w_q, w_k, w_v, w_o: nn.Linear(d_model, d_model) each (keep these names);
        dropout on the attention weights, active in train mode only;
        ValueError if d_model is not divisible by num_heads.
    forward(query, key, value, mask=None) -> (B, Lq, d_model):
        mask broadcasts to (B, num_heads, Lq, Lk), e.g. (B, 1, 1, Lk) or (Lq, Lk).

    멀티-헤드 어텐션. 선형층 이름은 w_q, w_k, w_v, w_o 로 두세요(가중치를 불러올 때 씁니다).
    dropout 은 학습 모드에서만 어텐션 가중치에 적용합니다.
    d_model 이 num_heads 로 나누어떨어지지 않으면 ValueError 를 일으킵니다.
    """

    def __init__(self, d_model: int, num_heads: int, dropout: float = 0.0) -> None:
        super().__init__()
        # TODO: implement (Task 8)
        raise NotImplementedError("Task 8: MultiHeadAttention")

    def forward(
        self,
        query: torch.Tensor,
        key: torch.Tensor,
        value: torch.Tensor,
        mask: torch.Tensor | None = None,
    ) -> torch.Tensor:
        # TODO: implement (Task 8)
        raise NotImplementedError("Task 8: MultiHeadAttention")
