"""Layer normalisation (Ba et al., 2016), without the learned gain and bias.

층 정규화 (Ba 외, 2016). 학습되는 이득(gain)과 편향(bias)은 빼고 구현합니다.
"""

from __future__ import annotations

import torch


def layer_norm(x: torch.Tensor, eps: float = 1e-5) -> torch.Tensor:
    """Normalise ``x`` over its last dimension.

        y = (x - mean) / sqrt(var + eps),   var = mean((x - mean)²)   (the biased variance)

    Args:
        x: (..., d).
    Returns:
        a tensor of x's shape and dtype.

    마지막 차원을 따라 평균을 빼고 표준편차로 나눕니다. 분산은 편차 제곱의 평균(편향 분산)입니다.
    """
    # TODO: implement (Task 1)
    raise NotImplementedError("Task 1: layer_norm")
