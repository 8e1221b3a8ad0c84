"""The pretraining assignment: exercises, seeded cases, judges and points (100 in all).

Deterministic exercises are compared with the reference as the transformer's are. The three stochastic ones
(mlm_mask_tokens, nsp_sample, sample_next) are run as draws cases: the student's function is called K times with
generators seeded anew, and the assignment's judges (statistics.py) check invariants on every draw and rates over
all of them, each with a false-failure probability of at most 1e-6 per case; the same generator state must give
the same result, every draw must come from the generator given (each call changes its state, and a generator
seeded alike but advanced first gives another result), and torch's global generator must be left alone.

Every exercise has a visible case on another device than the default one (``elsewhere``): the inputs keep their
data, so code that reads it (``bool(keep.any())``, boolean indexing, ``.tolist()``) runs, and a tensor the code
makes without ``device=`` fails where it meets them, as on a GPU (grader.sandbox.elsewhere).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import torch

from grader import dropout
from grader.builtin.pretraining import mistakes as m
from grader.builtin.pretraining import probes as pr
from grader.builtin.pretraining import statistics as st
from grader.builtin.pretraining.messages import MESSAGES
from grader.cases import randn, weights
from grader.dropout import DropoutModel
from grader.spec import (
    ELSEWHERE,
    Assignment,
    Call,
    Case,
    CaseEnv,
    Driver,
    Exercise,
    Gen,
    In,
    Kind,
    Lit,
    LookupLM,
    Property,
    PropertyKind,
)

ROOT = Path(__file__).resolve().parents[3]
SOLUTIONS = ROOT / "solutions" / "pretraining"
STUBS = ROOT / "assignments" / "pretraining"
JUDGES = "grader.builtin.pretraining.statistics"

GRAD = (Property(PropertyKind.GRADIENTS),)
RAISES = (Property(PropertyKind.RAISES),)
RANDOMNESS = (Property(PropertyKind.DETERMINISTIC), Property(PropertyKind.GLOBAL_RNG))


def judged(*names: str) -> tuple[Property, ...]:
    """The judges of statistics.py by function name, then determinism and the untouched global generator."""
    return (*(Property(PropertyKind.JUDGE, judge=f"{JUDGES}:{n}", name=n) for n in names), *RANDOMNESS)


# --- mlm_mask_tokens --------------------------------------------------------------------------------

MASK_ID, CLS_ID, SEP_ID, PAD_ID = 3, 1, 2, 0


def mlm_inputs(batch: int, length: int, vocab: int, padded: bool = True) -> Any:
    """Tokens in [4, vocab) framed by [CLS] … [SEP] and padding; special_mask True on those."""
    def make(env: CaseEnv) -> dict[str, torch.Tensor]:
        tokens = torch.randint(4, vocab, (batch, length), generator=env.gen)
        lengths = torch.randint(length // 2, length + 1, (batch,), generator=env.gen) if padded else torch.full((batch,), length)
        special = torch.zeros(batch, length, dtype=torch.bool)
        for b in range(batch):
            n = int(lengths[b])
            tokens[b, 0], tokens[b, n - 1] = CLS_ID, SEP_ID
            tokens[b, n:] = PAD_ID
            special[b, 0] = special[b, n - 1:] = True
        return {"tokens": tokens, "special_mask": special}
    return make


def mlm_call(vocab: int, p: float | None = None) -> Call:
    kwargs: dict[str, Any] = {"mask_id": Lit(MASK_ID), "vocab_size": Lit(vocab), "generator": Gen()}
    if p is not None:
        kwargs["mlm_probability"] = Lit(p)
    return Call((In("tokens"), In("special_mask")), kwargs)


def _mlm() -> Exercise:
    judges = judged("mlm_invariants", "mlm_repeats", "mlm_generator", "mlm_fixed_count", "mlm_rates", "mlm_independence")
    b, length, vocab = st.MLM_BATCH, st.MLM_LENGTH, st.MLM_VOCAB
    return Exercise(
        id="mlm_mask_tokens", file="masking.py", task=1, points=16, kind=Kind.FUNCTION,
        cases=(
            Case("draws", Driver.DRAWS, mlm_inputs(b, length, vocab), mlm_call(vocab), draws=st.MLM_DRAWS,
                 compare=(), properties=judges),
            Case("probability_0_3", Driver.DRAWS, mlm_inputs(b, length // 2, vocab), mlm_call(vocab, 0.3),
                 draws=st.MLM_DRAWS, compare=(), properties=judges, hidden=True),
            Case("no_padding", Driver.DRAWS, mlm_inputs(b // 2, length, vocab, padded=False), mlm_call(vocab, 0.15),
                 draws=st.MLM_DRAWS, compare=(), properties=judges, hidden=True),
            Case("other_device", Driver.CALL, mlm_inputs(4, 12, vocab), mlm_call(vocab), device=ELSEWHERE, compare=()),
        ),
        probes=(pr.masked_into_tokens,),
    )


# --- sentence pairs and NSP -------------------------------------------------------------------------

def pair(la: int, lb: int) -> Any:
    def make(env: CaseEnv) -> dict[str, torch.Tensor]:
        return {"a": torch.randint(5, 100, (la,), generator=env.gen), "b": torch.randint(5, 100, (lb,), generator=env.gen)}
    return make


def pair_call(max_len: int) -> Call:
    return Call((In("a"), In("b")), {"cls_id": Lit(CLS_ID), "sep_id": Lit(SEP_ID), "max_len": Lit(max_len)})


def _pairs() -> Exercise:
    return Exercise(
        id="bert_pair_inputs", file="pairs.py", task=2, points=8, kind=Kind.FUNCTION,
        cases=(
            Case("fits", Driver.CALL, pair(4, 3), pair_call(16)),
            Case("truncate_a_longer", Driver.CALL, pair(9, 4), pair_call(10)),
            Case("truncate_both", Driver.CALL, pair(7, 6), pair_call(9)),
            Case("exactly_fits", Driver.CALL, pair(5, 5), pair_call(13), hidden=True),
            Case("truncate_b_longer", Driver.CALL, pair(3, 11), pair_call(12), hidden=True),
            Case("empty_b", Driver.CALL, pair(6, 0), pair_call(6), hidden=True),
            Case("max_len_too_small", Driver.RAISES, pair(3, 3), pair_call(2), compare=(), properties=RAISES),
            Case("other_device", Driver.CALL, pair(7, 6), pair_call(9), device=ELSEWHERE, compare=()),
        ),
        mistakes=m.BERT_PAIR_INPUTS,
    )


def documents(sizes: tuple[int, ...]) -> Any:
    def make(env: CaseEnv) -> dict[str, torch.Tensor]:
        return {"doc_ids": torch.repeat_interleave(torch.arange(len(sizes)), torch.tensor(sizes))}
    return make


def _nsp() -> Exercise:
    judges = judged("nsp_invariants", "nsp_repeats", "nsp_generator", "nsp_rates", "nsp_independence")
    call = Call((In("doc_ids"),), {"generator": Gen()})
    return Exercise(
        id="nsp_sample", file="pairs.py", task=3, points=10, kind=Kind.FUNCTION,
        cases=(
            Case("documents", Driver.DRAWS, documents(st.NSP_DOC_SIZES), call, draws=st.NSP_DRAWS, compare=(),
                 properties=judges),
            Case("two_documents", Driver.DRAWS, documents((3, 8)), call, draws=st.NSP_DRAWS, compare=(),
                 properties=judges, hidden=True),
            Case("single_sentences", Driver.DRAWS, documents((1, 1, 4, 1, 6)), call, draws=st.NSP_DRAWS, compare=(),
                 properties=judges, hidden=True),
            Case("other_device", Driver.CALL, documents((3, 1, 5)), call, device=ELSEWHERE, compare=()),
        ),
    )


# --- modules ----------------------------------------------------------------------------------------

def _embeddings_before_dropout(inputs: Any, scale: float) -> dict[str, torch.Tensor]:
    """What BertEmbeddings' train-mode output is built from: LayerNorm(token + position + segment), before dropout."""
    ids = inputs["input_ids"]
    segments = inputs.get("token_type_ids")
    segments = torch.zeros_like(ids) if segments is None else segments
    x = (inputs["state.token.weight"].double()[ids] + inputs["state.position.weight"].double()[: ids.shape[1]]
         + inputs["state.segment.weight"].double()[segments])
    norm = torch.nn.functional.layer_norm(x, x.shape[-1:], inputs["state.norm.weight"].double(),
                                          inputs["state.norm.bias"].double(), 1e-5)
    return {"before": norm}


