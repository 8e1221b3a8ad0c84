"""Greedy decoding with the model (reference)."""

from __future__ import annotations

import torch
from torch import nn

from .model import EncoderDecoder


class GreedyDecoder(nn.Module):
    """Holds a model (``self.model``); forward(src, src_mask, max_len, start_symbol) -> ys (B, max_len), long:
    ys[:, 0] = start_symbol, then each step appends the most probable next token given everything so far."""

    def __init__(self, vocab: int, n_layers: int = 2, d_model: int = 32, d_ff: int = 64, heads: int = 4,
                 dropout: float = 0.1) -> None:
        super().__init__()
        self.model = EncoderDecoder(vocab, n_layers, d_model, d_ff, heads, dropout)

    def forward(self, src: torch.Tensor, src_mask: torch.Tensor, max_len: int, start_symbol: int) -> torch.Tensor:
        memory = self.model.encode(src, src_mask)
        ys = torch.full((src.size(0), 1), start_symbol, dtype=torch.long, device=src.device)
        for _ in range(max_len - 1):
            size = ys.size(1)
            tgt_mask = torch.ones(size, size, dtype=torch.bool, device=src.device).tril().expand(src.size(0), -1, -1)
            out = self.model.decode(memory, src_mask, ys, tgt_mask)
            next_word = self.model.generator(out[:, -1]).argmax(dim=-1)
            ys = torch.cat([ys, next_word[:, None]], dim=1)
        return ys
