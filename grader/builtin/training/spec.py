"""The training assignment: exercises, seeded cases, properties and points (100 in all).

The whole Transformer as the paper trains it (§3.1, §3.4, §5.3, §5.4), on torch.nn's encoder and decoder layers:
the embeddings scaled by √d_model and tied to the generator, the generator (linear + log-softmax), the
encoder–decoder assembling N layers, the batch masks, label smoothing as a KL divergence with padding ignored, the
learning-rate schedule with warm-up, and greedy decoding. Modules are graded with the reference's seeded weights
copied in; greedy decoding with the weights of a reference model trained briefly on the copy task (random weights
make a decoder that repeats one token, which would test nothing). Every exercise has a visible case on another
device than the default one (``elsewhere``).
"""

from __future__ import annotations

import functools
import sys
from pathlib import Path
from typing import Any

import torch

from grader.builtin.training import mistakes as m
from grader.builtin.training.messages import MESSAGES
from grader.cases import draw, padded_tokens, randn, weights
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
    Leaderboard,
    Lit,
    Property,
    PropertyKind,
)

ROOT = Path(__file__).resolve().parents[3]
SOLUTIONS = ROOT / "solutions" / "training"
STUBS = ROOT / "assignments" / "training"

GRAD = (Property(PropertyKind.GRADIENTS),)
PAD, START = 0, 1


def tokens(env: CaseEnv, batch: int, length: int, vocab: int, padded: bool = True) -> torch.Tensor:
    """(B, L) ids in 2..vocab-1 after a START, the first sequence full and (``padded``) the others shorter."""
    ids = torch.randint(2, vocab, (batch, length), generator=env.gen)
    ids[:, 0] = START
    if padded:
        lengths = torch.randint(1, length + 1, (batch,), generator=env.gen)
        lengths[0] = length
        if batch > 1 and length > 1:
            lengths[1] = min(int(lengths[1]), length - 1)
        ids[torch.arange(length) >= lengths[:, None]] = PAD
    return ids


def _args(init: tuple[Any, ...], forward: tuple[Any, ...], **extra: Any) -> dict[str, Any]:
    return {"init": Call(tuple(Lit(i) for i in init)), "forward": Call(forward), **extra}


# --- embeddings and the generator ------------------------------------------------------------------------------


def _embeddings() -> Exercise:
    def make(b: int, n: int, vocab: int, d: int) -> Any:
        return lambda env: {**weights(env, "Embeddings", vocab, d), "x": padded_tokens(env, b, n, 0) % vocab}

    def args(vocab: int, d: int, **extra: Any) -> dict[str, Any]:
        return _args((vocab, d), (In("x"),), **extra)

    return Exercise(
        id="Embeddings", file="model.py", task=1, points=6, kind=Kind.MODULE,
        cases=(
            Case("basic", Driver.CALL, make(2, 5, 11, 16), **args(11, 16)),
            Case("wide", Driver.CALL, make(3, 4, 50, 64), **args(50, 64)),
            Case("float64", Driver.CALL, make(2, 6, 20, 8), **args(20, 8, dtype="float64"), hidden=True),
            Case("odd_width", Driver.CALL, make(2, 3, 13, 10), **args(13, 10), hidden=True),
            Case("other_device", Driver.CALL, make(2, 5, 11, 16), **args(11, 16), device=ELSEWHERE, compare=()),
        ),
        mistakes=m.EMBEDDINGS,
    )


