"""Label smoothing as a KL divergence, padding ignored, and the paper's learning-rate schedule (reference; §5.3, §5.4)."""

from __future__ import annotations

import torch
from torch import nn


class LabelSmoothing(nn.Module):
    """KL(smoothed target ‖ model), summed: x (N, V) log-probabilities, target (N,) ids -> a scalar.

    The smoothed target puts 1 - smoothing on the right token and smoothing / (V - 2) on every other token but
    the padding token; rows whose target is padding count for nothing."""

    def __init__(self, size: int, padding_idx: int, smoothing: float = 0.0) -> None:
        super().__init__()
        self.size, self.padding_idx, self.smoothing = size, padding_idx, smoothing

    def forward(self, x: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        true_dist = torch.full_like(x, self.smoothing / (self.size - 2))
        true_dist.scatter_(1, target.unsqueeze(1), 1.0 - self.smoothing)
        true_dist[:, self.padding_idx] = 0
        true_dist[target == self.padding_idx] = 0
        return nn.functional.kl_div(x, true_dist.detach(), reduction="sum")


def learning_rate(step: torch.Tensor, d_model: int, factor: float = 1.0, warmup: int = 4000) -> torch.Tensor:
    """factor · d_model^-0.5 · min(step^-0.5, step · warmup^-1.5), element-wise; step 0 counts as step 1."""
    step = step.clamp(min=1)
    return factor * d_model ** -0.5 * torch.minimum(step ** -0.5, step * warmup ** -1.5)
