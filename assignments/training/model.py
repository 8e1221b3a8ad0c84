"""The whole Transformer (paper §3.1, §3.4): embeddings scaled by √d_model and tied to the generator, the generator
(linear + log-softmax), and the encoder–decoder assembling N layers.

Use torch.nn's layers for the stacks: nn.TransformerEncoderLayer and nn.TransformerDecoderLayer (post-LN, as in the
paper), with batch_first=True, stacked by nn.TransformerEncoder (enable_nested_tensor=False) and
nn.TransformerDecoder, without a final norm. Masks in this assignment are True where attention is ALLOWED
(src_mask (B, 1, S), tgt_mask (B, T, T)); torch.nn's masks are True where it is NOT: convert inside the model.
Keep the parameter names below: the grader copies its weights into your modules.

Transformer 전체 (논문 §3.1, §3.4): √d_model을 곱하고 생성기와 가중치를 공유하는 임베딩, 생성기(선형 + log-softmax),
N개 층을 쌓은 인코더–디코더. 층은 torch.nn의 nn.TransformerEncoderLayer와 nn.TransformerDecoderLayer(post-LN,
batch_first=True)를 nn.TransformerEncoder(enable_nested_tensor=False)와 nn.TransformerDecoder로 쌓아 쓰고 마지막
정규화 층은 두지 않습니다. 이 과제의 마스크는 어텐션할 수 있는 위치가 True이고, torch.nn의 마스크는 반대입니다.
모델 안에서 바꾸세요. 파라미터 이름은 아래에 적힌 대로 두세요.
"""

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
    """lut(x) · √d_model.

    __init__(vocab, d_model): lut: nn.Embedding(vocab, d_model) (keep this name).
    forward(x (B, L) token ids) -> (B, L, d_model).

    층 이름은 lut로 두세요. forward는 lut(x)에 √d_model을 곱해 돌려줍니다.
    """

    def __init__(self, vocab: int, d_model: int) -> None:
        super().__init__()
        # TODO: implement (Task 1)
        raise NotImplementedError("Task 1: Embeddings")

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        # TODO: implement (Task 1)
        raise NotImplementedError("Task 1: Embeddings")


class Generator(nn.Module):
    """log_softmax(proj(x)) over the vocabulary.

    __init__(d_model, vocab): proj: nn.Linear(d_model, vocab) (keep this name).
    forward(x (..., d_model)) -> log-probabilities (..., vocab).

    층 이름은 proj로 두세요. 어휘 축(마지막 축)으로 log_softmax를 계산합니다.
    """

    def __init__(self, d_model: int, vocab: int) -> None:
        super().__init__()
        # TODO: implement (Task 2)
        raise NotImplementedError("Task 2: Generator")

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        # TODO: implement (Task 2)
        raise NotImplementedError("Task 2: Generator")


class EncoderDecoder(nn.Module):
    """The Transformer. Source and target share one vocabulary, so one embedding serves both, and the generator's
    weight IS the embedding's weight (paper §3.4): after building both, set
    ``self.generator.proj.weight = self.embed.lut.weight``.

    __init__(vocab, n_layers=2, d_model=32, d_ff=64, heads=4, dropout=0.1), with these names:
        heads, embed: Embeddings(vocab, d_model), encoder: nn.TransformerEncoder, decoder: nn.TransformerDecoder,
        generator: Generator(d_model, vocab), dropout: nn.Dropout(dropout) applied to embedding + positions.
    encode(src (B, S), src_mask (B, 1, S)) -> memory (B, S, d_model)
    decode(memory, src_mask, tgt (B, T), tgt_mask (B, T, T)) -> (B, T, d_model)
        (torch.nn takes a 3-D attn mask as (B·heads, T, T): repeat_interleave over the batch)
    forward(src, tgt, src_mask, tgt_mask) -> decode(encode(src, src_mask), src_mask, tgt, tgt_mask); the generator
        is applied outside forward (by the loss and by decoding).

    임베딩 하나를 소스와 타깃이 함께 쓰고, 생성기의 가중치는 임베딩의 가중치 그 자체입니다
    (self.generator.proj.weight = self.embed.lut.weight). forward는 생성기를 적용하지 않은 디코더 출력을 돌려줍니다.
    """

    def __init__(self, vocab: int, n_layers: int = 2, d_model: int = 32, d_ff: int = 64, heads: int = 4,
                 dropout: float = 0.1) -> None:
        super().__init__()
        # TODO: implement (Task 3)
        raise NotImplementedError("Task 3: EncoderDecoder")

    def encode(self, src: torch.Tensor, src_mask: torch.Tensor) -> torch.Tensor:
        # TODO: implement (Task 3)
        raise NotImplementedError("Task 3: EncoderDecoder")

    def decode(self, memory: torch.Tensor, src_mask: torch.Tensor, tgt: torch.Tensor,
               tgt_mask: torch.Tensor) -> torch.Tensor:
        # TODO: implement (Task 3)
        raise NotImplementedError("Task 3: EncoderDecoder")

    def forward(self, src: torch.Tensor, tgt: torch.Tensor, src_mask: torch.Tensor,
                tgt_mask: torch.Tensor) -> torch.Tensor:
        # TODO: implement (Task 3)
        raise NotImplementedError("Task 3: EncoderDecoder")