def _generator() -> Exercise:
    def make(d: int, vocab: int, *shape: int, dtype: torch.dtype = torch.float32) -> Any:
        return lambda env: {**weights(env, "Generator", d, vocab), "x": randn(env, *shape, d, dtype=dtype)}

    def args(d: int, vocab: int, **extra: Any) -> dict[str, Any]:
        return _args((d, vocab), (In("x"),), **extra)

    return Exercise(
        id="Generator", file="model.py", task=2, points=5, kind=Kind.MODULE,
        cases=(
            Case("batch", Driver.CALL, make(16, 11, 2, 5), **args(16, 11)),
            Case("flat", Driver.CALL, make(8, 7, 6), **args(8, 7)),
            Case("float64", Driver.CALL, make(8, 30, 3, 4, dtype=torch.float64), **args(8, 30, dtype="float64"),
                 hidden=True),
            Case("gradients", Driver.GRAD, make(16, 11, 2, 5), **args(16, 11, grad_wrt=("x",)), properties=GRAD),
            Case("other_device", Driver.CALL, make(16, 11, 2, 5), **args(16, 11), device=ELSEWHERE, compare=()),
        ),
        mistakes=m.GENERATOR,
    )


# --- the encoder–decoder ------------------------------------------------------------------------------------------


def model_inputs(b: int, s: int, t: int, vocab: int, n: int, d: int, ff: int, h: int, padded: bool = True) -> Any:
    def make(env: CaseEnv) -> dict[str, torch.Tensor]:
        src, tgt = tokens(env, b, s, vocab, padded), tokens(env, b, t, vocab, padded)
        src_mask, tgt_mask = env.reference.make_masks(src, tgt, PAD)
        return {**weights(env, "EncoderDecoder", vocab, n, d, ff, h, 0.1), "src": src, "tgt": tgt,
                "src_mask": src_mask, "tgt_mask": tgt_mask}
    return make


def _model() -> Exercise:
    def args(vocab: int, n: int, d: int, ff: int, h: int, **extra: Any) -> dict[str, Any]:
        return _args((vocab, n, d, ff, h, 0.1), (In("src"), In("tgt"), In("src_mask"), In("tgt_mask")), **extra)

    return Exercise(
        id="EncoderDecoder", file="model.py", task=3, points=20, kind=Kind.MODULE, depends_on=("Embeddings",),
        cases=(
            Case("padding", Driver.CALL, model_inputs(3, 6, 5, 11, 2, 16, 32, 4), **args(11, 2, 16, 32, 4)),
            Case("one_layer", Driver.CALL, model_inputs(2, 4, 4, 9, 1, 8, 16, 2), **args(9, 1, 8, 16, 2)),
            Case("no_padding", Driver.CALL, model_inputs(2, 5, 6, 11, 2, 16, 32, 4, padded=False),
                 **args(11, 2, 16, 32, 4)),
            Case("three_layers", Driver.CALL, model_inputs(2, 7, 6, 13, 3, 16, 24, 4), **args(13, 3, 16, 24, 4),
                 hidden=True),
            Case("float64", Driver.CALL, model_inputs(2, 5, 4, 11, 2, 8, 16, 2), **args(11, 2, 8, 16, 2,
                                                                                       dtype="float64"), hidden=True),
            Case("other_device", Driver.CALL, model_inputs(3, 6, 5, 11, 2, 16, 32, 4), **args(11, 2, 16, 32, 4),
                 device=ELSEWHERE, compare=()),
        ),
        mistakes=m.MODEL,
    )


# --- the batch masks -----------------------------------------------------------------------------------------------


def _masks() -> Exercise:
    def make(b: int, s: int, t: int, vocab: int = 11, pad: int = PAD, padded: bool = True) -> Any:
        def build(env: CaseEnv) -> dict[str, torch.Tensor]:
            src, tgt = tokens(env, b, s, vocab, padded), tokens(env, b, t, vocab, padded)
            if pad != PAD:  # another padding id: swap it with PAD
                src, tgt = (torch.where(x == PAD, pad, torch.where(x == pad, PAD, x)) for x in (src, tgt))
            return {"src": src, "tgt": tgt}
        return build

    def call(pad: int = PAD) -> Call:
        return Call((In("src"), In("tgt"), Lit(pad)))

    return Exercise(
        id="make_masks", file="batch.py", task=4, points=10, kind=Kind.FUNCTION,
        cases=(
            Case("padding", Driver.CALL, make(3, 6, 5), call()),
            Case("no_padding", Driver.CALL, make(2, 4, 4, padded=False), call()),
            Case("other_pad", Driver.CALL, make(3, 5, 6, pad=4), call(4), hidden=True),
            Case("long", Driver.CALL, make(2, 12, 11), call(), hidden=True),
            Case("other_device", Driver.CALL, make(3, 6, 5), call(), device=ELSEWHERE, compare=()),
        ),
        mistakes=m.MASKS, outputs={"out.0": "src_mask", "out.1": "tgt_mask"},
    )


