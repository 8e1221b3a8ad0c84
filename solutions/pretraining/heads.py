"""BERT's next sentence prediction head (Devlin et al., 2018, section 3.1; the pooler of the original code).

    logits = classifier(tanh(pooler(hidden[:, 0])))

The [CLS] token's final state (position 0) goes through a dense layer with tanh (the "pooler"), then
a linear classifier with two outputs: IsNext and NotNext.

Shapes: hidden (B, L, d_model) -> logits (B, 2).
"""

from __future__ import annotations

import torch
from torch import nn


class NSPHead(nn.Module):
    """Pooler (d_model -> d_model, tanh) on the [CLS] state, then a 2-way classifier."""

    def __init__(self, d_model: int) -> None:
        super().__init__()
        self.pooler = nn.Linear(d_model, d_model)
        self.classifier = nn.Linear(d_model, 2)

    def forward(self, hidden: torch.Tensor) -> torch.Tensor:
        cls_state = hidden[:, 0]  # (B, d_model): the [CLS] position
        pooled = torch.tanh(self.pooler(cls_state))  # (B, d_model)
        return self.classifier(pooled)  # (B, 2)