def _embeddings() -> Exercise:
    def make(b: int, length: int, vocab: int, d: int, max_len: int, segments: bool = True, dropout: float = 0.0):
        def build(env: CaseEnv) -> dict[str, torch.Tensor]:
            out = {**weights(env, "BertEmbeddings", vocab, d, max_len, 2, dropout),
                   "input_ids": torch.randint(0, vocab, (b, length), generator=env.gen)}
            if segments:
                second = torch.randint(1, max(length, 2), (b, 1), generator=env.gen)  # where segment B starts
                out["token_type_ids"] = (torch.arange(length) >= second).long()
            return out
        return build

    def args(vocab: int, d: int, max_len: int, dropout: float = 0.0, segments: bool = True, **extra: Any):
        return {"init": Call((Lit(vocab), Lit(d), Lit(max_len), Lit(2), Lit(dropout))),
                "forward": Call((In("input_ids"), In("token_type_ids" if segments else None))), **extra}

    return Exercise(
        id="BertEmbeddings", file="embeddings.py", task=4, points=10, kind=Kind.MODULE,
        cases=(
            Case("segments", Driver.CALL, make(2, 7, 30, 16, 12), **args(30, 16, 12)),
            Case("no_segments", Driver.CALL, make(2, 5, 30, 16, 12, segments=False), **args(30, 16, 12, segments=False)),
            Case("shorter_than_max_len", Driver.CALL, make(3, 4, 20, 8, 16), **args(20, 8, 16)),
            Case("dropout_eval", Driver.CALL, make(2, 6, 30, 16, 8, dropout=0.3), **args(30, 16, 8, dropout=0.3)),
            # dropout is the last thing the embeddings apply: every output entry is kept (scaled) or 0, the pattern
            # judged like every other dropout's (rate, independence, the two calls)
            Case("dropout_train", Driver.DROPOUT, make(4, 8, 30, 16, 8, dropout=0.5), **args(30, 16, 8, dropout=0.5),
                 compare=("eval",), properties=(Property(PropertyKind.DROPOUT_TRAIN, p=0.5),),
                 dropout_fit=DropoutModel(_embeddings_before_dropout, dropout.elementwise)),
            Case("float64", Driver.CALL, make(2, 6, 30, 8, 8), **args(30, 8, 8, dtype="float64"), hidden=True),
            Case("length_one", Driver.CALL, make(1, 1, 10, 8, 4), **args(10, 8, 4), hidden=True),
            Case("other_device", Driver.CALL, make(2, 5, 30, 16, 12), **args(30, 16, 12), device=ELSEWHERE,
                 compare=()),
        ),
        mistakes=m.BERT_EMBEDDINGS,
        probes=(pr.dropout_before_norm,),
    )


