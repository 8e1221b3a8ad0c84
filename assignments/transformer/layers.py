"""Feed-forward, encoder and decoder layers (Vaswani et al., 2017, sections 3.1 and 3.3).

    FFN(x) = linear2(dropout(relu(linear1(x))))         d_model -> d_ff -> d_model

Each sublayer is wrapped Post-LN, as in the paper, with dropout on the sublayer's output:

    x = LayerNorm(x + Dropout(Sublayer(x)))

Encoder: self-attention, then feed-forward.
Decoder: masked self-attention, then cross-attention (queries from the decoder, keys and values
from the encoder output ``memory``), then feed-forward.

피드포워드, 인코더, 디코더 층. 각 서브층 뒤에 "더하고 정규화"(Post-LN)를 합니다.
디코더의 교차 어텐션에서 쿼리는 디코더에서, 키와 값은 인코더 출력(memory)에서 옵니다.
"""

from __future__ import annotations

import torch
from torch import nn

from .multihead import MultiHeadAttention  # noqa: F401  (yours to use)


class PositionwiseFeedForward(nn.Module):
    """linear2(dropout(relu(linear1(x)))), the same weights at every position.

    __init__(d_model, d_ff, dropout=0.0): linear1 = nn.Linear(d_model, d_ff), linear2 = nn.Linear(d_ff, d_model).
    forward(x): (B, L, d_model) -> (B, L, d_model).

    위치별 피드포워드. 층 이름은 linear1, linear2 로 두세요.
    """

    def __init__(self, d_model: int, d_ff: int, dropout: float = 0.0) -> None:
        super().__init__()
        # TODO: implement (Task 9)
        raise NotImplementedError("Task 9: PositionwiseFeedForward")

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        # TODO: implement (Task 9)
        raise NotImplementedError("Task 9: PositionwiseFeedForward")


class EncoderLayer(nn.Module):
    """One encoder layer, Post-LN.

    __init__(d_model, num_heads, d_ff, dropout=0.0): self_attn, feed_forward, norm1, norm2.
    forward(x, mask=None):
        x = norm1(x + dropout(self_attn(x, x, x, mask)))
        x = norm2(x + dropout(feed_forward(x)))
    Shapes: x (B, L, d_model) -> (B, L, d_model).

    인코더 층 하나 (Post-LN). 하위 모듈 이름은 self_attn, feed_forward, norm1, norm2 로 두세요.
    """

    def __init__(self, d_model: int, num_heads: int, d_ff: int, dropout: float = 0.0) -> None:
        super().__init__()
        # TODO: implement (Task 10)
        raise NotImplementedError("Task 10: EncoderLayer")

    def forward(self, x: torch.Tensor, mask: torch.Tensor | None = None) -> torch.Tensor:
        # TODO: implement (Task 10)
        raise NotImplementedError("Task 10: EncoderLayer")


class DecoderLayer(nn.Module):
    """One decoder layer, Post-LN.

    __init__(d_model, num_heads, d_ff, dropout=0.0): self_attn, cross_attn, feed_forward, norm1, norm2, norm3.
    forward(x, memory, tgt_mask=None, memory_mask=None):
        x = norm1(x + dropout(self_attn(x, x, x, tgt_mask)))                 masked self-attention
        x = norm2(x + dropout(cross_attn(x, memory, memory, memory_mask)))   queries from x
        x = norm3(x + dropout(feed_forward(x)))
    Shapes: x (B, L, d_model), memory (B, Lm, d_model) -> (B, L, d_model).

    디코더 층 하나 (Post-LN). 교차 어텐션의 쿼리는 x, 키와 값은 memory 입니다.
    하위 모듈 이름은 self_attn, cross_attn, feed_forward, norm1, norm2, norm3 으로 두세요.
    """

    def __init__(self, d_model: int, num_heads: int, d_ff: int, dropout: float = 0.0) -> None:
        super().__init__()
        # TODO: implement (Task 11)
        raise NotImplementedError("Task 11: DecoderLayer")

    def forward(
        self,
        x: torch.Tensor,
        memory: torch.Tensor,
        tgt_mask: torch.Tensor | None = None,
        memory_mask: torch.Tensor | None = None,
    ) -> torch.Tensor:
        # TODO: implement (Task 11)
        raise NotImplementedError("Task 11: DecoderLayer")
