"""Feed-forward, encoder and decoder layers (Vaswani et al., 2017, sections 3.1 and 3.3).

    FFN(x) = linear2(dropout(relu(linear1(x))))          d_model -> d_ff -> d_model, per position

Every sublayer is wrapped as in the paper (Post-LN), with dropout on the sublayer's output:

    x = LayerNorm(x + Dropout(Sublayer(x)))

Encoder: self-attention, then the feed-forward.
Decoder: masked self-attention, then cross-attention (queries from the decoder, keys and values
from the encoder's output ``memory``), then the feed-forward.

Shapes: x (B, L, d_model), memory (B, Lm, d_model); masks broadcast to (B, h, L, L) or (B, h, L, Lm).
"""

from __future__ import annotations

import torch
from torch import nn

from .multihead import MultiHeadAttention


class PositionwiseFeedForward(nn.Module):
    """Two linear layers with a ReLU between, applied to every position with the same weights."""

    def __init__(self, d_model: int, d_ff: int, dropout: float = 0.0) -> None:
        super().__init__()
        self.linear1 = nn.Linear(d_model, d_ff)
        self.linear2 = nn.Linear(d_ff, d_model)
        self.dropout = nn.Dropout(dropout)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.linear2(self.dropout(torch.relu(self.linear1(x))))


class EncoderLayer(nn.Module):
    """Self-attention and feed-forward, each followed by add & norm (Post-LN)."""

    def __init__(self, d_model: int, num_heads: int, d_ff: int, dropout: float = 0.0) -> None:
        super().__init__()
        self.self_attn = MultiHeadAttention(d_model, num_heads, dropout)
        self.feed_forward = PositionwiseFeedForward(d_model, d_ff, dropout)
        self.norm1 = nn.LayerNorm(d_model)
        self.norm2 = nn.LayerNorm(d_model)
        self.dropout = nn.Dropout(dropout)

    def forward(self, x: torch.Tensor, mask: torch.Tensor | None = None) -> torch.Tensor:
        # 1. self-attention sublayer, then add & norm
        x = self.norm1(x + self.dropout(self.self_attn(x, x, x, mask)))
        # 2. feed-forward sublayer, then add & norm
        return self.norm2(x + self.dropout(self.feed_forward(x)))


class DecoderLayer(nn.Module):
    """Masked self-attention, cross-attention over ``memory`` and feed-forward, each with add & norm."""

    def __init__(self, d_model: int, num_heads: int, d_ff: int, dropout: float = 0.0) -> None:
        super().__init__()
        self.self_attn = MultiHeadAttention(d_model, num_heads, dropout)
        self.cross_attn = MultiHeadAttention(d_model, num_heads, dropout)
        self.feed_forward = PositionwiseFeedForward(d_model, d_ff, dropout)
        self.norm1 = nn.LayerNorm(d_model)
        self.norm2 = nn.LayerNorm(d_model)
        self.norm3 = nn.LayerNorm(d_model)
        self.dropout = nn.Dropout(dropout)

    def forward(
        self,
        x: torch.Tensor,
        memory: torch.Tensor,
        tgt_mask: torch.Tensor | None = None,
        memory_mask: torch.Tensor | None = None,
    ) -> torch.Tensor:
        # 1. masked self-attention over the decoder's own positions
        x = self.norm1(x + self.dropout(self.self_attn(x, x, x, tgt_mask)))
        # 2. cross-attention: queries from the decoder, keys and values from the encoder's memory
        x = self.norm2(x + self.dropout(self.cross_attn(x, memory, memory, memory_mask)))
        # 3. feed-forward, then add & norm
        return self.norm3(x + self.dropout(self.feed_forward(x)))
