"""What the grader watches while a student's loop trains a model (grader.sandbox.drivers.train), for the pictures
a student sees beside the verdict: the loss curve and the trained model's encoder–decoder attention.

Both are measured by the grader, never reported by the student's code: the loop's own printouts could say anything.

- :class:`Snapshots` keeps the parameters an optimiser steps, before the first step and every ``stride`` steps
  after (the stride doubles so that at most MAX_POINTS are kept, whatever the number of steps);
  :func:`loss_curve` then loads each snapshot into the returned model in turn and measures its loss on the held-out
  sequences with teacher forcing (the grader's own negative log-likelihood, padding ignored).
- :func:`cross_attention` decodes one held-out example with the trained model and keeps the weights of its last
  encoder–decoder attention, averaged over the heads: from an attention module whose ``forward`` takes
  ``need_weights`` (torch.nn's, asked for its weights) or, for a student's own layers, from the last softmax whose
  shape is (target length, source length).

The model follows the Annotated Transformer's interface: ``encode(src, src_mask)``, ``decode(memory, src_mask, tgt,
tgt_mask)`` and ``generator``, masks True where attention is allowed.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

import torch
from torch.overrides import TorchFunctionMode

MAX_POINTS = 41
"""The most points a loss curve keeps (300 steps: every 10th, and the first)."""
STRIDE = 10


class Snapshots:
    """The stepped parameters' values by step (an optimiser step hook feeds it; see the module's docstring)."""

    def __init__(self) -> None:
        self.clear()

    def clear(self) -> None:
        self.stride: int = STRIDE
        self.kept: dict[int, dict[int, torch.Tensor]] = {}

    def before(self, optimizer: Any, step: int) -> None:
        """Before step number ``step`` (0-based) of any optimiser: the parameters after ``step`` steps."""
        if step % self.stride or step in self.kept:
            return
        self.kept[step] = {id(p): p.detach().clone() for group in optimizer.param_groups for p in group["params"]}
        if len(self.kept) > MAX_POINTS:
            self.stride *= 2
            self.kept = {s: v for s, v in self.kept.items() if s % self.stride == 0}


def masks(src: torch.Tensor, tgt: torch.Tensor, pad: int) -> tuple[torch.Tensor, torch.Tensor]:
    """The source's padding mask (B, 1, S) and the target's subsequent mask (B, T, T), True where allowed."""
    n = tgt.size(1)
    subsequent = torch.ones(n, n, dtype=torch.bool, device=src.device).tril().expand(src.size(0), n, n)
    return (src != pad).unsqueeze(-2), subsequent


def held_out_loss(model: Any, src: torch.Tensor, pad: int = 0) -> float:
    """The model's mean negative log-likelihood of ``src[:, 1:]`` given ``src`` and ``src[:, :-1]`` (a copy task's
    target is its source), padding ignored; log-softmax applied again, so a generator that returns logits is measured
    the same way (log-softmax of log-probabilities changes nothing)."""
    tgt_in, tgt_out = src[:, :-1], src[:, 1:]
    src_mask, tgt_mask = masks(src, tgt_in, pad)
    out = model.generator(model.decode(model.encode(src, src_mask), src_mask, tgt_in, tgt_mask))
    logp = torch.log_softmax(out.double(), dim=-1)
    return float(torch.nn.functional.nll_loss(logp.reshape(-1, logp.size(-1)), tgt_out.reshape(-1), ignore_index=pad))


def loss_curve(model: torch.nn.Module, snapshots: Snapshots, final_step: int, src: torch.Tensor,
               measure: Callable[[], Any]) -> tuple[list[int], list[float]]:
    """(steps, held-out loss) at each snapshot and after the last step; the model's parameters are left as they
    were returned. ``measure`` wraps each measurement (no_grad and the student's context)."""
    params = {id(p): p for p in model.parameters()}
    final = {k: p.detach().clone() for k, p in params.items()}
    steps, losses = [], []
    points = {**snapshots.kept, final_step: final}
    try:
        for step in sorted(points):
            with torch.no_grad():
                for k, value in points[step].items():
                    if k in params and params[k].shape == value.shape:
                        params[k].copy_(value)
            with measure():
                loss = held_out_loss(model, src)
            steps.append(step)
            losses.append(loss)
    finally:
        with torch.no_grad():
            for k, value in final.items():
                params[k].copy_(value)
    return steps, losses


def _parameters(forward: Any) -> set[str]:
    try:
        return set(inspect.signature(forward).parameters)
    except (TypeError, ValueError):
        return set()


class _Softmaxes(TorchFunctionMode):
    """Keeps every softmax output whose last two sizes are (rows, cols)."""

    def __init__(self, rows: int, cols: int) -> None:
        super().__init__()
        self.shape, self.found = (rows, cols), []  # type: tuple[int, int], list[torch.Tensor]

    def __torch_function__(self, func: Any, types: Any, args: Any = (), kwargs: Any = None) -> Any:
        out = func(*args, **(kwargs or {}))
        name = getattr(func, "__name__", "")
        if name == "softmax" and isinstance(out, torch.Tensor) and out.dim() >= 2 and tuple(out.shape[-2:]) == self.shape:
            self.found.append(out.detach())
        return out


def cross_attention(model: torch.nn.Module, src: torch.Tensor, out: torch.Tensor, pad: int = 0) -> torch.Tensor:
    """The last encoder–decoder attention (T, S) of the model decoding ``out[:, :-1]`` against ``src`` (one example,
    (1, S) and (1, T + 1)), averaged over the heads; empty (0, 0) where no attention of that shape was seen (a student's
    layers that compute it without a softmax, or source and target of one length, which cannot be told apart)."""
    tgt = out[:, :-1]
    rows, cols = tgt.size(1), src.size(1)
    if rows == cols:
        return torch.zeros(0, 0)
    weights: list[torch.Tensor] = []

    def ask(module: Any, args: Any, kwargs: dict[str, Any]) -> tuple[Any, dict[str, Any]]:
        return args, {**kwargs, "need_weights": True, "average_attn_weights": True}

    def keep(module: Any, args: Any, kwargs: Any, output: Any) -> None:
        if isinstance(output, tuple) and len(output) > 1 and isinstance(output[1], torch.Tensor) \
                and tuple(output[1].shape[-2:]) == (rows, cols):
            weights.append(output[1].detach())

    handles = []
    for m in model.modules():  # an attention module that can return its weights (torch.nn's does)
        if "need_weights" in _parameters(m.forward):
            handles.append(m.register_forward_pre_hook(ask, with_kwargs=True))
            handles.append(m.register_forward_hook(keep, with_kwargs=True))
    softmaxes = _Softmaxes(rows, cols)
    try:
        src_mask, tgt_mask = masks(src, tgt, pad)
        memory = model.encode(src, src_mask)  # type: ignore[operator]
        with softmaxes:
            model.decode(memory, src_mask, tgt, tgt_mask)  # type: ignore[operator]
    finally:
        for h in handles:
            h.remove()
    found = weights or softmaxes.found
    if not found:
        return torch.zeros(0, 0)
    last = found[-1].double()
    while last.dim() > 3:  # (B, heads, T, S): the heads' mean
        last = last.mean(dim=1)
    return last.reshape(-1, rows, cols)[0].cpu()
