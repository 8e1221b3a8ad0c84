"""Multi-head attention (Vaswani et al., 2017, section 3.2.2).

    MultiHead(Q, K, V) = Concat(head_1, ..., head_h) W_O,   head_i = Attention(Q W_Q_i, K W_K_i, V W_V_i)

With d_model = h · d_k, the h projections of every head are packed into one (d_model, d_model)
linear layer each for Q, K and V; splitting its output into heads gives (B, h, L, d_k).

Shapes: query (B, Lq, d_model), key and value (B, Lk, d_model), output (B, Lq, d_model);
mask broadcastable to (B, h, Lq, Lk): (B, 1, 1, Lk) for padding, (Lq, Lk) for causal.
"""

from __future__ import annotations

import torch
from torch import nn

from .attention import masked_softmax, scaled_dot_product_attention  # noqa: F401  (as in the stub)


def split_heads(x: torch.Tensor, num_heads: int) -> torch.Tensor:
    """(B, L, d_model) -> (B, h, L, d_model / h)."""
    B, L, d_model = x.shape
    d_k = d_model // num_heads
    return x.view(B, L, num_heads, d_k).transpose(1, 2)  # (B, h, L, d_k)


def combine_heads(x: torch.Tensor) -> torch.Tensor:
    """(B, h, L, d_k) -> (B, L, h · d_k): the concatenation of the heads."""
    B, h, L, d_k = x.shape
    return x.transpose(1, 2).reshape(B, L, h * d_k)  # (B, L, d_model)


class MultiHeadAttention(nn.Module):
    """Multi-head attention with learned projections w_q, w_k, w_v and output projection w_o."""

    def __init__(self, d_model: int, num_heads: int, dropout: float = 0.0) -> None:
        super().__init__()
        if d_model % num_heads != 0:
            raise ValueError(f"d_model={d_model} is not divisible by num_heads={num_heads}")
        self.d_model = d_model
        self.num_heads = num_heads
        self.d_k = d_model // num_heads
        self.w_q = nn.Linear(d_model, d_model)
        self.w_k = nn.Linear(d_model, d_model)
        self.w_v = nn.Linear(d_model, d_model)
        self.w_o = nn.Linear(d_model, d_model)
        self.dropout = nn.Dropout(dropout)

    def forward(
        self,
        query: torch.Tensor,
        key: torch.Tensor,
        value: torch.Tensor,
        mask: torch.Tensor | None = None,
    ) -> torch.Tensor:
        # 1. project, then split into heads: (B, h, L, d_k)
        q = split_heads(self.w_q(query), self.num_heads)
        k = split_heads(self.w_k(key), self.num_heads)
        v = split_heads(self.w_v(value), self.num_heads)
        # 2. scaled dot-product attention per head; dropout acts on the weights (train mode only)
        scores = q @ k.transpose(-2, -1) / self.d_k**0.5  # (B, h, Lq, Lk)
        weights = self.dropout(masked_softmax(scores, mask, dim=-1))
        heads = weights @ v  # (B, h, Lq, d_k)
        # 3. concatenate the heads and mix them with the output projection
        return self.w_o(combine_heads(heads))  # (B, Lq, d_model)
