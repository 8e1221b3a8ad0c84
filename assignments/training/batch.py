"""The batch's masks: padding for the source; padding and the future for the target.

배치 마스크: 소스에는 패딩, 타깃에는 패딩과 미래 위치를 가립니다.
"""

from __future__ import annotations

import torch


def make_masks(src: torch.Tensor, tgt: torch.Tensor, pad: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    """src (B, S), tgt (B, T) token ids -> (src_mask (B, 1, S), tgt_mask (B, T, T)), bool, True = may attend.

    src_mask hides the source's padding; tgt_mask[b, i, j] is True when j <= i and tgt[b, j] is not padding.

    src_mask는 소스의 패딩을 가리고, tgt_mask[b, i, j]는 j <= i이고 tgt[b, j]가 패딩이 아닐 때 True입니다.
    """
    # TODO: implement (Task 4)
    raise NotImplementedError("Task 4: make_masks")
