"""The transformer assignment: exercises, seeded cases, properties and points (100 in all).

Visible cases are small and run on every ``grade``; hidden cases (``--hidden``) add 4-D inputs,
Lq != Lk, other head counts, a batch of one and length one, large logits, fully masked rows,
float64, dropout in eval and train mode, gradients and odd sizes that must be refused. Every exercise has a
visible case on another device than the default one (``elsewhere``): without a GPU, a tensor the code makes on
the default device fails there as it would on a GPU (grader.sandbox.elsewhere).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import torch

from grader import dropout
from grader.builtin.transformer import counterfactuals, probes
from grader.builtin.transformer import mistakes as m
from grader.builtin.transformer.messages import MESSAGES
from grader.builtin.transformer.routes import forbidden_routes
from grader.cases import draw, key_padding, no_inputs, other_than, padded_tokens, rand_mask, randn, tril, weights
from grader.dropout import DropoutModel
from grader.spec import (
    ELSEWHERE,
    Assignment,
    Call,
    Case,
    CaseEnv,
    Driver,
    Exercise,
    In,
    Kind,
    Lit,
    OnDevice,
    Property,
    PropertyKind,
)

ROOT = Path(__file__).resolve().parents[3]
SOLUTIONS = ROOT / "solutions" / "transformer"
STUBS = ROOT / "assignments" / "transformer"
QUIZ = STUBS / "quiz.toml"

FORBIDDEN_ROUTES = forbidden_routes()
"""Every route the installed torch offers to attention or a Transformer layer (grader.builtin.transformer.routes),
forbidden in each exercise such a route can do: masked_softmax (the weights of attention with identity values),
scaled_dot_product_attention, causal_mask (nn.Transformer.generate_square_subsequent_mask), MultiHeadAttention
and the layers."""
FORBIDDEN_ATTENTION = FORBIDDEN_LAYERS = FORBIDDEN_ROUTES


# --- call specs -----------------------------------------------------------------------------------

def T(name: str | None) -> In:
    """A tensor input (None passes None)."""
    return In(name)


V = Lit
"""A literal argument."""
DEVICE = OnDevice()


# --- dropout: what a train-mode output reveals ----------------------------------------------------
#
# A train-mode output is checked against the reference's under the same seed first; when the draws
# differ (another RNG order, rand_like masks, a GPU), the check asks whether SOME pattern of dropped
# entries, the kept ones scaled by 1/(1-p), gives exactly the student's output, and whether the share
# of dropped entries fits p. Each function below recovers that pattern from one output. They need the
# output to identify the pattern, which the dropout_train cases are built for: d_ff < d_model for the
# feed-forward, h·Lk < d_model for the attention (a linear solve), and, in the layers, sublayers whose
# output is a constant with a few non-zero entries (their weights are zero), so that the patterns of
# the sublayer dropouts can be enumerated position by position.


def _ffn_prepare(inputs: Any, scale: float) -> dict[str, torch.Tensor]:
    """linear2(q ⊙ relu(linear1(x))): what each hidden unit adds to each output row (needs d_ff <= d_model)."""
    hidden = torch.relu(probes.affine(inputs, "state.linear1", inputs["x"].double()))  # (B, L, d_ff)
    w2 = inputs["state.linear2.weight"].double()  # (d, d_ff)
    flat = hidden.reshape(-1, hidden.shape[-1])
    return {"columns": w2.unsqueeze(0) * flat.unsqueeze(1),  # (N, d, d_ff)
            "bias": inputs["state.linear2.bias"].double()}


ffn_dropout_fit = DropoutModel(_ffn_prepare, dropout.linear)


def mha_dropout_fit(num_heads: int) -> DropoutModel:
    """w_o(combine((q ⊙ A) V)) with A the attention weights: what each head's key adds to each query's output when its
    weight is kept (needs h·Lk <= d)."""

    def prepare(inputs: Any, scale: float) -> dict[str, torch.Tensor]:
        def heads(x: torch.Tensor) -> torch.Tensor:
            b, length, d = x.shape
            return x.reshape(b, length, num_heads, d // num_heads).transpose(1, 2)  # (B, h, L, d_k)

        q = heads(probes.affine(inputs, "state.w_q", inputs["query"].double()))
        k = heads(probes.affine(inputs, "state.w_k", inputs["key"].double()))
        v = heads(probes.affine(inputs, "state.w_v", inputs["value"].double()))
        scores = q @ k.transpose(-2, -1) / q.shape[-1] ** 0.5
        if "mask" in inputs:
            scores = scores.masked_fill(~inputs["mask"], float("-inf"))
        weights = torch.softmax(scores, dim=-1).nan_to_num(0.0)  # (B, h, Lq, Lk)
        w_o = inputs["state.w_o.weight"].double()  # (d, d)
        d, d_k = w_o.shape[0], q.shape[-1]
        # what key j of head h adds to the output when its weight is kept: W_o[:, h] v_hj   (B, h, Lk, d)
        per_key = torch.einsum("dht,bhjt->bhjd", w_o.reshape(d, num_heads, d_k), v)
        b, h, lq, lk = weights.shape
        columns = weights.permute(0, 2, 1, 3).unsqueeze(-1) * per_key.unsqueeze(1)  # (B, Lq, h, Lk, d)
        return {"columns": columns.reshape(b * lq, h * lk, d).transpose(1, 2),  # (N, d, h·Lk)
                "bias": inputs["state.w_o.bias"].double()}

    return DropoutModel(prepare, dropout.linear)


def post_ln_dropout_fit(sites: tuple[tuple[str, str], ...]) -> DropoutModel:
    """x = norm_i(x + dropout(c_i)) for each (constant, norm) site, with constant sublayer outputs c_i: the output
    under every pattern of the constants' non-zero entries (the solve keeps, position by position, the closest)."""

    def prepare(inputs: Any, scale: float) -> dict[str, torch.Tensor]:
        x = inputs["x"].double()
        consts = [inputs[f"state.{c}"].double() for c, _ in sites]
        support = [c.nonzero().flatten() for c in consts]
        bits = sum(len(s) for s in support)
        combos = (torch.arange(2**bits).unsqueeze(1) >> torch.arange(bits)) & 1  # (C, bits): 1 = kept
        z = x.unsqueeze(0).expand(len(combos), *x.shape)  # (C, B, L, d)
        start = 0
        for (_, norm), c, where in zip(sites, consts, support, strict=True):
            mult = torch.zeros(len(combos), c.shape[0], dtype=torch.float64)
            mult[:, where] = combos[:, start:start + len(where)].double() * scale
            start += len(where)
            z = torch.nn.functional.layer_norm(z + (mult * c)[:, None, None, :], c.shape,
                                               inputs[f"state.{norm}.weight"].double(),
                                               inputs[f"state.{norm}.bias"].double(), 1e-5)
        return {"candidates": z.contiguous(), "patterns": combos}

    return DropoutModel(prepare, dropout.enumerated)