def _nsp_head() -> Exercise:
    def make(b: int, length: int, d: int, dtype: torch.dtype = torch.float32):
        def build(env: CaseEnv) -> dict[str, torch.Tensor]:
            return {**weights(env, "NSPHead", d), "hidden": randn(env, b, length, d, dtype=dtype)}
        return build

    def args(d: int, **extra: Any) -> dict[str, Any]:
        return {"init": Call((Lit(d),)), "forward": Call((In("hidden"),)), **extra}

    return Exercise(
        id="NSPHead", file="heads.py", task=5, points=6, kind=Kind.MODULE,
        cases=(
            Case("basic", Driver.CALL, make(3, 5, 16), **args(16)),
            Case("gradients", Driver.GRAD, make(2, 4, 8), **args(8, grad_wrt=("hidden",)), properties=GRAD),
            Case("float64", Driver.CALL, make(2, 3, 8, torch.float64), **args(8, dtype="float64"), hidden=True),
            Case("length_one", Driver.CALL, make(4, 1, 8), **args(8), hidden=True),
            Case("other_device", Driver.CALL, make(2, 4, 8), **args(8), device=ELSEWHERE, compare=()),
        ),
        mistakes=m.NSP_HEAD,
    )


# --- objectives -------------------------------------------------------------------------------------

