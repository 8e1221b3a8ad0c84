"""Sinusoidal positional encoding (Vaswani et al., 2017, section 3.5).

    PE[pos, 2i]     = sin(pos / base^(2i / d_model))
    PE[pos, 2i + 1] = cos(pos / base^(2i / d_model))

The sin/cos alternation runs over the embedding *dimensions* (columns 2i and 2i+1), for every
position (row). The table is added to the token embeddings, not concatenated.

사인·코사인 위치 인코딩. sin 과 cos 는 *차원*(열 2i 와 2i+1)에 따라 번갈아 쓰이며, 모든 위치(행)에
똑같이 적용됩니다. 이 표는 토큰 임베딩에 더해집니다(이어 붙이지 않습니다).
"""

from __future__ import annotations

import torch


def sinusoidal_positional_encoding(max_len: int, d_model: int, base: float = 10000.0) -> torch.Tensor:
    """Return the positional-encoding table.

    PE[pos, 2i] = sin(pos / base^(2i/d_model)),  PE[pos, 2i+1] = cos(pos / base^(2i/d_model))

    Args:
        max_len: number of positions (rows), pos = 0 .. max_len-1.
        d_model: embedding size (columns); must be even.
        base: the constant of the formula (10000 in the paper).
    Returns:
        float32 tensor of shape (max_len, d_model).
    Raises:
        ValueError: if d_model is odd.

    위치 인코딩 표를 돌려줍니다. 모양 (max_len, d_model), float32.
    짝수 차원 2i 에는 sin, 홀수 차원 2i+1 에는 cos 를 씁니다 (위치의 짝홀이 아닙니다).
    d_model 이 홀수이면 ValueError 를 일으킵니다.
    """
    # TODO: implement (Task 1)
    raise NotImplementedError("Task 1: sinusoidal_positional_encoding")