def sublayers_constant(state: dict[str, torch.Tensor], env: CaseEnv, linears: tuple[str, ...],
                       nonzero: int) -> dict[str, torch.Tensor]:
    """Zero the weights of the sublayers' last linear layers and give their biases ``nonzero`` entries,
    so that each sublayer outputs a known constant whatever its inner dropout does."""
    for name in linears:
        weight, bias = state[f"state.{name}.weight"], state[f"state.{name}.bias"]
        weight.zero_()
        values = torch.zeros_like(bias)
        where = torch.randperm(bias.shape[0], generator=env.gen)[:nonzero]
        signs = torch.randint(0, 2, (nonzero,), generator=env.gen) * 2 - 1
        values[where] = signs * (0.5 + torch.rand(nonzero, generator=env.gen, dtype=torch.float64)).to(bias.dtype)
        bias.copy_(values)
    return state


ENCODER_SITES_LINEAR = ("self_attn.w_o", "feed_forward.linear2")
DECODER_SITES_LINEAR = ("self_attn.w_o", "cross_attn.w_o", "feed_forward.linear2")
"""The last linear layer of each sublayer, in order; their norms are norm1, norm2 (and norm3)."""


# --- exercises ------------------------------------------------------------------------------------

GRAD = (Property(PropertyKind.GRADIENTS),)
ROWS = Property(PropertyKind.ROWS_SUM_TO_ONE)
ROWS_M = Property(PropertyKind.ROWS_SUM_TO_ONE, mask="mask")
ZERO_M = Property(PropertyKind.MASKED_ZERO, mask="mask")
W_ROWS_M = Property(PropertyKind.ROWS_SUM_TO_ONE, key="out.1", mask="mask")
W_ZERO_M = Property(PropertyKind.MASKED_ZERO, key="out.1", mask="mask")
RAISES = (Property(PropertyKind.RAISES),)


