"""Pre-training losses: BERT's masked LM and GPT's causal (next-token) LM.

    MLM:    loss = mean over {i : labels_i != -100} of  -log softmax(logits_i)[labels_i]
    causal: loss = mean over t of  -log softmax(logits_t)[tokens_{t+1}]     (targets equal to pad_id skipped)

The causal loss is shifted: the logits at position t predict the token at t + 1, so the last
position has no target and the first token is never a target. When no target is left, both losses
are exactly 0.0 (not NaN, which an empty mean would give), with a zero gradient.

Shapes: logits (B, L, V), labels and tokens (B, L) long -> a scalar.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

IGNORE_INDEX = -100


def mlm_loss(logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    """Mean cross-entropy over the positions whose label is not -100; 0.0 when there are none."""
    V = logits.size(-1)
    # 1. per-position losses; ignored positions give exactly 0 with a zero gradient
    losses = F.cross_entropy(logits.reshape(-1, V), labels.reshape(-1), ignore_index=IGNORE_INDEX, reduction="none")
    # 2. average over the counted positions only (at least 1 in the divisor, so no 0 / 0)
    count = (labels != IGNORE_INDEX).sum()
    return losses.sum() / count.clamp(min=1)


def causal_lm_loss(logits: torch.Tensor, tokens: torch.Tensor, pad_id: int | None = None) -> torch.Tensor:
    """Mean cross-entropy of logits[:, :-1] predicting tokens[:, 1:], skipping targets equal to pad_id."""
    # 1. shift: position t predicts token t + 1
    shifted_logits = logits[:, :-1]  # (B, L-1, V)
    targets = tokens[:, 1:]  # (B, L-1)
    # 2. padding targets are not predicted
    if pad_id is not None:
        targets = targets.masked_fill(targets == pad_id, IGNORE_INDEX)
    return mlm_loss(shifted_logits, targets)
