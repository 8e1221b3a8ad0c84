"""Probes of the transformer assignment: what kind of error a failed case shows, whatever code produced it.

Each probe takes a :class:`grader.diagnose.View` of one failed case and yields findings (``diagnosis.<id>`` in
the catalogs). Invariant probes read the student's outputs alone (which axis sums to one, weight on masked
positions, each positional-encoding column's function and frequency, where each element of a head layout came
from, a LayerNorm's signature, exact zeros from dropout, parameters without gradient); none recomputes a layer.
This module ships, as code, in a student bundle (grader.fixtures): the probes that recompute the layer with one
thing changed are in counterfactuals.py, which never ships.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Iterator, Mapping

import torch

from grader.diagnose import Finding, View, number
from grader.sandbox.transfer import Entry

# --- attention weights: axis, masked positions, fully masked rows, scale -----------------------------------


def _axis(w: torch.Tensor, dim: int, live: torch.Tensor | None) -> Finding | None:
    """The weights sum to one over another axis than ``dim``."""
    dim = dim % w.dim()

    def sums_to_one(axis: int) -> bool:
        s = w.sum(axis)
        ok = (s - 1).abs() < 1e-3
        return bool(ok.double().mean() > 0.9)

    if live is not None and not bool(live.all()):
        return None  # rows that must be all zeros make every axis test ambiguous
    if sums_to_one(dim) or w.dim() < 2:
        return None
    for axis in range(w.dim()):
        if axis != dim and w.shape[axis] > 1 and sums_to_one(axis):
            return Finding("softmax_axis", {"got": axis, "expected": dim, "got_neg": axis - w.dim(),
                                            "expected_neg": dim - w.dim()})
    return None


def _masked(w: torch.Tensor, scores: torch.Tensor, mask: torch.Tensor, dim: int) -> Iterator[Finding]:
    """What the weights do on masked positions and on rows with nothing left to attend to."""
    keep = mask.expand(w.shape).bool()
    live_rows = keep.any(dim=dim, keepdim=True)
    live = live_rows.expand(w.shape)
    on_masked = ~keep & live
    dead = ~live
    if bool(dead.any()):
        rows = w[dead]
        if bool(torch.isnan(rows).any()):
            yield Finding("fully_masked_rows", {"variant": "nan"})
        elif bool((rows.abs() > 1e-6).any()):
            n = w.shape[dim]
            what = "uniform" if bool(((rows - 1.0 / n).abs() < 1e-4).all()) else "nonzero"
            yield Finding("fully_masked_rows", {"variant": what, "length": n, "share": number(1.0 / n)})
    if not bool(on_masked.any()):
        return
    live_w = torch.where(live, w, torch.zeros_like(w))
    leaked = w[on_masked]
    if not bool(torch.isfinite(leaked).all()):
        return
    if bool((leaked.abs() <= 1e-12).all()):
        if bool(((live_w.sum(dim) - live_rows.squeeze(dim).double()).abs() > 1e-3).any()):
            renormalised = torch.softmax(scores.double(), dim=dim) * keep
            if bool(((renormalised - w).abs() < 1e-4).all()):
                yield Finding("mask_after_softmax")
        return
    kept = w[keep & live]
    share = float(leaked.abs().max())
    if kept.numel() and bool((kept.abs() <= 1e-9).all()):
        yield Finding("mask_inverted")
        return
    ignored = torch.softmax(scores.double(), dim=dim)
    if bool(((ignored - w).abs() < 1e-4).all()):
        yield Finding("mask_ignored")
        return
    yield Finding("mask_not_zeroing", {"largest": number(share), "count": int((leaked.abs() > 1e-12).sum()),
                                       "total": int(on_masked.sum())})


def masked_softmax_probe(view: View) -> Iterator[Finding]:
    w = view.tensor("out")
    scores = view.inputs.get("scores")
    if w is None or scores is None or not w.is_floating_point():
        return
    dim = view.literal(2, -1)
    dim = dim if isinstance(dim, int) and not isinstance(dim, bool) else -1
    mask = view.inputs.get("mask")
    live = None if mask is None else mask.expand(w.shape).bool().any(dim=dim)
    axis = _axis(w, dim, live)
    if axis is not None:
        yield axis
        return
    if mask is not None:
        yield from _masked(w, scores.double(), mask, dim)


SCALES: tuple[tuple[str, Callable[[int, int], float]], ...] = (
    ("1", lambda dk, dm: 1.0),
    ("√d_k", lambda dk, dm: math.sqrt(dk)),
    ("d_k", lambda dk, dm: float(dk)),
    ("√d_model", lambda dk, dm: math.sqrt(dm)),
    ("d_model", lambda dk, dm: float(dm)),
    ("√(d_k/2)", lambda dk, dm: math.sqrt(dk / 2)),
)


def _named_scale(factor: float, d_k: int, d_model: int) -> str:
    for name, f in SCALES:
        if abs(factor / f(d_k, d_model) - 1) < 0.01:
            return name
    return "?"


def _scale_from_weights(w: torch.Tensor, raw: torch.Tensor, keep: torch.Tensor) -> float | None:
    """The c in softmax(raw / c) that the weights were computed with, fitted on kept positions (None when the
    weights are not a softmax of the raw scores up to a factor)."""
    usable = keep & (w > 1e-9) & (w < 1 - 1e-9)  # saturated weights say nothing about the factor
    xs, ys = [], []
    for row_w, row_s, row_k in zip(w.reshape(-1, w.shape[-1]), raw.reshape(-1, raw.shape[-1]),
                                   usable.reshape(-1, usable.shape[-1]), strict=True):
        if int(row_k.sum()) < 2:
            continue
        s, lw = row_s[row_k], torch.log(row_w[row_k])
        xs.append(s - s.mean())
        ys.append(lw - lw.mean())
    if len(xs) < 2 or sum(len(v) for v in xs) < 8:
        return None
    x, y = torch.cat(xs), torch.cat(ys)
    sxx = float((x * x).sum())
    if sxx <= 0:
        return None
    slope = float((x * y).sum()) / sxx
    residual = float(((y - slope * x) ** 2).sum().sqrt()) / max(float((y * y).sum().sqrt()), 1e-300)
    if slope <= 0 or residual > 1e-3:
        return None
    return 1.0 / slope


def sdpa_probe(view: View) -> Iterator[Finding]:
    w = view.tensor("out.1")
    q, k = view.inputs.get("q"), view.inputs.get("k")
    if w is None or q is None or k is None or not w.is_floating_point():
        return
    mask = view.inputs.get("mask")
    live = None if mask is None else mask.expand(w.shape).bool().any(dim=-1)
    axis = _axis(w, -1, live)
    if axis is not None:
        yield axis
        return
    raw = q.double() @ k.double().transpose(-2, -1)
    d_k = q.shape[-1]
    # kᵀ made with a reshape (view) instead of a transpose: the right shape, the elements reordered
    viewed = q.double() @ k.double().reshape(*k.shape[:-2], k.shape[-1], k.shape[-2]) / math.sqrt(d_k)
    if viewed.shape == w.shape and not bool((viewed == raw / math.sqrt(d_k)).all()):
        if mask is not None:
            viewed = viewed.masked_fill(~mask.bool(), float("-inf"))
        if bool(((torch.softmax(viewed, -1).nan_to_num(0.0) - w).abs() < 1e-4).all()):
            yield Finding("head_layout", {"variant": "key_view"})
            return
    keep = torch.ones_like(w, dtype=torch.bool) if mask is None else mask.expand(w.shape).bool()
    factor = _scale_from_weights(w, raw, keep)
    if factor is not None and abs(factor / math.sqrt(d_k) - 1) > 1e-3:
        yield Finding("scale_factor", {"got": number(factor), "name": _named_scale(factor, d_k, d_k),
                                       "expected": number(math.sqrt(d_k))})
        return
    if mask is not None:
        yield from _masked(w, raw / math.sqrt(d_k), mask, -1)


# --- positional encoding: each column's function and frequency exponent -------------------------------------


def _column(col: torch.Tensor, base: float, d: int) -> tuple[str, float, float] | None:
    """(sin|cos, exponent·d) of one column, if it is sin or cos of position · base^(-e)."""
    pos = torch.arange(col.shape[0], dtype=torch.float64)
    if col.shape[0] < 3:
        return None
    for name, fn, inv in (("sin", torch.sin, math.asin), ("cos", torch.cos, math.acos)):
        start = 0.0 if name == "sin" else 1.0
        if abs(float(col[0]) - start) > 1e-3:
            continue
        v = max(-1.0, min(1.0, float(col[1])))
        omega = inv(v)
        if omega <= 0:
            continue
        if bool(((fn(pos * omega) - col).abs() < 1e-3).all()):
            return name, -math.log(omega) / math.log(base) * d, omega
    return None


EXPONENTS: tuple[tuple[str, Callable[[int], int]], ...] = (
    ("2i/d", lambda j: 2 * (j // 2)), ("j/d", lambda j: j), ("2j/d", lambda j: 2 * j), ("i/d", lambda j: j // 2))
"""Exponent·d of column j as a formula: in terms of i = j // 2 (the contract's) or of the column index j."""


