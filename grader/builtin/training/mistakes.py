"""The mistake catalog of the training assignment: one wrong implementation per known mistake.

Each entry receives the reference and returns a function or module class (with the reference's parameter names)
making exactly one mistake; when a student's failing output equals its output on the same case, the report names it
(``mistake.<id>``). Trusted code: it runs in the grading process only.
"""

from __future__ import annotations

import math
from typing import Any

import torch
from torch import nn

from grader.spec import Mistake


def _mistake(prefix: str, make: Any, kind: str, needs_ref: bool) -> Mistake:
    """The mistake ``<prefix>_<kind>``: ``make(kind)``, or ``make(ref, kind)`` when it builds on the reference."""
    if needs_ref:
        return Mistake(f"{prefix}_{kind}", lambda ref: make(ref, kind))
    return Mistake(f"{prefix}_{kind}", lambda ref: make(kind))


# --- embeddings and the generator ------------------------------------------------------------------------


def _embeddings(kind: str) -> Any:
    class Embeddings(nn.Module):
        def __init__(self, vocab: int, d_model: int) -> None:
            super().__init__()
            self.lut = nn.Embedding(vocab, d_model)
            self.d_model = d_model

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            if kind == "unscaled":
                return self.lut(x)
            if kind == "divided":
                return self.lut(x) / math.sqrt(self.d_model)
            return self.lut(x) * self.d_model  # "scaled_twice": √d_model · √d_model
    return Embeddings


EMBEDDINGS = tuple(_mistake("tr_embeddings", _embeddings, kind, False)
                   for kind in ("unscaled", "divided", "scaled_twice"))


def _generator(kind: str) -> Any:
    class Generator(nn.Module):
        def __init__(self, d_model: int, vocab: int) -> None:
            super().__init__()
            self.proj = nn.Linear(d_model, vocab)

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            if kind == "softmax":
                return torch.softmax(self.proj(x), dim=-1)
            if kind == "logits":
                return self.proj(x)
            return torch.log_softmax(self.proj(x), dim=0)  # "first_axis"
    return Generator


GENERATOR = tuple(_mistake("tr_generator", _generator, kind, False)
                  for kind in ("softmax", "logits", "first_axis"))

# --- the encoder–decoder -------------------------------------------------------------------------------------


def _model(ref: Any, kind: str) -> Any:
    base = ref.EncoderDecoder

    class EncoderDecoder(base):  # type: ignore[misc, valid-type]
        def _embed(self, x: torch.Tensor) -> torch.Tensor:
            e = self.embed(x)
            if kind == "no_positions":
                return self.dropout(e)
            return super()._embed(x)

        def decode(self, memory: torch.Tensor, src_mask: torch.Tensor, tgt: torch.Tensor,
                   tgt_mask: torch.Tensor) -> torch.Tensor:
            if kind == "tgt_mask_ignored":
                return self.decoder(self._embed(tgt), memory, memory_key_padding_mask=~src_mask[:, 0])
            if kind == "memory_mask_ignored":
                blocked = (~tgt_mask).repeat_interleave(self.heads, dim=0)
                return self.decoder(self._embed(tgt), memory, tgt_mask=blocked)
            return super().decode(memory, src_mask, tgt, tgt_mask)
    return EncoderDecoder


MODEL = tuple(_mistake("tr_model", _model, kind, True)
              for kind in ("no_positions", "tgt_mask_ignored", "memory_mask_ignored"))

# --- masks ------------------------------------------------------------------------------------------------------