def mlm_batch(b: int, length: int, vocab: int, selected: float, scale: float = 1.0,
              dtype: torch.dtype = torch.float32) -> Any:
    def make(env: CaseEnv) -> dict[str, torch.Tensor]:
        labels = torch.randint(0, vocab, (b, length), generator=env.gen)
        chosen = torch.rand(b, length, generator=env.gen) < selected
        if selected > 0:
            chosen.view(-1)[0] = True  # at least one label
        return {"logits": randn(env, b, length, vocab, scale=scale, dtype=dtype),
                "labels": labels.masked_fill(~chosen, -100)}
    return make


def _mlm_loss() -> Exercise:
    call = Call((In("logits"), In("labels")))
    return Exercise(
        id="mlm_loss", file="objectives.py", task=6, points=10, kind=Kind.FUNCTION,
        cases=(
            Case("some_selected", Driver.CALL, mlm_batch(2, 8, 11, 0.3), call),
            Case("none_selected", Driver.CALL, mlm_batch(2, 5, 7, 0.0), call),
            Case("large_logits", Driver.CALL, mlm_batch(2, 6, 9, 0.5, scale=1e4), call),
            Case("gradients", Driver.GRAD, mlm_batch(2, 6, 9, 0.4), call, grad_wrt=("logits",), properties=GRAD),
            Case("gradients_none_selected", Driver.GRAD, mlm_batch(2, 3, 5, 0.0), call, grad_wrt=("logits",),
                 properties=GRAD),
            Case("all_selected", Driver.CALL, mlm_batch(3, 4, 6, 1.0), call, hidden=True),
            Case("float64", Driver.CALL, mlm_batch(2, 7, 13, 0.3, dtype=torch.float64), call, hidden=True),
            Case("other_device", Driver.CALL, mlm_batch(2, 8, 11, 0.3), call, device=ELSEWHERE, compare=()),
        ),
        mistakes=m.MLM_LOSS,
    )


def lm_batch(b: int, length: int, vocab: int, pad: int | None = None, scale: float = 1.0, all_pad: bool = False,
             dtype: torch.dtype = torch.float32) -> Any:
    def make(env: CaseEnv) -> dict[str, torch.Tensor]:
        tokens = torch.randint(1, vocab, (b, length), generator=env.gen)
        if pad is not None:
            ends = torch.randint(1, length + 1, (b,), generator=env.gen)
            ends[0] = length
            for row in range(b):
                tokens[row, 1 if all_pad else int(ends[row]):] = pad
        return {"logits": randn(env, b, length, vocab, scale=scale, dtype=dtype), "tokens": tokens}
    return make


