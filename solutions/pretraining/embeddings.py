"""BERT's input embeddings (Devlin et al., 2018, section 3 and figure 2).

    E = Dropout(LayerNorm(token(input_ids) + position(0 .. L-1) + segment(token_type_ids)))

All three are learned lookup tables (nn.Embedding); positions are learned, not sinusoidal.

Shapes: input_ids, token_type_ids (B, L) long -> (B, L, d_model).
"""

from __future__ import annotations

import torch
from torch import nn


class BertEmbeddings(nn.Module):
    """Sum of token, position and segment embeddings, then LayerNorm and dropout."""

    def __init__(self, vocab_size: int, d_model: int, max_len: int, num_segments: int = 2, dropout: float = 0.0) -> None:
        super().__init__()
        self.token = nn.Embedding(vocab_size, d_model)
        self.position = nn.Embedding(max_len, d_model)
        self.segment = nn.Embedding(num_segments, d_model)
        self.norm = nn.LayerNorm(d_model)
        self.dropout = nn.Dropout(dropout)

    def forward(self, input_ids: torch.Tensor, token_type_ids: torch.Tensor | None = None) -> torch.Tensor:
        B, L = input_ids.shape
        # 1. positions 0 .. L-1, the same for every sequence of the batch: (L,) broadcasts over B
        positions = torch.arange(L, device=input_ids.device)
        # 2. a single sentence is segment 0
        if token_type_ids is None:
            token_type_ids = torch.zeros_like(input_ids)
        # 3. add the three embeddings: (B, L, d_model)
        x = self.token(input_ids) + self.position(positions) + self.segment(token_type_ids)
        return self.dropout(self.norm(x))
