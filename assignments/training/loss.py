"""Label smoothing as a KL divergence, padding ignored, and the paper's learning-rate schedule (§5.3, §5.4).

레이블 평활화(KL 발산, 패딩 제외)와 논문의 학습률 스케줄 (§5.3, §5.4).
"""

from __future__ import annotations

import torch
from torch import nn


class LabelSmoothing(nn.Module):
    """KL(smoothed target ‖ model), SUMMED over every entry.

    __init__(size, padding_idx, smoothing=0.0): size is the vocabulary size V.
    forward(x (N, V) log-probabilities, target (N,) token ids) -> a scalar.

    The smoothed target row of a token t: 1 - smoothing at t, smoothing / (V - 2) at every other token except the
    padding token, 0 at the padding token; a row whose target is the padding token is all zeros (it adds nothing).

    평활화한 타깃: 정답 토큰에 1 - smoothing, 패딩이 아닌 나머지 토큰에 smoothing / (V - 2), 패딩 토큰에 0.
    타깃이 패딩인 행은 모두 0입니다. 손실은 KL 발산의 합입니다.
    """

    def __init__(self, size: int, padding_idx: int, smoothing: float = 0.0) -> None:
        super().__init__()
        # TODO: implement (Task 5)
        raise NotImplementedError("Task 5: LabelSmoothing")

    def forward(self, x: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        # TODO: implement (Task 5)
        raise NotImplementedError("Task 5: LabelSmoothing")


def learning_rate(step: torch.Tensor, d_model: int, factor: float = 1.0, warmup: int = 4000) -> torch.Tensor:
    """lrate = factor · d_model^-0.5 · min(step^-0.5, step · warmup^-1.5), element-wise over a tensor of steps
    (float64; use torch.minimum, not min). Step 0 counts as step 1 (LambdaLR asks for step 0 first).

    스텝 텐서의 원소마다 계산합니다 (torch.minimum을 쓰세요). step 0은 1로 셉니다.
    """
    # TODO: implement (Task 6)
    raise NotImplementedError("Task 6: learning_rate")