# --- label smoothing and the schedule -------------------------------------------------------------------------------


def smoothing_inputs(n: int, vocab: int, pads: int = 2, dtype: torch.dtype = torch.float32) -> Any:
    def make(env: CaseEnv) -> dict[str, torch.Tensor]:
        target = torch.randint(1, vocab, (n,), generator=env.gen)
        target[torch.randperm(n, generator=env.gen)[:pads]] = PAD
        return {"x": torch.log_softmax(randn(env, n, vocab, dtype=dtype), dim=-1), "target": target}
    return make


def _smoothing() -> Exercise:
    def args(vocab: int, smoothing: float, **extra: Any) -> dict[str, Any]:
        return _args((vocab, PAD, smoothing), (In("x"), In("target")), **extra)

    return Exercise(
        id="LabelSmoothing", file="loss.py", task=5, points=14, kind=Kind.MODULE,
        cases=(
            Case("smoothed", Driver.CALL, smoothing_inputs(8, 11), **args(11, 0.1)),
            Case("strong", Driver.CALL, smoothing_inputs(6, 5, pads=1), **args(5, 0.4)),
            Case("no_smoothing", Driver.CALL, smoothing_inputs(5, 7, pads=1), **args(7, 0.0), hidden=True),
            Case("float64", Driver.CALL, smoothing_inputs(10, 20, pads=3, dtype=torch.float64),
                 **args(20, 0.2, dtype="float64"), hidden=True),
            Case("gradients", Driver.GRAD, smoothing_inputs(8, 11), **args(11, 0.1, grad_wrt=("x",)), properties=GRAD),
            Case("other_device", Driver.CALL, smoothing_inputs(8, 11), **args(11, 0.1), device=ELSEWHERE, compare=()),
        ),
        mistakes=m.SMOOTHING,
    )


def steps(*values: int) -> Any:
    return lambda env: {"step": torch.tensor(values, dtype=torch.float64)}


def _rate() -> Exercise:
    def call(d_model: int, factor: float, warmup: int) -> Call:
        return Call((In("step"), Lit(d_model), Lit(factor), Lit(warmup)))

    return Exercise(
        id="learning_rate", file="loss.py", task=6, points=8, kind=Kind.FUNCTION,
        cases=(
            Case("warmup_and_decay", Driver.CALL, steps(0, 1, 2, 50, 399, 400, 401, 1000, 20000), call(512, 1.0, 400)),
            Case("factor", Driver.CALL, steps(0, 1, 10, 100, 3999, 4000, 4001, 8000), call(32, 2.0, 4000)),
            Case("short_warmup", Driver.CALL, steps(0, 1, 2, 3, 4, 5, 100), call(64, 0.5, 3), hidden=True),
            Case("other_device", Driver.CALL, steps(0, 1, 2, 50, 399, 400, 401), call(512, 1.0, 400), device=ELSEWHERE,
                 compare=()),
        ),
        mistakes=m.RATE,
    )


# --- greedy decoding ---------------------------------------------------------------------------------------------------


def _trained(reference: Any, steps_: int) -> dict[str, torch.Tensor]:
    """The weights of the reference model (two layers: with one, the last position's output ignores the mask)
    trained ``steps_`` steps on the copy task (seed 0): it copies some sequences and not others, so that greedy
    decoding has something to show."""
    return _trained_in(reference.make_masks.__module__.rpartition(".")[0] + ".train", steps_)


