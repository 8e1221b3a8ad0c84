"""BERT's next sentence prediction head (Devlin et al., 2018, section 3.1).

    logits = classifier(tanh(pooler(hidden[:, 0])))

The final state of [CLS] (position 0) goes through a dense layer with tanh (the "pooler"), then a
linear classifier with two outputs (IsNext, NotNext).

Shapes: hidden (B, L, d_model) -> logits (B, 2).

BERT 의 다음 문장 예측(NSP) 헤드. [CLS](위치 0)의 최종 상태를 tanh 가 붙은 선형층(pooler)에 통과시킨
뒤, 출력이 두 개(IsNext, NotNext)인 선형 분류기에 넣습니다.
"""

from __future__ import annotations

import torch
from torch import nn


class NSPHead(nn.Module):
    """Pooler and 2-way classifier on the [CLS] state.

    __init__(d_model):
        pooler: nn.Linear(d_model, d_model); classifier: nn.Linear(d_model, 2) (keep these names).
    forward(hidden) -> (B, 2):
        classifier(tanh(pooler(hidden[:, 0]))), hidden (B, L, d_model).

    [CLS] 상태 위의 pooler 와 2-클래스 분류기. 층 이름은 pooler, classifier 로 두세요.
    forward(hidden) = classifier(tanh(pooler(hidden[:, 0]))), 입력 (B, L, d_model) -> 출력 (B, 2).
    """

    def __init__(self, d_model: int) -> None:
        super().__init__()
        # TODO: implement (Task 5)
        raise NotImplementedError("Task 5: NSPHead")

    def forward(self, hidden: torch.Tensor) -> torch.Tensor:
        # TODO: implement (Task 5)
        raise NotImplementedError("Task 5: NSPHead")
