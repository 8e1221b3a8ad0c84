"""Score functions: how well the decoder's state h matches each encoder state s_j.

    dot       score(h, s_j) = hᵀ s_j                      (Luong et al., 2015; needs d_dec == d_enc)
    general   score(h, s_j) = hᵀ W s_j                    (Luong et al., 2015)
    additive  score(h, s_j) = vᵀ tanh(W1 h + W2 s_j)      (Bahdanau et al., 2015)

Shapes: h (B, d_dec) is the decoder's state, s (B, S, d_enc) the encoder's states (one per source position);
every score module returns scores (B, S). Batched: no Python loop over the batch or the positions is needed.

점수 함수: 디코더 상태 h가 각 인코더 상태 s_j와 얼마나 잘 맞는지를 잽니다. h는 (B, d_dec), s는 (B, S, d_enc)이고
모든 점수 모듈은 (B, S) 모양의 점수를 돌려줍니다. 파라미터 이름은 아래에 적힌 대로 두세요.
"""

from __future__ import annotations

import torch
from torch import nn


class DotScore(nn.Module):
    """score(h, s_j) = hᵀ s_j. No parameters.

    forward(h (B, d), s (B, S, d)) -> scores (B, S).

    파라미터가 없습니다. forward(h, s)는 각 위치 j에 대해 내적 hᵀ s_j를 계산해 (B, S)를 돌려줍니다.
    """

    def forward(self, h: torch.Tensor, s: torch.Tensor) -> torch.Tensor:
        # TODO: implement (Task 1)
        raise NotImplementedError("Task 1: DotScore")


class GeneralScore(nn.Module):
    """score(h, s_j) = hᵀ W s_j.

    __init__(enc_dim, dec_dim):
        W: nn.Linear(enc_dim, dec_dim, bias=False) (keep this name); W(s_j) maps s_j into the decoder's space.
    forward(h (B, dec_dim), s (B, S, enc_dim)) -> scores (B, S).

    층 이름은 W로 두세요: nn.Linear(enc_dim, dec_dim, bias=False). W(s_j)는 s_j를 디코더 공간으로 옮기고, 점수는
    h와 W(s_j)의 내적입니다. 출력은 (B, S)입니다.
    """

    def __init__(self, enc_dim: int, dec_dim: int) -> None:
        super().__init__()
        # TODO: implement (Task 2)
        raise NotImplementedError("Task 2: GeneralScore")

    def forward(self, h: torch.Tensor, s: torch.Tensor) -> torch.Tensor:
        # TODO: implement (Task 2)
        raise NotImplementedError("Task 2: GeneralScore")


class AdditiveScore(nn.Module):
    """score(h, s_j) = vᵀ tanh(W1 h + W2 s_j).

    __init__(enc_dim, dec_dim, attn_dim) (keep these names):
        W1: nn.Linear(dec_dim, attn_dim, bias=False)   applied to the decoder's state h
        W2: nn.Linear(enc_dim, attn_dim, bias=False)   applied to each encoder state s_j
        v:  nn.Linear(attn_dim, 1, bias=False)
    forward(h (B, dec_dim), s (B, S, enc_dim)) -> scores (B, S); W1 h (B, attn_dim) is broadcast over the S positions.

    층 이름은 W1, W2, v로 두세요. W1은 디코더 상태 h에, W2는 각 인코더 상태 s_j에 적용하고, 둘을 더한 값에 tanh를
    거쳐 v로 점수 하나를 만듭니다. W1 h (B, attn_dim)는 S개 위치로 브로드캐스트합니다. 출력은 (B, S)입니다.
    """

    def __init__(self, enc_dim: int, dec_dim: int, attn_dim: int) -> None:
        super().__init__()
        # TODO: implement (Task 3)
        raise NotImplementedError("Task 3: AdditiveScore")

    def forward(self, h: torch.Tensor, s: torch.Tensor) -> torch.Tensor:
        # TODO: implement (Task 3)
        raise NotImplementedError("Task 3: AdditiveScore")
