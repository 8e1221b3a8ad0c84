"""Scaled dot-product attention and the masks that go with it (Vaswani et al., 2017, section 3.2.1).

    Attention(Q, K, V) = softmax(Q Kᵀ / √d_k) V

Shapes (any number of leading batch dimensions "..."):
    q: (..., Lq, d_k)    k: (..., Lk, d_k)    v: (..., Lk, d_v)
    scores and weights: (..., Lq, Lk)         output: (..., Lq, d_v)

Masks are boolean and True means "may attend". A masked score is replaced by a very large negative
number before the softmax so that its weight becomes 0; a row whose every position is masked gets
all-zero weights instead of NaN.
"""

from __future__ import annotations

import math

import torch


def masked_softmax(scores: torch.Tensor, mask: torch.Tensor | None = None, dim: int = -1) -> torch.Tensor:
    """Softmax of ``scores`` over ``dim``; where ``mask`` is False the result is exactly 0.

    scores: any shape; mask: bool, broadcastable to scores.shape.
    """
    if mask is None:
        return torch.softmax(scores, dim=dim)
    # 1. push the masked scores far below every allowed one (the lowest finite value of the dtype)
    lowest = torch.finfo(scores.dtype).min
    filled = scores.masked_fill(~mask, lowest)
    # 2. softmax is shift-invariant, so torch.softmax stays stable for large logits
    weights = torch.softmax(filled, dim=dim)
    # 3. exact zeros where masked (this also zeroes rows whose every position is masked)
    return weights.masked_fill(~mask, 0.0)


def scaled_dot_product_attention(
    q: torch.Tensor,
    k: torch.Tensor,
    v: torch.Tensor,
    mask: torch.Tensor | None = None,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Return ``(output, weights)`` with weights = masked_softmax(q kᵀ / √d_k, mask), output = weights v."""
    d_k = q.size(-1)
    # 1. similarity of every query with every key: (..., Lq, Lk)
    scores = q @ k.transpose(-2, -1) / math.sqrt(d_k)
    # 2. attention weights over the keys
    weights = masked_softmax(scores, mask, dim=-1)
    # 3. weighted sum of the values: (..., Lq, d_v)
    return weights @ v, weights


def causal_mask(size: int, device: torch.device | str | None = None) -> torch.Tensor:
    """Bool (size, size) mask, True on and below the diagonal: position i may attend to j <= i."""
    return torch.ones(size, size, dtype=torch.bool, device=device).tril()


def padding_mask(tokens: torch.Tensor, pad_id: int) -> torch.Tensor:
    """Bool (B, 1, 1, L) mask from token ids (B, L): True where the token is not padding."""
    return (tokens != pad_id)[:, None, None, :]