def _masks(kind: str) -> Any:
    def make_masks(src: torch.Tensor, tgt: torch.Tensor, pad: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
        src_mask = (src != pad).unsqueeze(-2)
        size = tgt.size(1)
        diagonal = {"diagonal_masked": 0, "next_visible": 2}.get(kind, 1)
        subsequent = torch.triu(torch.ones(size, size, dtype=torch.bool, device=tgt.device), diagonal=diagonal) == 0
        if kind == "tgt_padding_ignored":
            return src_mask, subsequent.expand(tgt.size(0), size, size)
        tgt_mask = (tgt != pad).unsqueeze(-2) & subsequent
        if kind == "inverted":
            return ~src_mask, ~tgt_mask
        return src_mask, tgt_mask
    return make_masks


MASKS = tuple(_mistake("tr_masks", _masks, kind, False)
              for kind in ("diagonal_masked", "next_visible", "tgt_padding_ignored", "inverted"))

# --- label smoothing and the schedule -------------------------------------------------------------------------


def _smoothing(kind: str) -> Any:
    class LabelSmoothing(nn.Module):
        def __init__(self, size: int, padding_idx: int, smoothing: float = 0.0) -> None:
            super().__init__()
            self.size, self.padding_idx, self.smoothing = size, padding_idx, smoothing

        def forward(self, x: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
            others = self.size - 1 if kind in ("normaliser", "padding_column") else self.size - 2
            true_dist = torch.full_like(x, self.smoothing / others)
            true_dist.scatter_(1, target.unsqueeze(1), 1.0 - self.smoothing)
            if kind != "padding_column":
                true_dist[:, self.padding_idx] = 0
            if kind != "padding_rows":
                true_dist[target == self.padding_idx] = 0
            if kind == "cross_entropy":
                return -(true_dist * x).sum()
            if kind == "mean":
                return nn.functional.kl_div(x, true_dist, reduction="batchmean")
            return nn.functional.kl_div(x, true_dist, reduction="sum")
    return LabelSmoothing


SMOOTHING = tuple(_mistake("tr_smoothing", _smoothing, kind, False)
                  for kind in ("normaliser", "padding_column", "padding_rows", "cross_entropy", "mean"))


def _rate(kind: str) -> Any:
    def learning_rate(step: torch.Tensor, d_model: int, factor: float = 1.0, warmup: int = 4000) -> torch.Tensor:
        step = step + 1 if kind == "off_by_one" else step.clamp(min=1)
        if kind == "no_warmup":
            return factor * d_model ** -0.5 * step ** -0.5
        power = -0.5 if kind == "warmup_power" else -1.5
        scale = 1.0 if kind == "no_factor" else factor
        return scale * d_model ** -0.5 * torch.minimum(step ** -0.5, step * warmup ** power)
    return learning_rate


RATE = tuple(_mistake("tr_rate", _rate, kind, False)
             for kind in ("off_by_one", "no_warmup", "warmup_power", "no_factor"))

# --- greedy decoding --------------------------------------------------------------------------------------------


def _greedy(ref: Any, kind: str) -> Any:
    class GreedyDecoder(nn.Module):
        def __init__(self, vocab: int, n_layers: int = 2, d_model: int = 32, d_ff: int = 64, heads: int = 4,
                     dropout: float = 0.1) -> None:
            super().__init__()
            self.model = ref.EncoderDecoder(vocab, n_layers, d_model, d_ff, heads, dropout)

        def forward(self, src: torch.Tensor, src_mask: torch.Tensor, max_len: int, start_symbol: int) -> torch.Tensor:
            memory = self.model.encode(src, src_mask)
            ys = torch.full((src.size(0), 1), start_symbol, dtype=torch.long, device=src.device)
            for _ in range(max_len - 1):
                feed = ys[:, -1:] if kind == "last_only" else ys
                size = feed.size(1)
                mask = torch.ones(size, size, dtype=torch.bool, device=src.device).tril().expand(src.size(0), -1, -1)
                out = self.model.decode(memory, src_mask, feed, mask)
                position = 0 if kind == "first_position" else -1
                next_word = self.model.generator(out[:, position]).argmax(dim=-1)
                ys = torch.cat([ys, next_word[:, None]], dim=1)
            return ys
    return GreedyDecoder


GREEDY = tuple(_mistake("tr_greedy", _greedy, kind, True)
               for kind in ("first_position", "last_only"))