def _causal_lm_loss() -> Exercise:
    def call(pad: int | None = None) -> Call:
        return Call((In("logits"), In("tokens"), Lit(pad)))

    return Exercise(
        id="causal_lm_loss", file="objectives.py", task=7, points=10, kind=Kind.FUNCTION,
        depends_on=("mlm_loss",),  # the shifted loss is the masked one on shifted targets: many write it so
        cases=(
            Case("no_padding", Driver.CALL, lm_batch(2, 6, 11), call()),
            Case("padding", Driver.CALL, lm_batch(3, 7, 11, pad=0), call(0)),
            Case("length_one", Driver.CALL, lm_batch(2, 1, 5), call()),
            Case("gradients", Driver.GRAD, lm_batch(2, 5, 7, pad=0), call(0), grad_wrt=("logits",), properties=GRAD),
            Case("large_logits", Driver.CALL, lm_batch(2, 5, 9, scale=1e4), call()),
            Case("only_padding_targets", Driver.CALL, lm_batch(2, 4, 6, pad=0, all_pad=True), call(0), hidden=True),
            Case("float64", Driver.CALL, lm_batch(2, 6, 13, pad=0, dtype=torch.float64), call(0), hidden=True),
            Case("other_device", Driver.CALL, lm_batch(3, 7, 11, pad=0), call(0), device=ELSEWHERE, compare=()),
        ),
        mistakes=m.CAUSAL_LM_LOSS,
    )


# --- decoding ---------------------------------------------------------------------------------------

def logits_with_ties(*shape: int, ties: bool = False, tie_at: int = 0) -> Any:
    """Seeded logits; ``ties``: rounded (many exact ties); ``tie_at`` = k: in every row the (k+1)-th largest value
    equals the k-th (a top-k that keeps exactly k entries drops one of them)."""
    def make(env: CaseEnv) -> dict[str, torch.Tensor]:
        logits = randn(env, *shape, scale=2.0)
        if ties:
            logits = (logits * 2).round() / 2
        if tie_at:
            order = logits.argsort(dim=-1, descending=True)
            kth = logits.gather(-1, order[..., tie_at - 1:tie_at])
            logits = logits.scatter(-1, order[..., tie_at:tie_at + 1], kth)
        return {"logits": logits}
    return make


def _filter() -> Exercise:
    def call(k: int = 0, p: float = 1.0) -> Call:
        return Call((In("logits"),), {"top_k": Lit(k), "top_p": Lit(p)})

    return Exercise(
        id="filter_logits", file="generation.py", task=8, points=12, kind=Kind.FUNCTION,
        cases=(
            Case("top_k", Driver.CALL, logits_with_ties(4, 10), call(k=3)),
            Case("top_p", Driver.CALL, logits_with_ties(4, 10), call(p=0.7)),
            Case("top_k_then_top_p", Driver.CALL, logits_with_ties(4, 12), call(k=6, p=0.6)),
            Case("ties", Driver.CALL, logits_with_ties(6, 10, ties=True), call(k=3, p=0.5)),
            Case("tie_with_kth", Driver.CALL, logits_with_ties(5, 9, tie_at=3), call(k=3)),
            Case("no_filter", Driver.CALL, logits_with_ties(3, 8), call(), hidden=True),
            Case("batch_3d", Driver.CALL, logits_with_ties(2, 3, 9, ties=True), call(k=4, p=0.8), hidden=True),
            Case("tiny_p", Driver.CALL, logits_with_ties(3, 8), call(p=0.01), hidden=True),
            Case("k_larger_than_v", Driver.CALL, logits_with_ties(3, 5), call(k=9), hidden=True),
            Case("other_device", Driver.CALL, logits_with_ties(4, 12), call(k=6, p=0.6), device=ELSEWHERE, compare=()),
        ),
        mistakes=m.FILTER_LOGITS,
    )


def sampling_logits(distinct: int = 4, repeat: int = 32, vocab: int = 8) -> Any:
    """``distinct`` rows of logits, each repeated ``repeat`` times (the judge pools equal rows)."""
    def make(env: CaseEnv) -> dict[str, torch.Tensor]:
        rows = randn(env, distinct, vocab, scale=1.5)
        return {"logits": rows.repeat_interleave(repeat, dim=0)}
    return make


