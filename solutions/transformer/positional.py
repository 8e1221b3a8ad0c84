"""Sinusoidal positional encoding (Vaswani et al., 2017, section 3.5).

    PE[pos, 2i]     = sin(pos / base^(2i / d_model))
    PE[pos, 2i + 1] = cos(pos / base^(2i / d_model))

The alternation between sin and cos runs over the embedding dimensions (columns), for every
position (row). The encoding is added to the token embeddings, not concatenated.

Shapes: the result is (max_len, d_model), float32.
"""

from __future__ import annotations

import torch


def sinusoidal_positional_encoding(max_len: int, d_model: int, base: float = 10000.0) -> torch.Tensor:
    """Return the (max_len, d_model) float32 table of sinusoidal positional encodings.

    Raises ValueError when d_model is odd: every sin column needs its cos partner.
    """
    if d_model % 2 != 0:
        raise ValueError(f"d_model={d_model} must be even: each sin column 2i pairs with a cos column 2i+1")
    # 1. positions as a column: (max_len, 1)
    position = torch.arange(max_len, dtype=torch.float64).unsqueeze(1)
    # 2. one frequency per pair of dimensions: base^(2i / d_model) for i = 0 .. d_model/2 - 1
    two_i = torch.arange(0, d_model, 2, dtype=torch.float64)  # (d_model/2,)
    angle = position / (base ** (two_i / d_model))  # (max_len, d_model/2)
    # 3. sin on even dimensions, cos on odd dimensions, for every position
    pe = torch.zeros(max_len, d_model, dtype=torch.float64)
    pe[:, 0::2] = torch.sin(angle)
    pe[:, 1::2] = torch.cos(angle)
    return pe.to(torch.float32)