def _exponent_formula(fits: list[tuple[int, float, float]]) -> str:
    """The one formula every informative column of a group follows ((j, exponent·d, ω) per column; a column
    whose frequency is too low to measure says nothing), else "other"."""
    informative = [(j, k) for j, k, omega in fits if omega > 1e-3]
    for name, f in EXPONENTS:
        if all(abs(k - f(j)) < 0.05 for j, k in informative):
            return name
    return "other"


def pe_probe(view: View) -> Iterator[Finding]:
    pe = view.tensor("out")
    if pe is None or pe.dim() != 2 or pe.shape[1] < 2 or pe.shape[0] < 3:
        return
    d = pe.shape[1]
    base = view.literal(2, 10000.0)
    base = float(base) if isinstance(base, (int, float)) and not isinstance(base, bool) and base > 1 else 10000.0
    truth = view.truth_tensor("out")
    groups: dict[int, tuple[set[str], list[tuple[int, float, float]]]] = {0: (set(), []), 1: (set(), [])}
    for j in range(d):
        if truth is not None and bool(((pe[:, j] - truth[:, j]).abs() < 1e-4).all()):
            fitted: tuple[str, float, float] | None = ("sin" if j % 2 == 0 else "cos", 2 * (j // 2), 0.0)
        else:
            fitted = _column(pe[:, j], base, d)
        funcs, fits = groups[j % 2]
        if fitted is None:
            funcs.add("?")
            continue
        funcs.add(fitted[0])
        fits.append((j, fitted[1], fitted[2] if fitted[2] else base ** (-fitted[1] / d)))

    def describe(parity: int) -> str:
        funcs, fits = groups[parity]
        known = sorted(funcs - {"?"})
        if not known or ("?" in funcs and len(range(parity, d, 2)) < 4):
            return "?"
        return f"{'/'.join(known)} (exponent {_exponent_formula(fits)})"

    even, odd = describe(0), describe(1)
    if even == "sin (exponent 2i/d)" and odd == "cos (exponent 2i/d)":
        return
    if even == "?" and odd == "?":
        yield Finding("pe_not_sinusoid")
        return
    # the message explains j and ? only where they appear in it
    notes = [n for n, shown in (("j", "j/d" in even + odd), ("unknown", "?" in (even, odd))) if shown]
    yield Finding("pe_columns", {"even": even, "odd": odd, "variant": "_".join(notes) or "plain"})


# --- head layouts: where each element came from ------------------------------------------------------------


def _source_index(out: torch.Tensor, x: torch.Tensor) -> torch.Tensor | None:
    """For each element of ``out``, the flat index of the element of ``x`` with the same value (None when
    ``out`` is not a rearrangement of ``x``'s distinct values)."""
    flat = x.reshape(-1)
    if flat.unique().numel() != flat.numel():
        return None
    order = torch.argsort(flat)
    sorted_vals = flat[order]
    o = out.reshape(-1)
    pos = torch.searchsorted(sorted_vals, o).clamp(max=flat.numel() - 1)
    if not bool((sorted_vals[pos] == o).all()):
        return None
    return order[pos].reshape(out.shape)


def heads_probe(split: bool) -> Callable[[View], Iterator[Finding]]:
    """Where each element of a head layout came from (``split``: splitting, else combining)."""
    return functools.partial(head_layout, split=split)


def head_layout(view: View, *, split: bool) -> Iterator[Finding]:
    out, x = view.tensor("out"), view.inputs.get("x")
    truth = view.truth_tensor("out")
    if out is None or x is None or truth is None or out.shape != truth.shape:
        return
    src = _source_index(out, x.double())
    want = _source_index(truth, x.double())
    if src is None or want is None:
        return
    wrong = (src != want).nonzero()
    if wrong.numel() == 0:
        return
    where = tuple(int(i) for i in wrong[0])
    got_src = [int(i) for i in torch.unravel_index(src[where], x.shape)]
    exp_src = [int(i) for i in torch.unravel_index(want[where], x.shape)]
    yield Finding("head_layout", {"variant": "element", "at": list(where), "got": got_src, "expected": exp_src,
                                  "share": round(100 * wrong.shape[0] / out.numel(), 1)})


# --- modules: what the output of a layer shows (the recomputations are in counterfactuals.py) ----------------


def _state(view: View, prefix: str) -> dict[str, torch.Tensor]:
    p = f"state.{prefix}"
    return {k[len(p):]: v.double() for k, v in view.inputs.items() if k.startswith(p)}


def affine(st: Mapping[str, torch.Tensor], name: str, x: torch.Tensor) -> torch.Tensor:
    """The linear layer ``name`` of the weights ``st`` applied to ``x``, in float64."""
    return x.double() @ st[f"{name}.weight"].double().T + st[f"{name}.bias"].double()


def _post_ln(view: View, last: str, norms: tuple[str, ...]) -> Iterator[Finding]:
    """The layer's output must be ``last``'s output (Post-LN); say whose LayerNorm output it is, if any."""
    out = view.tensor("out")
    if out is None or not out.is_floating_point():
        return
    st = _state(view, "")

    def normalised_by(name: str) -> bool:
        g, b = st.get(f"{name}.weight"), st.get(f"{name}.bias")
        if g is None or b is None or bool((g.abs() < 1e-6).any()):
            return False
        z = (out - b) / g
        return bool((z.mean(-1).abs() < 1e-3).all() and ((z.var(-1, unbiased=False) - 1).abs() < 1e-2).all())

    if normalised_by(last):
        return
    other = next((n for n in norms if n != last and normalised_by(n)), None)
    if other is not None:
        yield Finding("norm_reused", {"got": other, "expected": last})
    else:
        yield Finding("not_post_ln", {"expected": last})


def encoder_norms(view: View) -> Iterator[Finding]:
    """The encoder layer's output is norm2's (Post-LN)."""
    yield from _post_ln(view, "norm2", ("norm1", "norm2"))


def decoder_norms(view: View) -> Iterator[Finding]:
    """The decoder layer's output is norm3's (Post-LN)."""
    yield from _post_ln(view, "norm3", ("norm1", "norm2", "norm3"))


def ffn_activation_sign(view: View) -> Iterator[Finding]:
    """An output that is never negative where the true one is: the activation applied to the output."""
    out, truth = view.tensor("out"), view.truth_tensor("out")
    if out is None or truth is None or not out.is_floating_point():
        return
    if bool((out >= 0).all()) and bool((truth < 0).any()):
        yield Finding("activation_placement", {"variant": "output"})


def mask_inverted(view: View) -> Iterator[Finding]:
    """A boolean mask that is exactly the expected one negated."""
    got, exp = view.tensor("out"), view.truth.get("out")
    if got is None or exp is None or exp.tensor is None or exp.tensor.dtype != torch.bool or got.dtype != torch.bool:
        return
    if got.shape == exp.tensor.shape and got.numel() > 1 and bool((got == ~exp.tensor).all()):
        yield Finding("mask_inverted")


# --- probes for any module: parameters without influence, where dropout acts --------------------------------


def _has_gradient(entry: Entry | None) -> bool:
    return entry is not None and entry.tensor is not None and bool((entry.tensor != 0).any())


def _as_modules(cut: list[str], every: list[str]) -> list[str]:
    """Parameter names as a person reads them: a top-level submodule whose every parameter is cut off as one
    (``cross_attn``), else each layer (``w_o``, ``feed_forward.linear1``)."""
    names: list[str] = []
    for top in dict.fromkeys(p.split(".")[0] for p in cut):
        mine = [p for p in every if p.split(".")[0] == top]
        if all(p in cut for p in mine):
            names.append(top)
        else:
            names += dict.fromkeys(p.rsplit(".", 1)[0] for p in cut if p.split(".")[0] == top)
    return names


def gradient_flow(view: View) -> Iterator[Finding]:
    """Inputs and parameters whose gradient is missing or zero where the reference's is not: the output does not
    depend on them through autograd (a detach, a copy through numpy or .data, a layer skipped)."""
    if view.case.driver != "grad":
        return
    cut = [key.removeprefix("grad.") for key, entry in view.truth.items()
           if key.startswith("grad.") and _has_gradient(entry) and not _has_gradient(view.got.get(key))]
    inputs = [k for k in cut if not k.startswith("param.")]
    if inputs:
        yield Finding("gradient_blocked", {"names": inputs})
    params = [k.removeprefix("param.") for k in cut if k.startswith("param.")]
    if params:
        every = [k.removeprefix("grad.param.") for k in view.truth if k.startswith("grad.param.")]
        yield Finding("unused_parameter", {"names": _as_modules(params, every)})


def dropout_missing(view: View) -> Iterator[Finding]:
    """A train-mode output equal to the eval-mode one although the case asks for dropout (p > 0): dropout is never
    applied in train mode (no nn.Dropout at all, one built with p=0, or one that forward never calls)."""
    if view.case.driver != "dropout":
        return
    t1, ev = view.tensor("train1"), view.tensor("eval")
    truth, truth_eval = view.truth_tensor("train1"), view.truth_tensor("eval")
    if t1 is None or ev is None or t1.shape != ev.shape or not t1.is_floating_point() or not t1.numel():
        return
    if truth is not None and truth_eval is not None and truth.shape == truth_eval.shape and bool((truth == truth_eval).all()):
        return  # the expected output does not change in train mode either: nothing to say
    if bool(((t1 - ev).abs() <= 1e-6 * (1 + ev.abs())).all()):
        yield Finding("dropout_missing")


def dropout_location(expected: str, last: str | None = None) -> Callable[[View], Iterator[Finding]]:
    """A train-mode output with exact zeros where the eval-mode output has none: dropout acts on the output
    itself (after the last layer or the norm), not where ``expected`` (a catalog key) says; with ``last`` (the
    module's final linear layer), zeros that appear once that layer is undone: dropout acts on its input."""
    return functools.partial(dropout_zeros, expected=expected, last=last) if last else \
        functools.partial(dropout_zeros, expected=expected)


def _undo_linear(view: View, name: str, out: torch.Tensor) -> torch.Tensor | None:
    """The input the linear layer ``name`` (the case's weights) was given to produce ``out`` (None without its
    weights, or when it cannot be undone: a weight that is not square and well conditioned)."""
    st = _state(view, "")
    w, b = st.get(f"{name}.weight"), st.get(f"{name}.bias")
    if w is None or b is None or w.shape[0] != w.shape[1] or float(torch.linalg.cond(w)) > 1e6:
        return None
    return torch.linalg.solve(w, (out - b).reshape(-1, w.shape[0]).T).T.reshape(out.shape)


def dropout_zeros(view: View, *, expected: str, last: str | None = None) -> Iterator[Finding]:
    if view.case.driver != "dropout":
        return
    t1, ev = view.tensor("train1"), view.tensor("eval")
    if t1 is None or ev is None or t1.shape != ev.shape or not t1.is_floating_point():
        return
    zeros = (t1 == 0) & (ev != 0)
    share = float(zeros.double().mean())
    if share > 0.1:
        yield Finding("dropout_location", {"variant": expected, "share": round(100 * share, 1)})
        return
    before, before_eval = (_undo_linear(view, last, t) for t in (t1, ev)) if last else (None, None)
    if before is None or before_eval is None:
        return
    zeros = (before.abs() < 1e-5 * (1 + before_eval.abs().max())) & (before_eval.abs() > 1e-3)
    share = float(zeros.double().mean())
    if share > 0.1:
        yield Finding("dropout_before_projection", {"layer": last, "share": round(100 * share, 1)})