def refuses(*names: str) -> tuple[Property, ...]:
    """A case whose arguments must be refused with a ValueError; ``names`` are the arguments' names, so that the
    report shows them ("expected ValueError (d_model=10, num_heads=3)")."""
    return (Property(PropertyKind.RAISES, name=", ".join(names)),)
DROPOUT = (Property(PropertyKind.DROPOUT_TRAIN, p=0.5),)


def _pe() -> Exercise:
    def call(*a: Any) -> Call:
        return Call(tuple(V(x) for x in a))

    return Exercise(
        id="sinusoidal_positional_encoding", file="positional.py", task=1, points=8, kind=Kind.FUNCTION,
        cases=(
            Case("small", Driver.CALL, no_inputs, call(8, 16), device="cpu",
                 draw_args=other_than(call(8, 16), lambda gen: call(draw(gen, 6, 12), 2 * draw(gen, 5, 10)))),
            Case("base_100", Driver.CALL, no_inputs, call(6, 8, 100.0), device="cpu",
                 draw_args=other_than(call(6, 8, 100.0), lambda gen: call(draw(gen, 4, 9), 2 * draw(gen, 3, 6), 100.0))),
            Case("long", Driver.CALL, no_inputs, call(128, 64), hidden=True, device="cpu"),
            Case("length_one", Driver.CALL, no_inputs, call(1, 6), hidden=True, device="cpu"),
            Case("odd_d_model", Driver.RAISES, no_inputs, call(4, 7), device="cpu", compare=(),
                 draw_args=other_than(call(4, 7), lambda gen: call(draw(gen, 2, 9), 2 * draw(gen, 1, 6) + 1)),
                 properties=refuses("max_len", "d_model")),
        ),
        mistakes=m.PE, probes=(probes.pe_probe,),
    )


def _masked_softmax() -> Exercise:
    def call(mask: bool = True, dim: int = -1) -> Call:
        return Call((T("scores"), T("mask" if mask else None), V(dim)))

    def scores_mask(*shape: int, mask_shape: tuple[int, ...] | None = None, scale: float = 1.0,
                    dtype: torch.dtype = torch.float32, full_rows: bool = False):
        def make(env: CaseEnv) -> dict[str, torch.Tensor]:
            out = {"scores": randn(env, *shape, scale=scale, dtype=dtype)}
            if mask_shape is not None:
                mask = rand_mask(env, *mask_shape)
                if full_rows:
                    mask[..., 1, :] = False
                out["mask"] = mask
            return out
        return make

    return Exercise(
        id="masked_softmax", file="attention.py", task=2, points=10, kind=Kind.FUNCTION,
        forbidden=FORBIDDEN_ROUTES,
        cases=(
            Case("no_mask", Driver.CALL, scores_mask(2, 4, 5), call(mask=False), properties=(ROWS,)),
            Case("padding_mask", Driver.CALL, scores_mask(2, 4, 5, mask_shape=(2, 1, 5)), call(),
                 properties=(ROWS_M, ZERO_M)),
            Case("causal_4d", Driver.CALL, lambda env: {"scores": randn(env, 2, 3, 5, 5), "mask": tril(5)}, call(),
                 hidden=True, properties=(ROWS_M, ZERO_M)),
            Case("dim_1", Driver.CALL, scores_mask(2, 5, 3, mask_shape=(2, 5, 1)), call(dim=1),
                 properties=(Property(PropertyKind.ROWS_SUM_TO_ONE, mask="mask", dim=1), ZERO_M)),
            Case("large_logits", Driver.CALL, scores_mask(2, 4, 6, mask_shape=(2, 4, 6), scale=1e4), call(),
                 properties=(ROWS_M, ZERO_M)),
            Case("fully_masked_rows", Driver.CALL, scores_mask(2, 4, 5, mask_shape=(2, 4, 5), full_rows=True),
                 call(), properties=(ROWS_M, ZERO_M)),
            Case("float64", Driver.CALL, scores_mask(2, 3, 4, mask_shape=(2, 1, 4), dtype=torch.float64), call(),
                 hidden=True, properties=(ROWS_M, ZERO_M)),
            Case("length_one", Driver.CALL, scores_mask(1, 1, 1, mask_shape=(1, 1, 1)), call(), hidden=True),
            Case("gradients", Driver.GRAD, scores_mask(2, 4, 5, mask_shape=(2, 1, 5)),
                 call(), grad_wrt=("scores",), properties=GRAD),
            Case("other_device", Driver.CALL, scores_mask(2, 4, 5, mask_shape=(2, 1, 5)), call(), device=ELSEWHERE, compare=()),
        ),
        mistakes=m.MASKED_SOFTMAX, probes=(probes.masked_softmax_probe, probes.gradient_flow),
    )


