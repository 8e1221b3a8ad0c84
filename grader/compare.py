"""Value comparison of two tensors, and the diff a student reads when they disagree."""

from __future__ import annotations

import math
from typing import Any

import torch

from grader.results import Cell, Grid, Heatmap, TensorDiff
from grader.spec import Tolerance

GRID_ROWS = 6
GRID_COLS = 5
HEATMAP_SIDE = 64
"""The most rows, and the most columns, of the worst slice a picture draws (a window around the worst element)."""
HEATMAP_CELLS = 1024
"""The most cells a picture draws (a PE table of 64 positions by 16 dimensions fits whole)."""


def _index(flat: int, shape: tuple[int, ...]) -> tuple[int, ...]:
    idx = []
    for size in reversed(shape):
        idx.append(flat % size if size else 0)
        flat = flat // size if size else 0
    return tuple(reversed(idx))


def _bad(got: torch.Tensor, expected: torch.Tensor, tol: Tolerance) -> torch.Tensor:
    """Elements outside the tolerance; NaN only matches NaN and an infinity only the same infinity
    (``|got - expected| <= atol + rtol * |expected|`` alone would let 5 or -inf match +inf)."""
    return ~torch.isclose(got, expected, rtol=tol.rtol, atol=tol.atol, equal_nan=True)


def close(got: torch.Tensor, expected: torch.Tensor, tol: Tolerance) -> bool:
    """True when the shapes agree and every element is within the tolerance."""
    if got.shape != expected.shape:
        return False
    if not got.is_floating_point() and not expected.is_floating_point():
        return bool(torch.equal(got, expected))
    return not bool(_bad(got.double(), expected.double(), tol).any())


def diff(got: torch.Tensor, expected: torch.Tensor, tol: Tolerance,
         mask: torch.Tensor | None = None) -> TensorDiff | None:
    """None when ``got`` matches ``expected`` (same shape, all within ``tol``); the diff otherwise. ``mask``: the
    case's boolean mask (True = may attend), broadcast to the shape, whose False positions the picture marks."""
    if got.shape != expected.shape:
        raise ValueError(f"shapes differ: {tuple(got.shape)} vs {tuple(expected.shape)}")
    g, e = got.double(), expected.double()
    bad = _bad(g, e, tol)
    mismatched = int(bad.sum())
    if mismatched == 0:
        return None
    shape = tuple(got.shape)
    abs_err = (g - e).abs().nan_to_num(nan=float("inf"))
    # relative to the expected magnitude, where that magnitude is meaningful (not at expected zeros)
    meaningful = e.abs() > max(tol.atol, 1e-12)
    rel_err = torch.where(meaningful, abs_err / e.abs().clamp_min(1e-12), torch.zeros_like(abs_err))
    abs_err = torch.where(bad, abs_err, torch.zeros_like(abs_err))
    rel_err = torch.where(bad, rel_err, torch.zeros_like(rel_err))
    worst = _index(int(abs_err.flatten().argmax()), shape) if shape else ()
    worst_rel = _index(int(rel_err.flatten().argmax()), shape) if shape else ()
    return TensorDiff(
        shape=shape, mismatched=mismatched, total=got.numel(),
        max_abs=float(abs_err.max()), max_abs_index=worst,
        max_rel=float(rel_err.max()), max_rel_index=worst_rel,
        expected_at=float(e[worst]) if shape else float(e), got_at=float(g[worst]) if shape else float(g),
        atol=tol.atol, rtol=tol.rtol, grid=_grid(g, e, bad, worst),
        heatmap=_heatmap(g, e, bad, worst, _forbidden(mask, got.shape),
                         boolean=got.dtype == torch.bool and expected.dtype == torch.bool) if shape else None,
    )


def _forbidden(mask: torch.Tensor | None, shape: torch.Size) -> torch.Tensor | None:
    """Where ``mask`` forbids attention, broadcast to ``shape``; None without a mask or when it does not broadcast."""
    if mask is None or mask.dtype != torch.bool:
        return None
    try:
        return ~mask.expand(shape)
    except RuntimeError:
        return None


def _round(v: float) -> float:
    return float(f"{v:.4g}") if math.isfinite(v) else v


def _window(at: int, size: int, keep: int) -> tuple[int, int]:
    start = max(0, min(at - keep // 2, size - keep))
    return start, min(size, start + keep)


def _heatmap(g: torch.Tensor, e: torch.Tensor, bad: torch.Tensor, worst: tuple[int, ...],
             forbidden: torch.Tensor | None, boolean: bool) -> Heatmap:
    """The worst 2-D slice, whole up to HEATMAP_SIDE rows and columns and HEATMAP_CELLS cells."""
    if g.dim() < 2:
        g, e, bad = g.unsqueeze(0), e.unsqueeze(0), bad.unsqueeze(0)
        forbidden = None if forbidden is None else forbidden.unsqueeze(0)
        worst = (0, *worst)
    lead, (r, c) = worst[:-2], worst[-2:]
    rows, cols = g.shape[-2:]
    keep_cols = min(cols, HEATMAP_SIDE)
    keep_rows = min(rows, HEATMAP_SIDE, max(1, HEATMAP_CELLS // max(keep_cols, 1)))
    r0, r1 = _window(r, rows, keep_rows)
    c0, c1 = _window(c, cols, keep_cols)
    window: tuple[Any, ...] = (*lead, slice(r0, r1), slice(c0, c1))
    width = c1 - c0

    def flat(t: torch.Tensor) -> tuple[int, ...]:
        return tuple(int(i) * width + int(j) for i, j in t[window].nonzero().tolist())

    return Heatmap(
        slice_index=tuple(lead), row_start=r0, col_start=c0, rows=r1 - r0, cols=width,
        expected=tuple(_round(v) for v in e[window].flatten().tolist()),
        got=tuple(_round(v) for v in g[window].flatten().tolist()),
        bad=flat(bad), masked=() if forbidden is None else flat(forbidden), boolean=boolean,
    )


def _grid(g: torch.Tensor, e: torch.Tensor, bad: torch.Tensor, worst: tuple[int, ...]) -> Grid:
    """The window of the worst 2-D slice around the worst element."""
    while g.dim() < 2:
        g, e, bad = g.unsqueeze(0), e.unsqueeze(0), bad.unsqueeze(0)
        worst = (0, *worst)
    lead, (r, c) = worst[:-2], worst[-2:]
    g2, e2, b2 = g[lead], e[lead], bad[lead]
    rows, cols = g2.shape
    r0 = max(0, min(r - GRID_ROWS // 2, rows - GRID_ROWS))
    c0 = max(0, min(c - GRID_COLS // 2, cols - GRID_COLS))
    cells = tuple(
        tuple(Cell(float(e2[i, j]), float(g2[i, j]), not bool(b2[i, j])) for j in range(c0, min(c0 + GRID_COLS, cols)))
        for i in range(r0, min(r0 + GRID_ROWS, rows))
    )
    return Grid(slice_index=tuple(lead), row_start=r0, col_start=c0, cells=cells)
