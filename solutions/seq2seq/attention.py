"""Attention weights over the encoder's states, with a source padding mask, and the context vector (reference)."""

from __future__ import annotations

import torch


def attention_weights(scores: torch.Tensor, src_mask: torch.Tensor | None = None) -> torch.Tensor:
    """softmax over the source positions; src_mask (B, S) bool, True = a real token; padding gets exactly 0."""
    if src_mask is not None:
        scores = scores.masked_fill(~src_mask, float("-inf"))
    return torch.softmax(scores, dim=-1)  # (B, S)


def context_vector(weights: torch.Tensor, encoder_states: torch.Tensor) -> torch.Tensor:
    """c = Σ_j a_j s_j: weights (B, S), encoder_states (B, S, d_enc) -> (B, d_enc)."""
    return torch.bmm(weights.unsqueeze(1), encoder_states).squeeze(1)