def _sdpa() -> Exercise:
    def call(mask: bool = True) -> Call:
        return Call((T("q"), T("k"), T("v"), T("mask" if mask else None)))

    def qkv(lead: tuple[int, ...], lq: int, lk: int, dk: int, dv: int, scale: float = 1.0,
            dtype: torch.dtype = torch.float32, mask: Any = None):
        def make(env: CaseEnv) -> dict[str, torch.Tensor]:
            out = {"q": randn(env, *lead, lq, dk, scale=scale, dtype=dtype),
                   "k": randn(env, *lead, lk, dk, scale=scale, dtype=dtype),
                   "v": randn(env, *lead, lk, dv, dtype=dtype)}
            if mask is not None:
                out["mask"] = mask(env)
            return out
        return make

    def causal_pair(env: CaseEnv) -> dict[str, torch.Tensor]:
        out = qkv((2, 2), 6, 6, 8, 8, mask=lambda e: tril(6))(env)
        for name in ("k", "v"):
            alt = out[name].clone()
            alt[..., 3:, :] = randn(env, *alt[..., 3:, :].shape)
            out[f"{name}_alt"] = alt
        return out

    weights_props = (W_ROWS_M, W_ZERO_M)
    return Exercise(
        id="scaled_dot_product_attention", file="attention.py", task=3, points=10, kind=Kind.FUNCTION,
        depends_on=("masked_softmax",), forbidden=FORBIDDEN_ATTENTION,
        cases=(
            Case("self_3d", Driver.CALL, qkv((2,), 5, 5, 8, 8), call(mask=False),
                 properties=(Property(PropertyKind.ROWS_SUM_TO_ONE, key="out.1"),)),
            Case("causal_4d", Driver.CALL, qkv((2, 2), 5, 5, 8, 8, mask=lambda e: tril(5)), call(),
                 properties=weights_props),
            Case("cross_padding", Driver.CALL, qkv((2, 2), 3, 6, 8, 4, mask=lambda e: key_padding(e, 2, 6)), call(),
                 properties=weights_props),
            Case("d_k_64", Driver.CALL, qkv((2,), 4, 4, 64, 8), call(mask=False), hidden=True),
            Case("length_one", Driver.CALL, qkv((1, 1), 1, 1, 4, 4, mask=lambda e: tril(1)), call(), hidden=True),
            Case("large_logits", Driver.CALL, qkv((2,), 4, 5, 8, 8, scale=60.0, mask=lambda e: rand_mask(e, 2, 4, 5)),
                 call(), properties=weights_props),
            Case("fully_masked_rows", Driver.CALL,
                 qkv((2,), 4, 5, 8, 8, mask=lambda e: rand_mask(e, 2, 4, 5).index_fill_(1, torch.tensor([2]), False)),
                 call(), properties=weights_props),
            Case("float64", Driver.CALL, qkv((2, 2), 3, 4, 8, 8, dtype=torch.float64, mask=lambda e: key_padding(e, 2, 4)),
                 call(), hidden=True, properties=weights_props),
            Case("gradients", Driver.GRAD, qkv((2, 2), 4, 5, 8, 6, mask=lambda e: key_padding(e, 2, 5)),
                 call(), grad_wrt=("q", "k", "v"), properties=GRAD),
            Case("causality", Driver.CAUSAL, causal_pair, call(), swap={"k": "k_alt", "v": "v_alt"},
                 properties=(Property(PropertyKind.CAUSAL, key="out.0", prefix=3),)),
            Case("other_device", Driver.CALL, qkv((2, 2), 3, 5, 8, 8, mask=lambda e: key_padding(e, 2, 5)), call(),
                 device=ELSEWHERE, compare=()),
            Case("other_device_no_mask", Driver.CALL, qkv((2,), 3, 5, 8, 8), call(mask=False), device=ELSEWHERE, compare=()),
        ),
        mistakes=m.SDPA, probes=(probes.sdpa_probe, probes.gradient_flow), outputs={"out.0": "output", "out.1": "weights"},
    )


