"""The seq2seq assignment: exercises, seeded cases, properties and points (100 in all).

Attention as the course first meets it, before the Transformer: Luong's dot and general scores and Bahdanau's
additive score, attention weights over the encoder's states with a source padding mask, the context vector, one
attentional decoder step (a GRUCell and Luong's attentional state tanh(W_c [c; h])) and teacher-forced decoding.
Modules are graded with the reference's seeded weights copied in. Every exercise has a visible case on another
device than the default one (``elsewhere``), so a tensor made without ``device=`` fails there as on a GPU.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import torch

from grader.builtin.seq2seq import counterfactuals as cf
from grader.builtin.seq2seq import mistakes as m
from grader.builtin.seq2seq import probes
from grader.builtin.seq2seq.messages import MESSAGES
from grader.cases import randn, weights
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
    Property,
    PropertyKind,
)

ROOT = Path(__file__).resolve().parents[3]
SOLUTIONS = ROOT / "solutions" / "seq2seq"
STUBS = ROOT / "assignments" / "seq2seq"

GRAD = (Property(PropertyKind.GRADIENTS),)


def source_mask(env: CaseEnv, batch: int, length: int) -> torch.Tensor:
    """(B, S) bool, True on real tokens: the first sequence full, the others of length 1 to S (at least one shorter)."""
    lengths = torch.randint(1, length + 1, (batch,), generator=env.gen)
    lengths[0] = length
    if batch > 1 and length > 1:
        lengths[1] = min(int(lengths[1]), length - 1)
    return torch.arange(length) < lengths[:, None]


# --- score modules ------------------------------------------------------------------------------------


def _score(cls: str, task: int, points: int, sizes: dict[str, tuple[int, ...]], mistakes: Any, probe: Any) -> Exercise:
    """A score module's cases: ``sizes`` maps a case id to (B, S, d_dec, d_enc, *init)."""
    def make(b: int, s: int, d_dec: int, d_enc: int, *init: int, dtype: torch.dtype = torch.float32, scale: float = 1.0):
        def build(env: CaseEnv) -> dict[str, torch.Tensor]:
            return {**weights(env, cls, *init), "h": randn(env, b, d_dec, dtype=dtype, scale=scale),
                    "s": randn(env, b, s, d_enc, dtype=dtype, scale=scale)}
        return build

    def args(*init: int, **extra: Any) -> dict[str, Any]:
        return {"init": Call(tuple(Lit(i) for i in init)), "forward": Call((In("h"), In("s"))), **extra}

    cases = []
    for cid, (b, s, d_dec, d_enc, *init) in sizes.items():
        hidden = cid.startswith("hidden_")
        cases.append(Case(cid.removeprefix("hidden_"), Driver.CALL, make(b, s, d_dec, d_enc, *init), **args(*init),
                          hidden=hidden))
    b, s, d_dec, d_enc, *init = sizes["basic"]
    cases += [
        Case("float64", Driver.CALL, make(2, 3, d_dec, d_enc, *init, dtype=torch.float64),
             **args(*init, dtype="float64"), hidden=True),
        Case("gradients", Driver.GRAD, make(b, s, d_dec, d_enc, *init), **args(*init, grad_wrt=("h", "s")),
             properties=GRAD),
        Case("other_device", Driver.CALL, make(b, s, d_dec, d_enc, *init), **args(*init), device=ELSEWHERE, compare=()),
    ]
    return Exercise(id=cls, file="scores.py", task=task, points=points, kind=Kind.MODULE, cases=tuple(cases),
                    mistakes=mistakes, probes=probe)


def _dot() -> Exercise:
    return _score("DotScore", 1, 6, {"basic": (2, 5, 8, 8), "hidden_length_one": (3, 1, 4, 4),
                                     "hidden_wide": (2, 7, 32, 32)}, m.DOT, ())


def _general() -> Exercise:
    return _score("GeneralScore", 2, 10, {"basic": (2, 5, 6, 8, 8, 6), "square": (3, 4, 8, 8, 8, 8),
                                          "hidden_length_one": (2, 1, 4, 6, 6, 4)}, m.GENERAL, ())


def _additive() -> Exercise:
    return _score("AdditiveScore", 3, 14, {"basic": (2, 5, 6, 8, 8, 6, 10), "same_sizes": (3, 4, 8, 8, 8, 8, 8),
                                           "hidden_large": (2, 6, 8, 8, 8, 8, 16)}, m.ADDITIVE, (cf.ADDITIVE,))


# --- weights and context --------------------------------------------------------------------------------

