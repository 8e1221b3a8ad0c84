"""Luong's dot and general scores and Bahdanau's additive score (reference).

h: the decoder's state (B, d_dec); s: the encoder's states (B, S, d_enc) -> scores (B, S).
"""

from __future__ import annotations

import torch
from torch import nn


class DotScore(nn.Module):
    """score(h, s_j) = hᵀ s_j (needs d_dec == d_enc); no parameters."""

    def forward(self, h: torch.Tensor, s: torch.Tensor) -> torch.Tensor:
        return torch.bmm(s, h.unsqueeze(-1)).squeeze(-1)  # (B, S)


class GeneralScore(nn.Module):
    """score(h, s_j) = hᵀ W s_j, W: nn.Linear(d_enc, d_dec, bias=False)."""

    def __init__(self, enc_dim: int, dec_dim: int) -> None:
        super().__init__()
        self.W = nn.Linear(enc_dim, dec_dim, bias=False)

    def forward(self, h: torch.Tensor, s: torch.Tensor) -> torch.Tensor:
        return torch.bmm(self.W(s), h.unsqueeze(-1)).squeeze(-1)  # (B, S)


class AdditiveScore(nn.Module):
    """score(h, s_j) = vᵀ tanh(W1 h + W2 s_j)."""

    def __init__(self, enc_dim: int, dec_dim: int, attn_dim: int) -> None:
        super().__init__()
        self.W1 = nn.Linear(dec_dim, attn_dim, bias=False)
        self.W2 = nn.Linear(enc_dim, attn_dim, bias=False)
        self.v = nn.Linear(attn_dim, 1, bias=False)

    def forward(self, h: torch.Tensor, s: torch.Tensor) -> torch.Tensor:
        energy = torch.tanh(self.W1(h).unsqueeze(1) + self.W2(s))  # (B, S, attn_dim)
        return self.v(energy).squeeze(-1)  # (B, S)
