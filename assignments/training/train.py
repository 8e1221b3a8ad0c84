"""Training the model on the copy task (paper §5.3, §5.4): random sequences to reproduce, label smoothing, Adam
with the warm-up schedule.

복사 과제로 모델 학습하기 (논문 §5.3, §5.4).
"""

from __future__ import annotations

import torch

from .model import EncoderDecoder

PAD, START = 0, 1


def copy_batch(gen: torch.Generator, batch: int, length: int, vocab: int) -> torch.Tensor:
    """Given: (batch, length) random tokens 2..vocab-1, the first one START (what the model must copy)."""
    data = torch.randint(2, vocab, (batch, length), generator=gen)
    data[:, 0] = START
    return data


def train_copy_task(seed: int, steps: int = 400, vocab: int = 11, length: int = 10) -> EncoderDecoder:
    """Train a fresh EncoderDecoder for ``steps`` optimiser steps on batches drawn from ``seed``; return it.

    새 EncoderDecoder를 seed로 뽑은 배치로 steps번 학습시켜 돌려줍니다.
    """
    # TODO: implement (Task 8)
    raise NotImplementedError("Task 8: train_copy_task")
