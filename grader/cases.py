"""Generic case helpers an assignment's spec builds its cases with: seeded tensors, masks, weights, drawn literals.

Trusted code: it runs in the grading process only, from a case's ``make`` or ``draw_args``.
"""

from __future__ import annotations

from typing import Any

import torch

from grader.spec import Call, CaseEnv


def randn(env: CaseEnv, *shape: int, scale: float = 1.0, dtype: torch.dtype = torch.float32) -> torch.Tensor:
    return (torch.randn(shape, generator=env.gen, dtype=torch.float64) * scale).to(dtype)


def rand_mask(env: CaseEnv, *shape: int, keep: float = 0.6) -> torch.Tensor:
    """A random bool mask in which every row (last dimension) keeps at least one position and, where the row
    has two or more, masks at least one: a mask that happens to be all True would test nothing."""
    r = torch.rand(shape, generator=env.gen)
    mask = (r < keep) | (r == r.amax(dim=-1, keepdim=True))
    if shape and shape[-1] > 1:
        mask &= r != r.amin(dim=-1, keepdim=True)
    return mask


def tril(n: int, m: int | None = None) -> torch.Tensor:
    return torch.ones(n, m or n, dtype=torch.bool).tril()


def padded_tokens(env: CaseEnv, batch: int, length: int, pad_id: int) -> torch.Tensor:
    tokens = torch.randint(pad_id + 1, pad_id + 50, (batch, length), generator=env.gen)
    lengths = torch.randint(1, length + 1, (batch,), generator=env.gen)
    lengths[0] = length
    for b in range(batch):
        tokens[b, int(lengths[b]):] = pad_id
    return tokens


def key_padding(env: CaseEnv, batch: int, length: int) -> torch.Tensor:
    """A (B, 1, 1, L) padding mask with the first sequence unpadded and the others shorter."""
    return padded_tokens(env, batch, length, 0).ne(0)[:, None, None, :]


def weights(env: CaseEnv, cls_name: str, *init: Any) -> dict[str, torch.Tensor]:
    """Seeded weights of the reference module, with LayerNorm gains and biases away from 1 and 0."""
    seed = int(torch.randint(0, 2**31 - 1, (1,), generator=env.gen))
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        module = getattr(env.reference, cls_name)(*init)
        state = {}
        for name, p in module.named_parameters():
            p = p.detach().clone()
            if "norm" in name:
                p = (1.0 if name.endswith("weight") else 0.0) + 0.3 * torch.randn(p.shape)
            state[f"state.{name}"] = p
    return state


def no_inputs(env: CaseEnv) -> dict[str, torch.Tensor]:
    return {}


def draw(gen: torch.Generator, low: int, high: int) -> int:
    """A seeded integer in [low, high] (a literal argument drawn for a graded run)."""
    return int(torch.randint(low, high + 1, (1,), generator=gen))


def other_than(shown: Call, make: Any) -> Any:
    """``make``'s draws, never the call a student bundle shows (``shown``): a case's ``draw_args``."""
    def drawn(gen: torch.Generator) -> Call:
        args = make(gen)
        while args == shown:
            args = make(gen)
        return args
    return drawn
