"""Recovering a dropout pattern from a train-mode output: what a dropout case's fit gives (:class:`DropoutFit`), the
two halves of a fit (:class:`DropoutModel`, ``Case.dropout_fit``) and the engine's generic solves.

A dropout case is built so that one train-mode output identifies the pattern of dropped entries. What the output
is built from (the layer's values before dropout, for the case's inputs) is the assignment's to compute: the
model's ``prepare``, trusted code that may compute like the reference, whose result a student bundle ships stored
for its visible cases. Turning that and the student's output into a pattern is generic and lives here, so that a
bundle needs no code of the assignment's:

- :func:`linear`: the output is ``columns @ q + bias`` per row, with ``q`` in {0, 1/(1-p)} (a feature or a head's
  key kept or dropped): one least-squares solve per row, rounded;
- :func:`elementwise`: dropout is the last thing applied, so each entry of the output is the value before it,
  scaled by 1/(1-p), or 0 (embeddings: LayerNorm, then dropout);
- :func:`enumerated`: the output is one of a few candidates per position (every pattern of a handful of entries,
  enumerated by ``prepare``): the closest one is taken.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import torch


@dataclass(frozen=True)
class DropoutFit:
    """The train-mode output that true dropout comes closest to giving (see ``Case.dropout_fit``)."""

    output: torch.Tensor
    """What the module returns when the recovered entries are dropped and the others scaled by 1/(1-p)."""
    dropped: int
    """How many of the identifiable entries the recovered pattern drops."""
    total: int
    """How many entries the output identifies (dropped or kept, told apart beyond doubt)."""
    kept: torch.Tensor | None = None
    """The recovered pattern, True where kept, shaped (B, L, n): batch rows, positions, the n entries of a position
    (a feature, a head's key, a sublayer's non-zero output); what the independence tests read. None: not recovered."""
    known: torch.Tensor | None = None
    """Shaped like ``kept``: True where the output identifies the entry (only those are tested)."""


@dataclass(frozen=True)
class DropoutModel:
    """How a dropout case's train-mode output reveals its pattern (``Case.dropout_fit``), in two halves:
    ``prepare(inputs, scale)`` computes, from the case's inputs alone, what the output is built from (trusted code
    of the assignment's, which may compute like the reference: a bundle ships its result, stored for the visible
    cases), and ``solve(prepared, out, scale)``, a generic solve of the engine's (grader.dropout.linear or
    .enumerated, which a bundle has), turns it and one output into a :class:`DropoutFit`. Called like a plain fit:
    ``model(inputs, out, scale)``."""

    prepare: Callable[[Mapping[str, torch.Tensor], float], dict[str, torch.Tensor]]
    solve: Callable[[Mapping[str, torch.Tensor], torch.Tensor, float], DropoutFit]

    def __call__(self, inputs: Mapping[str, torch.Tensor], out: torch.Tensor, scale: float) -> DropoutFit:
        return self.solve(self.prepare(inputs, scale), out, scale)


def linear(prepared: Mapping[str, torch.Tensor], out: torch.Tensor, scale: float) -> DropoutFit:
    """``prepared``: ``columns`` (N, d, n) and ``bias`` (d,), N = B·L rows of the output (B, L, d). A zero column (an
    entry that is 0 before dropout) is neither kept nor dropped."""
    columns, bias = prepared["columns"].double(), prepared["bias"].double()
    target = out.double().reshape(columns.shape[0], columns.shape[1]) - bias
    norms = columns.norm(dim=1)  # (N, n)
    q = torch.linalg.lstsq(columns, target.unsqueeze(-1), driver="gelsd").solution.squeeze(-1)
    rounded = (q > scale / 2).double() * scale * (norms > 0)
    identifiable = norms > 1e-3
    recon = (columns @ rounded.unsqueeze(-1)).squeeze(-1) + bias
    units = (*out.shape[:-1], -1)  # (B, L, n): one position's entries on the last axis
    return DropoutFit(output=recon.reshape(out.shape), dropped=int(((rounded == 0) & identifiable).sum()),
                      total=int(identifiable.sum()), kept=(rounded != 0).reshape(units),
                      known=identifiable.reshape(units))


def enumerated(prepared: Mapping[str, torch.Tensor], out: torch.Tensor, scale: float) -> DropoutFit:
    """``prepared``: ``candidates`` (C, B, L, d), the output under each of C patterns, and ``patterns`` (C, bits),
    1 where an entry is kept; each position takes the candidate closest to the student's output."""
    z, combos = prepared["candidates"].double(), prepared["patterns"]
    err = ((z - out.double()).abs() / (1e-4 + 1e-4 * out.double().abs())).amax(dim=-1)  # (C, B, L)
    best = err.argmin(dim=0)  # (B, L)
    recon = torch.gather(z, 0, best[None, ..., None].expand(1, *z.shape[1:])).squeeze(0)
    kept = combos[best]  # (B, L, bits)
    return DropoutFit(output=recon, dropped=int((kept == 0).sum()), total=kept.numel(), kept=kept.bool(),
                      known=torch.ones_like(kept, dtype=torch.bool))


def elementwise(prepared: Mapping[str, torch.Tensor], out: torch.Tensor, scale: float) -> DropoutFit:
    """``prepared``: ``before`` (B, L, d), the output before dropout. An entry is kept when the output there is its
    value scaled by 1/(1-p), dropped when it is 0; an entry that is 0 before dropout tells nothing."""
    before, got = prepared["before"].double(), out.double()
    known = before.abs() > 1e-6
    kept = (got != 0) & known
    recon = torch.where(kept, before * scale, torch.zeros_like(before))
    return DropoutFit(output=recon.reshape(out.shape), dropped=int((known & ~kept).sum()), total=int(known.sum()),
                      kept=kept.reshape(*before.shape[:-1], -1), known=known.reshape(*before.shape[:-1], -1))
