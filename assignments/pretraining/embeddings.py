"""BERT's input embeddings (Devlin et al., 2018, section 3 and figure 2).

    E = Dropout(LayerNorm(token(input_ids) + position(0 .. L-1) + segment(token_type_ids)))

All three are learned lookup tables (nn.Embedding); BERT learns its positions instead of using
the sinusoidal encoding.

Shapes: input_ids, token_type_ids (B, L) long -> (B, L, d_model).

BERT 의 입력 임베딩. 토큰, 위치, 세그먼트 임베딩(모두 학습되는 nn.Embedding)을 더한 뒤
LayerNorm 과 dropout 을 적용합니다. BERT 의 위치 임베딩은 사인 함수가 아니라 학습됩니다.
"""

from __future__ import annotations

import torch
from torch import nn


class BertEmbeddings(nn.Module):
    """Token + position + segment embeddings, then LayerNorm and dropout.

    __init__(vocab_size, d_model, max_len, num_segments=2, dropout=0.0):
        token: nn.Embedding(vocab_size, d_model); position: nn.Embedding(max_len, d_model);
        segment: nn.Embedding(num_segments, d_model); norm: nn.LayerNorm(d_model) (keep these names);
        dropout active in train mode only.
    forward(input_ids, token_type_ids=None) -> (B, L, d_model):
        dropout(norm(token(input_ids) + position(0 .. L-1) + segment(token_type_ids)));
        token_type_ids None means segment 0 everywhere.

    토큰 + 위치 + 세그먼트 임베딩 뒤 LayerNorm 과 dropout. 층 이름은 token, position, segment, norm
    으로 두세요(가중치를 불러올 때 씁니다). 위치는 0 .. L-1 이고, token_type_ids 가 None 이면 모든
    위치의 세그먼트가 0 입니다. 입력 (B, L) long -> 출력 (B, L, d_model).
    """

    def __init__(self, vocab_size: int, d_model: int, max_len: int, num_segments: int = 2, dropout: float = 0.0) -> None:
        super().__init__()
        # TODO: implement (Task 4)
        raise NotImplementedError("Task 4: BertEmbeddings")

    def forward(self, input_ids: torch.Tensor, token_type_ids: torch.Tensor | None = None) -> torch.Tensor:
        # TODO: implement (Task 4)
        raise NotImplementedError("Task 4: BertEmbeddings")
