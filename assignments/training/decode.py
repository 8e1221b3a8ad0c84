"""Greedy decoding with the model.

모델로 하는 탐욕적(greedy) 디코딩.
"""

from __future__ import annotations

import torch
from torch import nn

from .model import EncoderDecoder  # noqa: F401 (your model)


class GreedyDecoder(nn.Module):
    """Holds a model and decodes greedily.

    __init__(vocab, n_layers=2, d_model=32, d_ff=64, heads=4, dropout=0.1): model: EncoderDecoder(...) (keep the name).
    forward(src (B, S), src_mask (B, 1, S), max_len, start_symbol) -> ys (B, max_len) long: ys[:, 0] = start_symbol;
    each step decodes everything generated so far under the subsequent mask (ys has no padding), applies the
    generator to the LAST position and appends its most probable token.

    model 이름을 그대로 두세요. ys[:, 0]은 start_symbol이고, 매 단계 지금까지 만든 토큰 전체를 이후 위치 마스크와 함께
    디코딩한 뒤 마지막 위치에 생성기를 적용해 가장 확률이 높은 토큰을 덧붙입니다.
    """

    def __init__(self, vocab: int, n_layers: int = 2, d_model: int = 32, d_ff: int = 64, heads: int = 4,
                 dropout: float = 0.1) -> None:
        super().__init__()
        # TODO: implement (Task 7): self.model = EncoderDecoder(vocab, n_layers, d_model, d_ff, heads, dropout)
        raise NotImplementedError("Task 7: GreedyDecoder")

    def forward(self, src: torch.Tensor, src_mask: torch.Tensor, max_len: int, start_symbol: int) -> torch.Tensor:
        # TODO: implement (Task 7)
        raise NotImplementedError("Task 7: GreedyDecoder")