WEIGHT_PROPS = (Property(PropertyKind.ROWS_SUM_TO_ONE, mask="src_mask"),
                Property(PropertyKind.MASKED_ZERO, mask="src_mask"))


def scores_mask(b: int, s: int, scale: float = 1.0, dtype: torch.dtype = torch.float32, full: bool = False) -> Any:
    def make(env: CaseEnv) -> dict[str, torch.Tensor]:
        mask = torch.ones(b, s, dtype=torch.bool) if full else source_mask(env, b, s)
        return {"scores": randn(env, b, s, scale=scale, dtype=dtype), "src_mask": mask}
    return make


def _weights() -> Exercise:
    call = Call((In("scores"), In("src_mask")))
    return Exercise(
        id="attention_weights", file="attention.py", task=4, points=14, kind=Kind.FUNCTION,
        cases=(
            Case("padding", Driver.CALL, scores_mask(3, 6), call, properties=WEIGHT_PROPS),
            Case("no_padding", Driver.CALL, scores_mask(2, 5, full=True), call, properties=WEIGHT_PROPS),
            Case("large_scores", Driver.CALL, scores_mask(3, 5, scale=1e5), call, properties=WEIGHT_PROPS),
            Case("length_one", Driver.CALL, scores_mask(2, 1), call, hidden=True, properties=WEIGHT_PROPS),
            Case("float64", Driver.CALL, scores_mask(4, 7, dtype=torch.float64), call, hidden=True,
                 properties=WEIGHT_PROPS),
            Case("gradients", Driver.GRAD, scores_mask(3, 6), call, grad_wrt=("scores",), properties=GRAD),
            Case("other_device", Driver.CALL, scores_mask(3, 6), call, device=ELSEWHERE, compare=()),
        ),
        mistakes=m.WEIGHTS, probes=(probes.weights_probe,),
    )


def weights_states(b: int, s: int, d: int, dtype: torch.dtype = torch.float32) -> Any:
    def make(env: CaseEnv) -> dict[str, torch.Tensor]:
        mask = source_mask(env, b, s)
        w = torch.softmax(randn(env, b, s, dtype=dtype).masked_fill(~mask, float("-inf")), dim=-1)
        return {"weights": w, "encoder_states": randn(env, b, s, d, dtype=dtype)}
    return make


def _context() -> Exercise:
    call = Call((In("weights"), In("encoder_states")))
    return Exercise(
        id="context_vector", file="attention.py", task=5, points=10, kind=Kind.FUNCTION,
        cases=(
            Case("batch", Driver.CALL, weights_states(3, 5, 8), call),
            Case("length_one", Driver.CALL, weights_states(2, 1, 4), call),
            Case("long", Driver.CALL, weights_states(2, 12, 6), call, hidden=True),
            Case("float64", Driver.CALL, weights_states(2, 4, 8, torch.float64), call, hidden=True),
            Case("gradients", Driver.GRAD, weights_states(2, 5, 4), call, grad_wrt=("weights", "encoder_states"),
                 properties=GRAD),
            Case("other_device", Driver.CALL, weights_states(3, 5, 8), call, device=ELSEWHERE, compare=()),
        ),
        mistakes=m.CONTEXT,
    )


# --- the decoder --------------------------------------------------------------------------------------------

STEP_PROPS = (Property(PropertyKind.ROWS_SUM_TO_ONE, key="out.2", mask="src_mask"),
              Property(PropertyKind.MASKED_ZERO, key="out.2", mask="src_mask"))


def decoder_inputs(cls: str, *sizes: int, steps: int | None = None, dtype: torch.dtype = torch.float32,
                   full: bool = False) -> Any:
    """The module's seeded weights, the previous tokens (B,) or the teacher's inputs (B, T), a state, the encoder's
    states and a source mask; ``src_mask_steps`` (B, 1, S) is the mask as the stacked weights (B, T, S) see it."""
    b, s, vocab, emb, hid, enc = sizes  # (B, S) and the constructor's (vocab_size, emb_dim, hidden_dim, enc_dim)

    def make(env: CaseEnv) -> dict[str, torch.Tensor]:
        mask = torch.ones(b, s, dtype=torch.bool) if full else source_mask(env, b, s)
        shape = (b,) if steps is None else (b, steps)
        return {**weights(env, cls, vocab, emb, hid, enc),
                "tokens": torch.randint(0, vocab, shape, generator=env.gen),
                "hidden": randn(env, b, hid, dtype=dtype), "encoder_states": randn(env, b, s, enc, dtype=dtype),
                "src_mask": mask, "src_mask_steps": mask[:, None, :]}
    return make