@functools.lru_cache(maxsize=4)
def _trained_in(module: str, steps_: int) -> dict[str, torch.Tensor]:
    train = sys.modules[module]
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # one thread, the same sums in every process: a release stores what the repository makes
    try:
        with torch.random.fork_rng(devices=[]):
            model = train.train_copy_task(0, steps_, n_layers=2)
    finally:
        torch.set_num_threads(threads)
    return {f"state.model.{k}": v.detach().clone() for k, v in model.named_parameters()}


def greedy_inputs(b: int, s: int) -> Any:
    def make(env: CaseEnv) -> dict[str, torch.Tensor]:
        src = tokens(env, b, s, 11)
        return {**_trained(env.reference, 150), "src": src, "src_mask": env.reference.make_masks(src, src, PAD)[0]}
    return make


def _greedy() -> Exercise:
    def args(max_len: int, **extra: Any) -> dict[str, Any]:
        return _args((11, 2, 32, 64, 4, 0.1), (In("src"), In("src_mask"), Lit(max_len), Lit(START)), **extra)

    return Exercise(
        id="GreedyDecoder", file="decode.py", task=7, points=17, kind=Kind.MODULE,
        depends_on=("EncoderDecoder", "Embeddings", "Generator"),
        cases=(
            Case("copy", Driver.CALL, greedy_inputs(4, 8), **args(8)),
            Case("padding", Driver.CALL, greedy_inputs(5, 10), **args(10)),
            Case("longer_than_source", Driver.CALL, greedy_inputs(3, 6), **args(9), hidden=True),
            Case("float64", Driver.CALL, greedy_inputs(3, 7), **args(7, dtype="float64"), hidden=True),
            Case("other_device", Driver.CALL, greedy_inputs(4, 8), **args(8), device=ELSEWHERE, compare=()),
        ),
        mistakes=m.GREEDY,
    )


# --- the training loop, judged by what it learns ------------------------------------------------------------------

JUDGE = "grader.builtin.training.judges"


def held_out(n: int, length: int) -> Any:
    return lambda env: {"held_out": tokens(env, n, length, 11, padded=False)}


def _train() -> Exercise:
    from grader.builtin.training import judges

    def call(seed: int) -> Call:
        return Call((Lit(seed),), {"steps": Lit(300)})

    return Exercise(
        id="train_copy_task", file="train.py", task=8, points=20, kind=Kind.FUNCTION,
        depends_on=("EncoderDecoder", "Embeddings", "Generator", "make_masks", "LabelSmoothing", "learning_rate"),
        cases=(
            Case("copy_task", Driver.TRAIN, held_out(100, 8), call(0), draws=judges.RUNS, compare=(),
                 draw_args=lambda gen: call(draw(gen, 1, 10**6)),
                 properties=(Property(PropertyKind.JUDGE, judge=f"{JUDGE}:copy_task", name="copy_task"),)),
        ),
        # the time limit is the grader's to keep: a loop that reads it to fit inside has no business doing so
        forbidden=("resource.*", "signal.*"),
    )


ASSIGNMENT = Assignment(
    name="training",
    title=MESSAGES["en"]["title"],
    exercises=(_embeddings(), _generator(), _model(), _masks(), _smoothing(), _rate(), _greedy(), _train()),
    solutions=SOLUTIONS,
    files=("model.py", "batch.py", "loss.py", "decode.py", "train.py"),
    quiz=STUBS / "quiz.toml",
    stubs=STUBS,
    messages=MESSAGES,
    package=Path(__file__).resolve().parent,
    # what the training judge measured on the copy task (judges.copy_task): the runs' mean share of held-out
    # sequences copied exactly, and the optimiser steps a run took (fewer for the same accuracy ranks higher)
    leaderboard=(Leaderboard("Held-out exact copies (%)", "train_copy_task", "copy_task", "held_out_accuracy"),
                 Leaderboard("Optimizer steps", "train_copy_task", "copy_task", "mean_steps", order="asc")),
)