def _causal_mask() -> Exercise:
    return Exercise(
        id="causal_mask", file="attention.py", task=4, points=5, kind=Kind.FUNCTION,
        forbidden=FORBIDDEN_ROUTES,
        cases=(
            Case("size_4", Driver.CALL, no_inputs, Call((V(4),)), device="cpu",
                 draw_args=other_than(Call((V(4),)), lambda gen: Call((V(draw(gen, 2, 9)),)))),
            Case("size_1", Driver.CALL, no_inputs, Call((V(1),)), device="cpu"),
            Case("size_7", Driver.CALL, no_inputs, Call((V(7),)), hidden=True, device="cpu"),
            Case("on_device", Driver.CALL, no_inputs, Call((V(5), DEVICE)), hidden=True),
            Case("other_device", Driver.CALL, no_inputs, Call((V(5), DEVICE)), device=ELSEWHERE,
                 compare=()),
        ),
        mistakes=m.CAUSAL_MASK, probes=(probes.mask_inverted,),
    )


def _padding_mask() -> Exercise:
    def tokens(batch: int, length: int, pad: int, no_pad: bool = False):
        def make(env: CaseEnv) -> dict[str, torch.Tensor]:
            t = padded_tokens(env, batch, length, pad)
            if no_pad:
                t[t == pad] = pad + 1
            return {"tokens": t}
        return make

    return Exercise(
        id="padding_mask", file="attention.py", task=5, points=5, kind=Kind.FUNCTION,
        cases=(
            Case("pad_zero", Driver.CALL, tokens(3, 6, 0), Call((T("tokens"), V(0)))),
            Case("pad_id_3", Driver.CALL, tokens(2, 5, 3), Call((T("tokens"), V(3))), hidden=True),
            Case("no_padding", Driver.CALL, tokens(2, 4, 1, no_pad=True), Call((T("tokens"), V(1))), hidden=True),
            Case("batch_one", Driver.CALL, tokens(1, 7, 0), Call((T("tokens"), V(0))), hidden=True),
            Case("other_device", Driver.CALL, tokens(2, 5, 0), Call((T("tokens"), V(0))), device=ELSEWHERE, compare=()),
        ),
        mistakes=m.PADDING_MASK, probes=(probes.mask_inverted,),
    )