def _step() -> Exercise:
    def args(*init: int, mask: bool = True, **extra: Any) -> dict[str, Any]:
        return {"init": Call(tuple(Lit(i) for i in init)),
                "forward": Call((In("tokens"), In("hidden"), In("encoder_states"), In("src_mask" if mask else None))),
                **extra}

    def make(*sizes: int, **kw: Any) -> Any:
        return decoder_inputs("AttentionDecoderStep", *sizes, **kw)

    return Exercise(
        id="AttentionDecoderStep", file="decoder.py", task=6, points=26, kind=Kind.MODULE,
        depends_on=("GeneralScore", "attention_weights", "context_vector"),
        cases=(
            Case("padding", Driver.CALL, make(3, 6, 11, 5, 8, 6), **args(11, 5, 8, 6), properties=STEP_PROPS),
            Case("no_mask", Driver.CALL, make(2, 4, 9, 4, 6, 6, full=True), **args(9, 4, 6, 6, mask=False)),
            Case("square", Driver.CALL, make(3, 5, 10, 8, 8, 8), **args(10, 8, 8, 8), properties=STEP_PROPS),
            Case("length_one", Driver.CALL, make(2, 1, 7, 4, 6, 5), **args(7, 4, 6, 5), hidden=True),
            Case("float64", Driver.CALL, make(2, 5, 9, 4, 6, 8, dtype=torch.float64),
                 **args(9, 4, 6, 8, dtype="float64"), hidden=True, properties=STEP_PROPS),
            Case("gradients", Driver.GRAD, make(2, 5, 9, 4, 6, 8),
                 **args(9, 4, 6, 8, grad_wrt=("hidden", "encoder_states")), properties=GRAD),
            Case("other_device", Driver.CALL, make(3, 6, 11, 5, 8, 6), **args(11, 5, 8, 6), device=ELSEWHERE,
                 compare=()),
        ),
        mistakes=m.STEP, probes=(cf.STEP, probes.step_weights_probe),
        outputs={"out.0": "log_probs", "out.1": "state", "out.2": "weights"},
    )


def _decoder() -> Exercise:
    props = (Property(PropertyKind.ROWS_SUM_TO_ONE, key="out.1", mask="src_mask_steps"),
             Property(PropertyKind.MASKED_ZERO, key="out.1", mask="src_mask_steps"))

    def args(*init: int, **extra: Any) -> dict[str, Any]:
        return {"init": Call(tuple(Lit(i) for i in init)),
                "forward": Call((In("tokens"), In("hidden"), In("encoder_states"), In("src_mask"))), **extra}

    def make(*sizes: int, **kw: Any) -> Any:
        return decoder_inputs("AttentionDecoder", *sizes, **kw)

    return Exercise(
        id="AttentionDecoder", file="decoder.py", task=7, points=20, kind=Kind.MODULE,
        depends_on=("AttentionDecoderStep", "GeneralScore", "attention_weights", "context_vector"),
        cases=(
            Case("teacher_forcing", Driver.CALL, make(3, 6, 11, 5, 8, 6, steps=4), **args(11, 5, 8, 6),
                 properties=props),
            Case("one_step", Driver.CALL, make(2, 4, 9, 4, 6, 6, steps=1), **args(9, 4, 6, 6), properties=props),
            Case("long", Driver.CALL, make(2, 5, 12, 4, 6, 8, steps=9), **args(12, 4, 6, 8), hidden=True,
                 properties=props),
            Case("float64", Driver.CALL, make(2, 3, 9, 4, 6, 5, steps=3, dtype=torch.float64),
                 **args(9, 4, 6, 5, dtype="float64"), hidden=True),
            Case("gradients", Driver.GRAD, make(2, 5, 9, 4, 6, 8, steps=3),
                 **args(9, 4, 6, 8, grad_wrt=("hidden", "encoder_states")), properties=GRAD),
            Case("other_device", Driver.CALL, make(3, 6, 11, 5, 8, 6, steps=4), **args(11, 5, 8, 6),
                 device=ELSEWHERE, compare=()),
        ),
        mistakes=m.DECODER, probes=(probes.decoder_weights_probe,),
        outputs={"out.0": "log_probs", "out.1": "weights"},
    )


ASSIGNMENT = Assignment(
    name="seq2seq",
    title=MESSAGES["en"]["title"],
    exercises=(_dot(), _general(), _additive(), _weights(), _context(), _step(), _decoder()),
    solutions=SOLUTIONS,
    files=("scores.py", "attention.py", "decoder.py"),
    quiz=STUBS / "quiz.toml",
    stubs=STUBS,
    messages=MESSAGES,
    package=Path(__file__).resolve().parent,
)
