"""The whole Transformer (reference): embeddings scaled by √d_model and tied to the generator, the generator
(linear + log-softmax), and the encoder–decoder assembling N of torch.nn's layers (paper §3.1, §3.4)."""

from __future__ import annotations

import math

import torch
from torch import nn


def positional_encoding(length: int, d_model: int, like: torch.Tensor) -> torch.Tensor:
    """Given: the sinusoidal encoding (paper §3.5), (length, d_model), with ``like``'s dtype and device."""
    position = torch.arange(length, dtype=torch.float64, device=like.device)[:, None]
    div = torch.exp(torch.arange(0, d_model, 2, dtype=torch.float64, device=like.device)
                    * (-math.log(10000.0) / d_model))
    pe = torch.zeros(length, d_model, dtype=torch.float64, device=like.device)
    pe[:, 0::2] = torch.sin(position * div)
    pe[:, 1::2] = torch.cos(position * div)
    return pe.to(like.dtype)


class Embeddings(nn.Module):
    """lut(x) · √d_model: (B, L) token ids -> (B, L, d_model)."""

    def __init__(self, vocab: int, d_model: int) -> None:
        super().__init__()
        self.lut = nn.Embedding(vocab, d_model)
        self.d_model = d_model

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.lut(x) * math.sqrt(self.d_model)


class Generator(nn.Module):
    """log_softmax(proj(x)) over the vocabulary: (..., d_model) -> (..., vocab)."""

    def __init__(self, d_model: int, vocab: int) -> None:
        super().__init__()
        self.proj = nn.Linear(d_model, vocab)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.log_softmax(self.proj(x), dim=-1)


class EncoderDecoder(nn.Module):
    """The Transformer: one embedding shared by source and target and tied to the generator's weight, N post-LN
    layers of torch.nn on each side. Masks are True where attention is allowed: src_mask (B, 1, S), tgt_mask (B, T, T).
    forward(src, tgt, src_mask, tgt_mask) -> the decoder's output (B, T, d_model) (the generator is applied apart)."""

    def __init__(self, vocab: int, n_layers: int = 2, d_model: int = 32, d_ff: int = 64, heads: int = 4,
                 dropout: float = 0.1) -> None:
        super().__init__()
        self.heads = heads
        self.embed = Embeddings(vocab, d_model)
        self.encoder = nn.TransformerEncoder(
            nn.TransformerEncoderLayer(d_model, heads, d_ff, dropout, batch_first=True), n_layers,
            enable_nested_tensor=False)
        self.decoder = nn.TransformerDecoder(
            nn.TransformerDecoderLayer(d_model, heads, d_ff, dropout, batch_first=True), n_layers)
        self.generator = Generator(d_model, vocab)
        self.generator.proj.weight = self.embed.lut.weight  # §3.4: one matrix for both
        self.dropout = nn.Dropout(dropout)

    def _embed(self, x: torch.Tensor) -> torch.Tensor:
        e = self.embed(x)
        return self.dropout(e + positional_encoding(x.size(1), e.size(-1), e))

    def encode(self, src: torch.Tensor, src_mask: torch.Tensor) -> torch.Tensor:
        return self.encoder(self._embed(src), src_key_padding_mask=~src_mask[:, 0])

    def decode(self, memory: torch.Tensor, src_mask: torch.Tensor, tgt: torch.Tensor,
               tgt_mask: torch.Tensor) -> torch.Tensor:
        blocked = (~tgt_mask).repeat_interleave(self.heads, dim=0)  # torch.nn: True = not allowed, (B·h, T, T)
        return self.decoder(self._embed(tgt), memory, tgt_mask=blocked, memory_key_padding_mask=~src_mask[:, 0])

    def forward(self, src: torch.Tensor, tgt: torch.Tensor, src_mask: torch.Tensor,
                tgt_mask: torch.Tensor) -> torch.Tensor:
        return self.decode(self.encode(src, src_mask), src_mask, tgt, tgt_mask)