def _sample() -> Exercise:
    judges = judged("sample_invariants", "sample_repeats", "sample_generator", "sample_distribution", "sample_independence")

    def call(t: float) -> Call:
        return Call((In("logits"),), {"generator": Gen(), "temperature": Lit(t)})

    return Exercise(
        id="sample_next", file="generation.py", task=9, points=8, kind=Kind.FUNCTION,
        cases=(
            Case("temperature_1", Driver.DRAWS, sampling_logits(), call(1.0), draws=st.SAMPLE_DRAWS, compare=(),
                 properties=judges),
            Case("temperature_0_5", Driver.DRAWS, sampling_logits(), call(0.5), draws=st.SAMPLE_DRAWS, compare=(),
                 properties=judges),
            Case("argmax", Driver.DRAWS, sampling_logits(3, 4), call(0.0), draws=4, compare=(), properties=judges),
            Case("temperature_2", Driver.DRAWS, sampling_logits(3, 32, 6), call(2.0), draws=st.SAMPLE_DRAWS,
                 compare=(), properties=judges, hidden=True),
            Case("other_device", Driver.CALL, sampling_logits(3, 2), call(1.0), device=ELSEWHERE, compare=()),
            Case("other_device_argmax", Driver.CALL, sampling_logits(3, 2), call(0.0), device=ELSEWHERE, compare=()),
        ),
    )


EOS_ID = 1


def decoding(b: int, length: int, vocab: int, eos_rate: float = 0.0, eos_in_prompt: bool = False) -> Any:
    """A stand-in model's tables and a prompt. With ``eos_rate``, that share of the tokens is followed by EOS
    with a large margin (sequences finish at different steps)."""
    def make(env: CaseEnv) -> dict[str, torch.Tensor]:
        table = randn(env, vocab, vocab, scale=2.0)
        if eos_rate:
            leads = torch.rand(vocab, generator=env.gen) < eos_rate
            leads[EOS_ID] = False
            table[leads, EOS_ID] = 10.0
            table[~leads, EOS_ID] = -10.0
        positions = randn(env, length + 16, vocab, scale=0.5)
        prompt = torch.randint(2, vocab, (b, length), generator=env.gen)
        if eos_in_prompt:
            prompt[:, length // 2] = EOS_ID
        return {"table": table, "positions": positions, "prompt": prompt}
    return make


def _greedy() -> Exercise:
    def call(steps: int, eos: int | None = None) -> Call:
        return Call((LookupLM("table", "positions"), In("prompt"), Lit(steps), Lit(eos)))

    compare = ("out", "calls")  # the sequences, and how many times the model was called
    return Exercise(
        id="greedy_decode", file="generation.py", task=10, points=10, kind=Kind.FUNCTION,
        cases=(
            Case("no_eos", Driver.CALL, decoding(3, 4, 12), call(6), compare=compare),
            Case("eos_stops", Driver.CALL, decoding(4, 3, 12, eos_rate=0.4), call(8, EOS_ID), compare=compare),
            Case("eos_in_prompt", Driver.CALL, decoding(3, 4, 12, eos_rate=0.25, eos_in_prompt=True), call(6, EOS_ID),
                 compare=compare),
            Case("zero_steps", Driver.CALL, decoding(2, 3, 9), call(0, EOS_ID), compare=compare, hidden=True),
            Case("long", Driver.CALL, decoding(5, 2, 20, eos_rate=0.15), call(12, EOS_ID), compare=compare, hidden=True),
            Case("other_device", Driver.CALL, decoding(4, 3, 12, eos_rate=0.4), call(8, EOS_ID), device=ELSEWHERE,
                 compare=()),
        ),
        mistakes=m.GREEDY_DECODE,
    )


ASSIGNMENT = Assignment(
    name="pretraining",
    title=MESSAGES["en"]["title"],
    exercises=(_mlm(), _pairs(), _nsp(), _embeddings(), _nsp_head(), _mlm_loss(), _causal_lm_loss(), _filter(),
               _sample(), _greedy()),
    solutions=SOLUTIONS,
    files=("masking.py", "pairs.py", "embeddings.py", "heads.py", "objectives.py", "generation.py"),
    quiz=STUBS / "quiz.toml",
    stubs=STUBS,
    messages=MESSAGES,
    package=Path(__file__).resolve().parent,
)