def _heads(kind: str) -> Exercise:
    split = kind == "split"

    def x(*shape: int, dtype: torch.dtype = torch.float32):
        return lambda env: {"x": randn(env, *shape, dtype=dtype)}

    def case(cid: str, shape: tuple[int, ...], h: int, **kw: Any) -> Case:
        dtype = kw.pop("dtype", torch.float32)
        if split:
            call = Call((T("x"), V(h)))
            shape_in = shape
        else:
            b, length, d = shape
            call = Call((T("x"),))
            shape_in = (b, h, length, d // h)
        if kw.get("driver") == "grad":
            kw.pop("driver")
            return Case(cid, Driver.GRAD, x(*shape_in, dtype=dtype), call, grad_wrt=("x",), properties=GRAD, **kw)
        return Case(cid, Driver.CALL, x(*shape_in, dtype=dtype), call, **kw)

    return Exercise(
        id="split_heads" if split else "combine_heads", file="multihead.py", task=6 if split else 7, points=6,
        kind=Kind.FUNCTION,
        cases=(
            case("two_heads", (2, 5, 8), 2),
            case("four_heads", (3, 4, 16), 4, hidden=True),
            case("one_head", (2, 3, 6), 1, hidden=True),
            case("length_one", (1, 1, 8), 2, hidden=True),
            case("float64", (2, 3, 12), 3, dtype=torch.float64, hidden=True),
            case("gradients", (2, 4, 8), 2, driver="grad"),
            case("other_device", (2, 5, 8), 2, device=ELSEWHERE, compare=()),
        ),
        mistakes=m.SPLIT_HEADS if split else m.COMBINE_HEADS, probes=(probes.heads_probe(split), probes.gradient_flow),
    )


def _mha() -> Exercise:
    def make(b: int, lq: int, lk: int, d: int, h: int, mask: Any = None, dtype: torch.dtype = torch.float32,
             dropout: float = 0.0, self_attn: bool = False):
        def build(env: CaseEnv) -> dict[str, torch.Tensor]:
            out = weights(env, "MultiHeadAttention", d, h, dropout)
            out["query"] = randn(env, b, lq, d, dtype=dtype)
            if self_attn:
                out["key"] = out["value"] = out["query"]
            else:
                out["key"] = randn(env, b, lk, d, dtype=dtype)
                out["value"] = randn(env, b, lk, d, dtype=dtype)
            if mask is not None:
                out["mask"] = mask(env)
            return out
        return build

    def args(d: int, h: int, dropout: float = 0.0, mask: bool = False, **extra: Any) -> dict[str, Any]:
        return {"init": Call((V(d), V(h), V(dropout))),
                "forward": Call((T("query"), T("key"), T("value"), T("mask" if mask else None))), **extra}

    return Exercise(
        id="MultiHeadAttention", file="multihead.py", task=8, points=16, kind=Kind.MODULE,
        depends_on=("split_heads", "combine_heads", "scaled_dot_product_attention", "masked_softmax"),
        forbidden=FORBIDDEN_ATTENTION,
        cases=(
            Case("self_attention", Driver.CALL, make(2, 5, 5, 16, 4, self_attn=True), **args(16, 4)),
            Case("padding_mask", Driver.CALL, make(2, 5, 5, 16, 4, self_attn=True, mask=lambda e: key_padding(e, 2, 5)),
                 **args(16, 4, mask=True)),
            Case("cross_lq_ne_lk", Driver.CALL, make(2, 3, 6, 16, 4, mask=lambda e: key_padding(e, 2, 6)),
                 **args(16, 4, mask=True)),
            Case("causal", Driver.CALL, make(2, 5, 5, 16, 2, self_attn=True, mask=lambda e: tril(5)),
                 **args(16, 2, mask=True), hidden=True),
            Case("one_head", Driver.CALL, make(2, 4, 4, 8, 1), **args(8, 1), hidden=True),
            Case("eight_heads_d64", Driver.CALL, make(2, 4, 5, 64, 8), **args(64, 8), hidden=True),
            Case("length_one", Driver.CALL, make(1, 1, 1, 8, 2), **args(8, 2), hidden=True),
            Case("float64", Driver.CALL, make(2, 3, 4, 16, 4, dtype=torch.float64, mask=lambda e: key_padding(e, 2, 4)),
                 **args(16, 4, mask=True, dtype="float64"), hidden=True),
            Case("dropout_eval", Driver.CALL, make(2, 4, 4, 16, 4, dropout=0.3), **args(16, 4, dropout=0.3)),
            Case("dropout_train", Driver.DROPOUT, make(2, 6, 6, 32, 4, dropout=0.5), **args(32, 4, dropout=0.5),
                 compare=("eval",), properties=DROPOUT, dropout_fit=mha_dropout_fit(4)),
            Case("gradients", Driver.GRAD, make(2, 4, 5, 16, 4, mask=lambda e: key_padding(e, 2, 5)),
                 **args(16, 4, mask=True, grad_wrt=("query", "key", "value")), properties=GRAD),
            Case("indivisible", Driver.RAISES, lambda env: {}, init=Call((V(10), V(3), V(0.0))), forward=Call(),
                 compare=(), properties=refuses("d_model", "num_heads", "dropout")),
            Case("other_device", Driver.CALL, make(2, 3, 4, 16, 4, mask=lambda e: key_padding(e, 2, 4)),
                 **args(16, 4, mask=True), device=ELSEWHERE, compare=()),
            Case("other_device_no_mask", Driver.CALL, make(2, 3, 4, 16, 4), **args(16, 4), device=ELSEWHERE,
                 compare=()),
        ),
        mistakes=m.MHA, probes=(counterfactuals.MHA, probes.gradient_flow,
                                probes.dropout_location("attention_weights", last="w_o"), probes.dropout_missing),
    )


def _ffn() -> Exercise:
    def make(b: int, length: int, d: int, d_ff: int, dropout: float = 0.0, dtype: torch.dtype = torch.float32):
        def build(env: CaseEnv) -> dict[str, torch.Tensor]:
            return {**weights(env, "PositionwiseFeedForward", d, d_ff, dropout), "x": randn(env, b, length, d, dtype=dtype)}
        return build

    def args(d: int, d_ff: int, dropout: float = 0.0, **extra: Any) -> dict[str, Any]:
        return {"init": Call((V(d), V(d_ff), V(dropout))), "forward": Call((T("x"),)), **extra}

    return Exercise(
        id="PositionwiseFeedForward", file="layers.py", task=9, points=8, kind=Kind.MODULE,
        cases=(
            Case("basic", Driver.CALL, make(2, 5, 16, 32), **args(16, 32)),
            Case("wide", Driver.CALL, make(2, 3, 8, 64), **args(8, 64), hidden=True),
            Case("length_one", Driver.CALL, make(1, 1, 8, 16), **args(8, 16), hidden=True),
            Case("float64", Driver.CALL, make(2, 3, 8, 16, dtype=torch.float64), **args(8, 16, dtype="float64"), hidden=True),
            Case("dropout_eval", Driver.CALL, make(2, 4, 8, 16, dropout=0.4), **args(8, 16, 0.4)),
            Case("dropout_train", Driver.DROPOUT, make(2, 6, 32, 16, dropout=0.5), **args(32, 16, 0.5),
                 compare=("eval",), properties=DROPOUT, dropout_fit=ffn_dropout_fit),
            Case("gradients", Driver.GRAD, make(2, 4, 8, 16), **args(8, 16, grad_wrt=("x",)), properties=GRAD),
            Case("other_device", Driver.CALL, make(2, 4, 8, 16), **args(8, 16), device=ELSEWHERE, compare=()),
        ),
        mistakes=m.FFN, probes=(probes.ffn_activation_sign, counterfactuals.FFN, probes.gradient_flow,
                                probes.dropout_location("ffn_hidden"), probes.dropout_missing),
    )


def _encoder() -> Exercise:
    def make(b: int, length: int, d: int, h: int, d_ff: int, dropout: float = 0.0, mask: bool = False,
             dtype: torch.dtype = torch.float32, constant: int = 0):
        def build(env: CaseEnv) -> dict[str, torch.Tensor]:
            state = weights(env, "EncoderLayer", d, h, d_ff, dropout)
            if constant:
                state = sublayers_constant(state, env, ENCODER_SITES_LINEAR, constant)
            out = {**state, "x": randn(env, b, length, d, dtype=dtype)}
            if mask:
                out["mask"] = key_padding(env, b, length)
            return out
        return build

    def args(d: int, h: int, d_ff: int, dropout: float = 0.0, mask: bool = False, **extra: Any) -> dict[str, Any]:
        return {"init": Call((V(d), V(h), V(d_ff), V(dropout))), "forward": Call((T("x"), T("mask" if mask else None))),
                **extra}

    return Exercise(
        id="EncoderLayer", file="layers.py", task=10, points=12, kind=Kind.MODULE,
        depends_on=("MultiHeadAttention", "PositionwiseFeedForward"), forbidden=FORBIDDEN_LAYERS,
        cases=(
            Case("no_mask", Driver.CALL, make(2, 5, 16, 4, 32), **args(16, 4, 32)),
            Case("padding_mask", Driver.CALL, make(2, 5, 16, 4, 32, mask=True), **args(16, 4, 32, mask=True)),
            Case("two_heads", Driver.CALL, make(3, 4, 8, 2, 16, mask=True), **args(8, 2, 16, mask=True), hidden=True),
            Case("length_one", Driver.CALL, make(1, 1, 8, 2, 16), **args(8, 2, 16), hidden=True),
            # visible: a LayerNorm with another eps moves the output by about 1e-6, seen only in float64
            Case("float64", Driver.CALL, make(2, 4, 8, 2, 16, mask=True, dtype=torch.float64),
                 **args(8, 2, 16, mask=True, dtype="float64")),
            Case("dropout_eval", Driver.CALL, make(2, 4, 8, 2, 16, dropout=0.3, mask=True),
                 **args(8, 2, 16, 0.3, mask=True)),
            Case("dropout_train", Driver.DROPOUT, make(2, 6, 8, 2, 16, dropout=0.5, constant=4), **args(8, 2, 16, 0.5),
                 compare=("eval",), properties=DROPOUT,
                 dropout_fit=post_ln_dropout_fit(tuple(zip((f"{n}.bias" for n in ENCODER_SITES_LINEAR),
                                                           ("norm1", "norm2"), strict=True)))),
            Case("gradients", Driver.GRAD, make(2, 4, 8, 2, 16, mask=True), **args(8, 2, 16, mask=True, grad_wrt=("x",)),
                 properties=GRAD),
            Case("other_device", Driver.CALL, make(2, 4, 8, 2, 16, mask=True), **args(8, 2, 16, mask=True),
                 device=ELSEWHERE, compare=()),
        ),
        mistakes=m.ENCODER, probes=(probes.encoder_norms, counterfactuals.ENCODER, probes.gradient_flow,
                                    probes.dropout_location("sublayer"), probes.dropout_missing),
    )


def _decoder() -> Exercise:
    def make(b: int, length: int, lm: int, d: int, h: int, d_ff: int, dropout: float = 0.0,
             memory_mask: bool = False, dtype: torch.dtype = torch.float32, perturb: int | None = None,
             constant: int = 0):
        def build(env: CaseEnv) -> dict[str, torch.Tensor]:
            state = weights(env, "DecoderLayer", d, h, d_ff, dropout)
            if constant:
                state = sublayers_constant(state, env, DECODER_SITES_LINEAR, constant)
            out = {**state, "x": randn(env, b, length, d, dtype=dtype),
                   "memory": randn(env, b, lm, d, dtype=dtype), "tgt_mask": tril(length)}
            if memory_mask:
                out["memory_mask"] = key_padding(env, b, lm)
            if perturb is not None:
                alt = out["x"].clone()
                alt[:, perturb:, :] = randn(env, b, length - perturb, d, dtype=dtype)
                out["x_alt"] = alt
            return out
        return build

    def args(d: int, h: int, d_ff: int, dropout: float = 0.0, memory_mask: bool = False, **extra: Any):
        return {"init": Call((V(d), V(h), V(d_ff), V(dropout))),
                "forward": Call((T("x"), T("memory"), T("tgt_mask"), T("memory_mask" if memory_mask else None))), **extra}

    return Exercise(
        id="DecoderLayer", file="layers.py", task=11, points=14, kind=Kind.MODULE,
        depends_on=("MultiHeadAttention", "PositionwiseFeedForward"), forbidden=FORBIDDEN_LAYERS,
        cases=(
            Case("causal", Driver.CALL, make(2, 4, 6, 16, 4, 32), **args(16, 4, 32)),
            Case("memory_padding", Driver.CALL, make(2, 4, 6, 16, 4, 32, memory_mask=True), **args(16, 4, 32, memory_mask=True)),
            Case("same_length", Driver.CALL, make(2, 5, 5, 16, 4, 32, memory_mask=True),
                 **args(16, 4, 32, memory_mask=True), hidden=True),
            Case("length_one", Driver.CALL, make(1, 1, 1, 8, 2, 16), **args(8, 2, 16), hidden=True),
            Case("float64", Driver.CALL, make(2, 3, 4, 8, 2, 16, memory_mask=True, dtype=torch.float64),
                 **args(8, 2, 16, memory_mask=True, dtype="float64")),  # visible, as the encoder's
            Case("dropout_eval", Driver.CALL, make(2, 3, 4, 8, 2, 16, dropout=0.3), **args(8, 2, 16, 0.3)),
            Case("dropout_train", Driver.DROPOUT, make(2, 6, 6, 8, 2, 16, dropout=0.5, constant=3), **args(8, 2, 16, 0.5),
                 compare=("eval",), properties=DROPOUT,
                 dropout_fit=post_ln_dropout_fit(tuple(zip((f"{n}.bias" for n in DECODER_SITES_LINEAR),
                                                           ("norm1", "norm2", "norm3"), strict=True)))),
            Case("gradients", Driver.GRAD, make(2, 4, 5, 8, 2, 16, memory_mask=True),
                 **args(8, 2, 16, memory_mask=True, grad_wrt=("x", "memory")), properties=GRAD),
            Case("causality", Driver.CAUSAL, make(2, 6, 4, 16, 4, 32, perturb=3), **args(16, 4, 32, swap={"x": "x_alt"}),
                 properties=(Property(PropertyKind.CAUSAL, prefix=3),)),
            Case("other_device", Driver.CALL, make(2, 3, 4, 8, 2, 16, memory_mask=True), **args(8, 2, 16, memory_mask=True),
                 device=ELSEWHERE, compare=()),
        ),
        mistakes=m.DECODER, probes=(probes.decoder_norms, counterfactuals.DECODER, probes.gradient_flow,
                                    probes.dropout_location("sublayer"), probes.dropout_missing),
    )


ASSIGNMENT = Assignment(
    name="transformer",
    title="Attention and the Transformer",
    exercises=(
        _pe(), _masked_softmax(), _sdpa(), _causal_mask(), _padding_mask(), _heads("split"), _heads("combine"),
        _mha(), _ffn(), _encoder(), _decoder(),
    ),
    solutions=SOLUTIONS,
    files=("positional.py", "attention.py", "multihead.py", "layers.py"),
    quiz=QUIZ,
    stubs=STUBS,
    messages=MESSAGES,
    package=Path(__file__).resolve().parent,
)
