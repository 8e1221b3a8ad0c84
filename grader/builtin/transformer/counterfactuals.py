"""Counterfactual probes of the transformer assignment: the layer recomputed in float64 from the case's weights with
one thing changed (the mask left out, two roles swapped, another scale, a projection used twice, a head layout, a
sublayer skipped), and the change reported whose output the student's equals exactly.

This module computes like the reference (a whole multi-head attention, encoder and decoder layer), so it never
ships in a student bundle: each probe here is a :class:`grader.diagnose.Counterfactual`, whose candidates depend on
the case alone, and a bundle ships them computed for its visible cases (grader.fixtures).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Mapping
from typing import Any

import torch

from grader.builtin.transformer.probes import SCALES, _state, affine
from grader.diagnose import Candidates, Counterfactual, Finding, View, number


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


def _ln(st: Mapping[str, torch.Tensor], name: str, x: torch.Tensor, norm: str = "1e-05") -> torch.Tensor:
    """The LayerNorm ``name`` of the weights ``st``; ``norm`` says how: an eps ("1e-05", the contract's), or
    "std" ((x - mean) / (std + 1e-6) with the unbiased std, as in the Annotated Transformer)."""
    g, b = st[f"{name}.weight"], st[f"{name}.bias"]
    if norm == "std":
        centred = x - x.mean(-1, keepdim=True)
        return g * centred / (x.std(-1, keepdim=True) + 1e-6) + b
    return torch.nn.functional.layer_norm(x, x.shape[-1:], g, b, float(norm))


NORMS = ("1e-06", "std")
"""The LayerNorms students write instead of nn.LayerNorm(d_model) (eps=1e-5): a smaller eps (1e-6 as in many
tutorials; 1e-12 as in BERT gives outputs within ten tolerances of 1e-6's even in float64, so one candidate stands
for both and the message names neither value), or the std with eps outside the square root."""


def _norm_finding(norm: str) -> Finding:
    return Finding("layer_norm_variant", {"variant": "std" if norm == "std" else "eps"})


def _ffn(st: Mapping[str, torch.Tensor], x: torch.Tensor, prefix: str = "") -> torch.Tensor:
    return affine(st, f"{prefix}linear2", torch.relu(affine(st, f"{prefix}linear1", x)))


def _heads_of(view: View) -> int | None:
    """The module's num_heads: its second constructor argument."""
    h = view.literal(1, None, where="init")
    return h if isinstance(h, int) and not isinstance(h, bool) and h > 0 else None


def _mha(view: View) -> Candidates:
    h = _heads_of(view)
    if h is None or view.case.driver not in ("call", "grad"):
        return []
    st = _state(view, "")
    x = {n: view.inputs[n].double() for n in ("query", "key", "value") if n in view.inputs}
    if len(x) != 3:
        return []
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
    return candidates


def _encoder(view: View) -> Candidates:
    h = _heads_of(view)
    if h is None or view.case.driver not in ("call", "grad") or "x" not in view.inputs:
        return []
    st, x = _state(view, ""), view.inputs["x"].double()
    mask = view.inputs.get("mask")
    sa = {k.removeprefix("self_attn."): v for k, v in st.items() if k.startswith("self_attn.")}

    def layer(m: torch.Tensor | None = mask, ffn: bool = True, norm: str = "1e-05") -> Callable[[], torch.Tensor]:
        def f() -> torch.Tensor:
            y = _ln(st, "norm1", x + mha(sa, x, x, x, m, h), norm)
            return _ln(st, "norm2", y + (_ffn(st, y, "feed_forward.") if ffn else 0), norm)
        return f

    candidates = [(Finding("unused_parameter", {"names": ["feed_forward"]}), layer(ffn=False))]
    candidates += [(_norm_finding(n), layer(norm=n)) for n in NORMS]
    if mask is not None:
        candidates.insert(0, (Finding("mask_ignored"), layer(m=None)))
    return candidates


def _decoder(view: View) -> Candidates:
    h = _heads_of(view)
    if h is None or view.case.driver not in ("call", "grad") or "x" not in view.inputs or "memory" not in view.inputs:
        return []
    st, x, mem = _state(view, ""), view.inputs["x"].double(), view.inputs["memory"].double()
    masks = {"tgt_mask": view.inputs.get("tgt_mask"), "memory_mask": view.inputs.get("memory_mask"), "None": None}
    sub = {p: {k.removeprefix(p + "."): v for k, v in st.items() if k.startswith(p + ".")} for p in ("self_attn", "cross_attn")}

    def layer(self_mask: str = "tgt_mask", cross_mask: str = "memory_mask", cross: str = "cross_attn",
              cross_roles: str = "normal", residual: str = "x", norm: str = "1e-05") -> Callable[[], torch.Tensor]:
        def f() -> torch.Tensor:
            y = _ln(st, "norm1", x + mha(sub["self_attn"], x, x, x, masks[self_mask], h), norm)
            q, kv = (mem, y) if cross_roles == "swapped" else (y, mem)
            y = _ln(st, "norm2", (mem if residual == "memory" else y) + mha(sub[cross], q, kv, kv, masks[cross_mask], h),
                    norm)
            return _ln(st, "norm3", y + _ffn(st, y, "feed_forward."), norm)
        return f

    candidates = []
    for s_mask, c_mask in itertools.product(masks, masks):  # the same names on every case (a mask a case lacks
        if (s_mask, c_mask) != ("tgt_mask", "memory_mask"):    # is None there): diagnose weighs them by name
            candidates.append((Finding("decoder_masks", {"self": s_mask, "cross": c_mask}),
                               layer(self_mask=s_mask, cross_mask=c_mask)))
    candidates.append((Finding("unused_parameter", {"names": ["cross_attn"]}), layer(cross="self_attn")))
    candidates.append((Finding("qkv_roles", {"variant": "cross"}),
                       layer(cross_roles="swapped")))
    candidates.append((Finding("residual_source"), layer(residual="memory")))
    candidates += [(_norm_finding(n), layer(norm=n)) for n in NORMS]
    return candidates


def _ffn_candidates(view: View) -> Candidates:
    if view.case.driver not in ("call", "grad") or "x" not in view.inputs:
        return []
    st, x = _state(view, ""), view.inputs["x"].double()

    def through(act: Callable[[torch.Tensor], torch.Tensor]) -> Callable[[], torch.Tensor]:
        return lambda: affine(st, "linear2", act(affine(st, "linear1", x)))

    functional = torch.nn.functional
    return [(Finding("activation_placement", {"variant": "none"}), through(lambda t: t)),
            *((Finding("activation_placement", {"variant": "other", "name": name}), through(act)) for name, act in (
                ("GELU", functional.gelu), ("GELU (tanh)", lambda t: functional.gelu(t, approximate="tanh")),
                ("SiLU", functional.silu), ("LeakyReLU", functional.leaky_relu), ("tanh", torch.tanh),
                ("sigmoid", torch.sigmoid)))]


MHA = Counterfactual(_mha)
"""Multi-head attention: another scale, the mask left out or inverted, roles or projections swapped, one projection
used twice, another head layout, no output projection."""
ENCODER = Counterfactual(_encoder)
"""The encoder layer: the mask not passed on, the feed-forward sublayer skipped, another LayerNorm."""
DECODER = Counterfactual(_decoder)
"""The decoder layer: each sublayer's mask, the cross-attention's roles and module, the residual's source, another
LayerNorm."""
FFN = Counterfactual(_ffn_candidates)
"""The feed-forward sublayer: no activation at all, or another activation than the ReLU."""
