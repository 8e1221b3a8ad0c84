"""The batch's masks (reference): padding for the source, padding and the future for the target."""

from __future__ import annotations

import torch


def make_masks(src: torch.Tensor, tgt: torch.Tensor, pad: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    """src (B, S), tgt (B, T) token ids -> (src_mask (B, 1, S), tgt_mask (B, T, T)), bool, True = may attend."""
    src_mask = (src != pad).unsqueeze(-2)
    size = tgt.size(1)
    subsequent = torch.triu(torch.ones(size, size, dtype=torch.bool, device=tgt.device), diagonal=1) == 0
    tgt_mask = (tgt != pad).unsqueeze(-2) & subsequent
    return src_mask, tgt_mask
