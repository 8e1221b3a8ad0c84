"""Probes of the transformer assignment: what kind of error a failed case shows, whatever code produced it.

Each probe takes a :class:`grader.diagnose.View` of one failed case and yields findings (``diagnosis.<id>`` in
the catalogs). Invariant probes read the student's outputs alone (which axis sums to one, weight on masked
positions, each positional-encoding column's function and frequency, where each element of a head layout came
from, a LayerNorm's signature, exact zeros from dropout, parameters without gradient). Counterfactual probes
recompute the layer in float64 from the case's weights with one thing changed (the mask left out, two roles
swapped, another scale) and report the change that reproduces the student's output exactly.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

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
    yield Finding("pe_columns", {"even": even, "odd": odd})


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
    def probe(view: View) -> Iterator[Finding]:
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
    return probe


# --- modules: a float64 recomputation with one thing changed ------------------------------------------------


def _state(view: View, prefix: str) -> dict[str, torch.Tensor]:
    p = f"state.{prefix}"
    return {k[len(p):]: v.double() for k, v in view.inputs.items() if k.startswith(p)}


def affine(st: Mapping[str, torch.Tensor], name: str, x: torch.Tensor) -> torch.Tensor:
    """The linear layer ``name`` of the weights ``st`` applied to ``x``, in float64."""
    return x.double() @ st[f"{name}.weight"].double().T + st[f"{name}.bias"].double()


def mha(st: Mapping[str, torch.Tensor], query: torch.Tensor, key: torch.Tensor, value: torch.Tensor,
        mask: torch.Tensor | None, h: int, *, scale: float | None = None, proj: tuple[str, str, str] = ("w_q", "w_k", "w_v"),
        layout: str = "contiguous", concat: str = "sequence", w_o: bool = True) -> torch.Tensor:
    """Multi-head attention in float64 from the weights ``st``, with knobs for the ways it goes wrong."""
    b, lq, d = query.shape
    dk = d // h

    def split(t: torch.Tensor) -> torch.Tensor:
        if layout == "interleaved":  # each head takes every h-th feature
            return t.reshape(t.shape[0], t.shape[1], dk, h).permute(0, 3, 1, 2)
        return t.reshape(t.shape[0], t.shape[1], h, dk).transpose(1, 2)

    q, k, v = (split(affine(st, name, t)) for name, t in zip(proj, (query, key, value), strict=True))
    scores = q @ k.transpose(-2, -1) / (math.sqrt(dk) if scale is None else scale)
    if mask is not None:
        scores = scores.masked_fill(~mask.bool(), float("-inf"))
    weights = torch.softmax(scores, dim=-1).nan_to_num(0.0)
    heads = weights @ v  # (B, h, Lq, dk)
    if concat == "no_transpose":
        out = heads.reshape(b, lq, d)
    elif concat == "head_major":
        out = heads.permute(0, 2, 3, 1).reshape(b, lq, d)
    else:
        out = heads.transpose(1, 2).reshape(b, lq, d)
    return affine(st, "w_o", out) if w_o else out


def _ln(st: Mapping[str, torch.Tensor], name: str, x: torch.Tensor) -> torch.Tensor:
    return torch.nn.functional.layer_norm(x, x.shape[-1:], st[f"{name}.weight"], st[f"{name}.bias"], 1e-5)


def _ffn(st: Mapping[str, torch.Tensor], x: torch.Tensor, prefix: str = "") -> torch.Tensor:
    return affine(st, f"{prefix}linear2", torch.relu(affine(st, f"{prefix}linear1", x)))


def _heads_of(view: View) -> int | None:
    """The module's num_heads: its second constructor argument."""
    h = view.literal(1, None, where="init")
    return h if isinstance(h, int) and not isinstance(h, bool) and h > 0 else None


def _first_match(view: View, candidates: Iterable[tuple[Finding, Callable[[], torch.Tensor]]]) -> Iterator[Finding]:
    for finding, make in candidates:
        try:
            out = make()
        except Exception:  # noqa: BLE001 - a change that does not fit this case's shapes reproduces nothing
            continue
        if view.close("out", out):
            yield finding
            return


def mha_probe(view: View) -> Iterator[Finding]:
    h = _heads_of(view)
    if h is None or view.case.driver not in ("call", "grad"):
        return
    st = _state(view, "")
    x = {n: view.inputs[n].double() for n in ("query", "key", "value") if n in view.inputs}
    if len(x) != 3:
        return
    mask = view.inputs.get("mask")
    d = x["query"].shape[-1]
    dk = d // h

    def run(**kw: Any) -> Callable[[], torch.Tensor]:
        inputs = kw.pop("inputs", (x["query"], x["key"], x["value"]))
        m = kw.pop("mask", mask)
        q_in, k_in, v_in = inputs
        return lambda: mha(st, q_in, k_in, v_in, m, h, **kw)

    candidates: list[tuple[Finding, Callable[[], torch.Tensor]]] = []
    for name, f in SCALES:
        if name != "√d_k" and abs(f(dk, d) - math.sqrt(dk)) > 1e-9:
            candidates.append((Finding("scale_factor", {"got": number(f(dk, d)), "name": name,
                                                       "expected": number(math.sqrt(dk))}), run(scale=f(dk, d))))
    if mask is not None:
        candidates.append((Finding("mask_ignored"), run(mask=None)))
        candidates.append((Finding("mask_inverted"), run(mask=~mask.bool())))
    roles = ("query", "key", "value")
    for perm in itertools.permutations(range(3)):
        if perm == (0, 1, 2):
            continue
        swapped = [roles[i] for i in range(3) if perm[i] != i]
        candidates.append((Finding("qkv_roles", {"variant": "inputs", "swapped": swapped}),
                           run(inputs=tuple(x[roles[i]] for i in perm))))
        candidates.append((Finding("qkv_roles", {"variant": "projections", "swapped": swapped}),
                           run(proj=tuple(("w_q", "w_k", "w_v")[i] for i in perm))))
    for proj in itertools.product(("w_q", "w_k", "w_v"), repeat=3):
        if len(set(proj)) == 2:  # one projection used twice, another never
            unused = sorted({"w_q", "w_k", "w_v"} - set(proj))
            candidates.append((Finding("unused_parameter", {"names": unused}), run(proj=proj)))
    candidates.append((Finding("head_layout", {"variant": "mha_split"}), run(layout="interleaved")))
    candidates.append((Finding("head_layout", {"variant": "mha_concat"}), run(concat="no_transpose")))
    candidates.append((Finding("head_layout", {"variant": "mha_concat_order"}), run(concat="head_major")))
    candidates.append((Finding("unused_parameter", {"names": ["w_o"]}), run(w_o=False)))
    yield from _first_match(view, candidates)


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


def encoder_probe(view: View) -> Iterator[Finding]:
    yield from _post_ln(view, "norm2", ("norm1", "norm2"))
    h = _heads_of(view)
    if h is None or view.case.driver not in ("call", "grad") or "x" not in view.inputs:
        return
    st, x = _state(view, ""), view.inputs["x"].double()
    mask = view.inputs.get("mask")
    sa = {k.removeprefix("self_attn."): v for k, v in st.items() if k.startswith("self_attn.")}

    def layer(m: torch.Tensor | None = mask, ffn: bool = True) -> Callable[[], torch.Tensor]:
        def f() -> torch.Tensor:
            y = _ln(st, "norm1", x + mha(sa, x, x, x, m, h))
            return _ln(st, "norm2", y + (_ffn(st, y, "feed_forward.") if ffn else 0))
        return f

    candidates = [(Finding("unused_parameter", {"names": ["feed_forward"]}), layer(ffn=False))]
    if mask is not None:
        candidates.insert(0, (Finding("mask_ignored"), layer(m=None)))
    yield from _first_match(view, candidates)


def decoder_probe(view: View) -> Iterator[Finding]:
    yield from _post_ln(view, "norm3", ("norm1", "norm2", "norm3"))
    h = _heads_of(view)
    if h is None or view.case.driver not in ("call", "grad") or "x" not in view.inputs or "memory" not in view.inputs:
        return
    st, x, mem = _state(view, ""), view.inputs["x"].double(), view.inputs["memory"].double()
    masks = {"tgt_mask": view.inputs.get("tgt_mask"), "memory_mask": view.inputs.get("memory_mask"), "None": None}
    sub = {p: {k.removeprefix(p + "."): v for k, v in st.items() if k.startswith(p + ".")} for p in ("self_attn", "cross_attn")}

    def layer(self_mask: str = "tgt_mask", cross_mask: str = "memory_mask", cross: str = "cross_attn",
              cross_roles: str = "normal", residual: str = "x") -> Callable[[], torch.Tensor]:
        def f() -> torch.Tensor:
            y = _ln(st, "norm1", x + mha(sub["self_attn"], x, x, x, masks[self_mask], h))
            q, kv = (mem, y) if cross_roles == "swapped" else (y, mem)
            y = _ln(st, "norm2", (mem if residual == "memory" else y) + mha(sub[cross], q, kv, kv, masks[cross_mask], h))
            return _ln(st, "norm3", y + _ffn(st, y, "feed_forward."))
        return f

    candidates = []
    for s_mask, c_mask in itertools.product(masks, masks):
        if (s_mask, c_mask) != ("tgt_mask", "memory_mask") and not (
                masks[s_mask] is None and masks[c_mask] is None and s_mask != c_mask):
            candidates.append((Finding("decoder_masks", {"self": s_mask, "cross": c_mask}),
                               layer(self_mask=s_mask, cross_mask=c_mask)))
    candidates.append((Finding("unused_parameter", {"names": ["cross_attn"]}), layer(cross="self_attn")))
    candidates.append((Finding("qkv_roles", {"variant": "cross"}),
                       layer(cross_roles="swapped")))
    candidates.append((Finding("residual_source"), layer(residual="memory")))
    yield from _first_match(view, candidates)


def ffn_probe(view: View) -> Iterator[Finding]:
    out, truth = view.tensor("out"), view.truth_tensor("out")
    if out is None or truth is None or not out.is_floating_point():
        return
    if bool((out >= 0).all()) and bool((truth < 0).any()):
        yield Finding("activation_placement", {"variant": "output"})
        return
    if view.case.driver in ("call", "grad") and "x" in view.inputs:
        st, x = _state(view, ""), view.inputs["x"].double()
        yield from _first_match(view, [
            (Finding("activation_placement", {"variant": "none"}), lambda: affine(st, "linear2", affine(st, "linear1", x))),
        ])


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


def dropout_location(expected: str) -> Callable[[View], Iterator[Finding]]:
    """A train-mode output with exact zeros where the eval-mode output has none: dropout acts on the output
    itself (after the last layer or the norm), not where ``expected`` (a catalog key) says."""

    def probe(view: View) -> Iterator[Finding]:
        if view.case.driver != "dropout":
            return
        t1, ev = view.tensor("train1"), view.tensor("eval")
        if t1 is None or ev is None or t1.shape != ev.shape or not t1.is_floating_point():
            return
        zeros = (t1 == 0) & (ev != 0)
        share = float(zeros.double().mean())
        if share > 0.1:
            yield Finding("dropout_location", {"variant": expected, "share": round(100 * share, 1)})
    return probe
