"""Scores that cannot be raised without the work: device cases only gate, observations a check needs are
never skipped, dropout is checked for being dropout, graded runs draw other inputs than a student bundle
holds, and an exercise without cases is an error, never full marks."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import math
import os

import pytest
import torch
from torch import nn

from grader import api, checks, fixtures, specs
from grader.reference import Reference, case_seed
from grader.results import CaseResult, CheckResult, Status
from grader.sandbox import drivers, transfer
from grader.sandbox.runner import Outcome
from grader.score import case_points, is_gate, score_exercise
from grader.spec import SpecError

PADDING = "    return (tokens != pad_id)[:, None, None, :]"
CAUSAL = "    return torch.ones(size, size, dtype=torch.bool, device=device).tril()"
SPLIT = "    return x.view(B, L, num_heads, d_k).transpose(1, 2)  # (B, h, L, d_k)"


def by_id(result):
    return {e.id: e for e in result.exercises}


def case_of(exercise_result, case_id):
    return next(c for c in exercise_result.cases if c.id == case_id)


# --- device cases gate ------------------------------------------------------------------------------

def test_zeros_of_the_right_shape_score_nothing_and_a_device_failure_costs_its_share(submission, assignment):
    sub = submission(
        ("attention.py", PADDING, "    return torch.zeros(tokens.shape[0], 1, 1, tokens.shape[1], dtype=torch.bool,"
                                  " device=tokens.device)"),
        ("attention.py", CAUSAL, "    return torch.ones(size, size, dtype=torch.bool).tril()  # ignores device"),
        ("multihead.py", SPLIT, "    return torch.zeros(B, num_heads, L, d_k, dtype=x.dtype, device=x.device)"),
    )
    result = api.check(sub, assignment="transformer", hidden=True,
                       exercises=["padding_mask", "causal_mask", "split_heads", "combine_heads"])
    ex = by_id(result)
    for zeros in ("padding_mask", "split_heads"):
        # the device case passes (zeros have the right shape, dtype and device) and still earns nothing
        assert case_of(ex[zeros], "other_device").status is Status.PASSED
        assert ex[zeros].score == 0 and ex[zeros].status is Status.FAILED, zeros
    # right on every value case, wrong on the device: the device case's share (1 of 5 cases) is taken off
    assert case_of(ex["causal_mask"], "other_device").status is Status.FAILED
    assert ex["causal_mask"].score == pytest.approx(5 * (1 - 1 / 5))
    assert [n.key for n in ex["causal_mask"].notes] == ["note.device_gate"]
    assert ex["combine_heads"].score == ex["combine_heads"].max_score == 6  # other exercises keep their marks
    assert result.score == pytest.approx(4 + 6)
    for e in result.exercises:  # per-case points (Gradescope) add up to the exercise's score
        points = case_points(result, e)
        assert sum(p for p, _ in points) == pytest.approx(e.score)
        assert sum(m for _, m in points) == pytest.approx(e.max_score)
        assert all(p == m == 0 for (p, m), c in zip(points, e.cases, strict=True) if c.id.startswith("other_device"))


def _case(cid: str, status: Status) -> CaseResult:
    return CaseResult(cid, True, status, (CheckResult("runs", status is Status.PASSED),))


def test_scoring_rule(assignment):
    ex = assignment.exercise("causal_mask")  # 4 value cases and other_device
    assert [is_gate(ex, c.id) for c in ex.cases] == [False, False, False, False, True]
    assert is_gate(ex, "other_device") and not is_gate(ex, "size_4@cuda")
    value = ["size_4", "size_1", "size_7", "on_device"]

    def score(passed_values: int, meta: Status) -> tuple[float, Status]:
        cases = [_case(c, Status.PASSED if i < passed_values else Status.FAILED) for i, c in enumerate(value)]
        r = score_exercise(ex, [*cases, _case("other_device", meta)], [], [], forbidden=False)
        return r.score, r.status

    assert score(4, Status.PASSED) == (5, Status.PASSED)
    assert score(0, Status.PASSED) == (0, Status.FAILED)  # the device case alone earns nothing
    assert score(2, Status.PASSED) == (2.5, Status.FAILED)
    assert score(4, Status.FAILED) == (4.0, Status.FAILED)
    assert score(2, Status.FAILED) == (2.0, Status.FAILED)
    only_meta = score_exercise(ex, [_case("other_device", Status.PASSED)], [], [], forbidden=False)
    assert (only_meta.score, only_meta.status) == (0, Status.ERROR)
    none = score_exercise(ex, [], [], [], forbidden=False)
    assert (none.score, none.status, [n.key for n in none.notes]) == (0, Status.ERROR, ["note.no_cases"])


# --- an exercise without cases ----------------------------------------------------------------------

def test_an_exercise_with_no_case_is_refused_when_defined(assignment):
    with pytest.raises(SpecError, match="exercise 'padding_mask', field 'cases': needs at least one case"):
        dataclasses.replace(assignment.exercise("padding_mask"), cases=())


def test_an_exercise_with_no_case_is_an_error_not_full_marks(monkeypatch, assignment):
    """A spec can still leave an exercise nothing that earns points (only a meta case runs): 0, never full marks."""
    pad = assignment.exercise("padding_mask")
    meta = next(dataclasses.replace(c, hidden=False) for c in pad.cases if c.device == "elsewhere")
    empty = dataclasses.replace(pad, cases=(meta,))
    custom = dataclasses.replace(assignment, name="integrity_nocase",
                                 exercises=(assignment.exercise("causal_mask"), empty))
    monkeypatch.setitem(specs.REGISTRY, custom.name, specs.Plugin(custom.name, lambda: custom, dict, "test"))
    monkeypatch.setitem(specs._CACHE, custom.name, custom)
    from conftest import SOLUTIONS

    result = api.check(SOLUTIONS, assignment=custom.name)
    ex = by_id(result)
    assert ex["padding_mask"].status is Status.ERROR and ex["padding_mask"].score == 0
    assert [n.key for n in ex["padding_mask"].notes] == ["note.no_cases"]
    assert ex["causal_mask"].status is Status.PASSED and ex["causal_mask"].score == 5
    assert result.score == 5 and result.max_score == 10 and not result.passed


def _rehash(folder):
    files = sorted(p.name for p in folder.iterdir() if p.is_file() and p.name != "manifest.json")
    listed = {name: hashlib.sha256((folder / name).read_bytes()).hexdigest() for name in files}
    (folder / "manifest.json").write_text(json.dumps({"format": fixtures.FORMAT, "files": listed}))


def test_a_bundle_without_an_exercises_cases_is_refused(assignment, tmp_path):
    small = dataclasses.replace(assignment, name="integrity_small", exercises=(assignment.exercise("causal_mask"),
                                                       assignment.exercise("padding_mask")))
    folder = tmp_path / "cases"
    fixtures.write(Reference(small), folder)
    assert [e.id for e in fixtures.load(folder).exercises] == ["causal_mask", "padding_mask"]
    data = json.loads((folder / "assignment.json").read_text())
    data["exercises"][1]["cases"] = []  # edited, and the manifest made again to match
    (folder / "assignment.json").write_text(json.dumps(data))
    _rehash(folder)
    with pytest.raises(fixtures.FixtureError, match="no case for the exercise padding_mask"):
        fixtures.load(folder)
    data["exercises"][1]["cases"] = [{"file": "elsewhere.safetensors"}]  # a case whose file nothing vouches for
    (folder / "assignment.json").write_text(json.dumps(data))
    _rehash(folder)
    with pytest.raises(fixtures.FixtureError, match="padding_mask"):
        fixtures.load(folder)
    with pytest.raises(SpecError, match="causal_mask"):  # such a spec (and so such a bundle) is never made
        dataclasses.replace(assignment.exercise("causal_mask"), cases=tuple(
            c for c in assignment.exercise("causal_mask").cases if c.hidden))


# --- graded runs draw other inputs than a bundle holds ----------------------------------------------

@pytest.mark.parametrize("salt", ["", "term-2"])
def test_graded_seeds_differ_from_every_bundle_seed(assignment, salt):
    ex = assignment.exercise("padding_mask")
    case = ex.cases[0]
    assert case_seed("transformer", ex.id, case.id, salt, graded=True) != case_seed("transformer", ex.id, case.id, salt)
    assert case_seed("transformer", ex.id, case.id, salt, graded=True) != case_seed("transformer", ex.id, case.id, "")
    ref = Reference(assignment, salt)
    shipped, graded = ref.prepare(ex, case), ref.prepare(ex, case, graded=True)
    assert graded.graded and not shipped.graded
    assert not torch.equal(shipped.inputs["tokens"], graded.inputs["tokens"])


@pytest.mark.parametrize("salt", ["", "term-2"])
def test_outputs_memorised_from_a_bundle_earn_nothing_when_graded(submission, assignment, salt):
    ex = assignment.exercise("padding_mask")
    shipped = Reference(assignment, salt).prepare(ex, ex.cases[0])  # what a bundle released with this salt stores
    tokens, out = shipped.inputs["tokens"].tolist(), shipped.truth["out"].tensor.tolist()
    body = (f"    if tokens.tolist() == {tokens}:\n"
            f"        return torch.tensor({out}, dtype=torch.bool, device=tokens.device)\n"
            "    return torch.zeros(tokens.shape[0], 1, 1, tokens.shape[1], dtype=torch.bool, device=tokens.device)")
    sub = submission(("attention.py", PADDING, body))
    local = by_id(api.check(sub, assignment="transformer", salt=salt, exercises=["padding_mask", "causal_mask"]))
    assert case_of(local["padding_mask"], "pad_zero").status is Status.PASSED
    assert local["padding_mask"].score == 5
    graded = by_id(api.check(sub, assignment="transformer", salt=salt, hidden=True,
                             exercises=["padding_mask", "causal_mask"]))
    assert case_of(graded["padding_mask"], "pad_zero").status is Status.FAILED
    assert graded["padding_mask"].score == 0
    assert graded["causal_mask"].score == 5  # the other exercise keeps its marks


def test_calls_with_only_literals_are_drawn_too_when_graded(submission, assignment):
    """The positional encoding's visible cases take no seeded input: a graded run draws their arguments."""
    ex = assignment.exercise("sinusoidal_positional_encoding")
    bundle = Reference(assignment)
    table = {}
    for case in (c for c in ex.cases if not c.hidden):
        shipped = bundle.prepare(ex, case)
        assert case.draw_args is not None and bundle.prepare(ex, case, graded=True).call_args != shipped.call_args
        if case.compare:  # the refusal case has no output to memorise
            table[tuple(v for _, v in shipped.call_args["call"])] = shipped.truth["out"].tensor.tolist()
    body = (f"    table = {table!r}\n"
            "    if d_model % 2:\n        raise ValueError('odd')\n"
            "    key = (max_len, d_model) if base == 10000.0 else (max_len, d_model, base)\n"
            "    return torch.tensor(table.get(key, [[0.0] * d_model] * max_len), dtype=torch.float32)\n")
    sub = submission(("positional.py", '    if d_model % 2 != 0:\n', body + "    if d_model % 2 != 0:\n"))
    local = by_id(api.check(sub, assignment="transformer", exercises=[ex.id]))[ex.id]
    assert local.score == local.max_score
    graded = by_id(api.check(sub, assignment="transformer", hidden=True, exercises=[ex.id]))[ex.id]
    assert [c.id for c in graded.cases if c.status is Status.PASSED] == ["odd_d_model"]  # only the refusal
    assert graded.score == 0  # which, comparing no value, earns nothing by itself


# --- observations a check needs ---------------------------------------------------------------------

def _meta(entry: transfer.Entry) -> transfer.Entry:
    return dataclasses.replace(entry, device="meta", tensor=None) if entry.kind == "tensor" else entry


def _as_returned(prepared) -> dict[str, transfer.Entry]:
    """The reference's own outputs, as a child that ran the reference would send them."""
    entries = dict(prepared.expected)
    return {k: _meta(e) for k, e in entries.items()} if prepared.case.device == "meta" else entries


def _grade(prepared, entries):
    return checks.grade_case(prepared, Outcome(status="ok", entries=entries), prepared.case.device or "cpu")


MALFORMED = {
    "missing": None,
    "value": transfer.Entry(kind="value", value=3),
    "text": transfer.Entry(kind="value", value=""),
    "object": transfer.Entry(kind="object", type_name="Thing"),
    "none": transfer.Entry(kind="none"),
    "sequence": transfer.Entry(kind="sequence", length=5, type_name="tuple"),
    "misshaped": transfer.Entry(kind="tensor", shape=(1,), dtype="float32", device="cpu", tensor=torch.zeros(1)),
    "no_data": transfer.Entry(kind="tensor", shape=(1,), dtype="float32", device="meta"),
}


@pytest.mark.parametrize("exercise_id,case_id,key,check,message", [
    ("masked_softmax", "padding_mask", "after.scores", "inputs_unchanged", "check.observation"),
    ("masked_softmax", "other_device", "after.mask", "inputs_unchanged", "check.observation"),
    ("scaled_dot_product_attention", "causality", "alt.0", "causal", "check.observation"),
    ("DecoderLayer", "causality", "alt", "causal", "check.observation"),
    ("MultiHeadAttention", "indivisible", "raised", "raises", "check.observation"),
    ("scaled_dot_product_attention", "gradients", "grad.q", "gradients", "check.no_gradient"),
    ("MultiHeadAttention", "gradients", "grad.param.w_o.weight", "gradients", "check.no_gradient"),
])
def test_a_missing_observation_fails_its_check(reference, exercise_id, case_id, key, check, message):
    ex = reference.assignment.exercise(exercise_id)
    prepared = reference.prepare(ex, next(c for c in ex.cases if c.id == case_id), graded=True)
    entries = _as_returned(prepared)
    assert _grade(prepared, entries).status is Status.PASSED  # the reference's own outputs pass
    del entries[key]
    result = _grade(prepared, entries)
    assert result.status is Status.FAILED
    assert (result.failure.name, result.failure.message.key) == (check, message)
    if message == "check.observation":
        assert result.failure.message.params["key"] == key


@pytest.mark.parametrize("kind", ["rows_sum_to_one", "masked_zero", "dropout_train", "causal", "raises"])
def test_every_property_fails_without_its_observation(reference, kind):
    """Called on what came back without the entries it looks at, each property fails; none is skipped."""
    for ex in reference.assignment.exercises:
        for case in ex.cases:
            for prop in case.properties:
                if prop.kind != kind:
                    continue
                prepared = reference.prepare(ex, case)
                assert checks.PROPERTIES[kind](prepared, _as_returned(prepared), prop) is None
                failure = checks.PROPERTIES[kind](prepared, {}, prop)
                assert failure is not None and not failure.passed
                assert failure.message.key == "check.observation", (ex.id, case.id, failure.message)
                return
    pytest.fail(f"no case has a {kind} property")


def test_malformed_results_fail_cleanly_never_raise(reference):
    """Every entry of every case replaced by something malformed: a failed case, never an exception."""
    unchecked = 0
    for ex in reference.assignment.exercises:
        for case in ex.cases:
            prepared = reference.prepare(ex, case, graded=True)
            entries = _as_returned(prepared)
            causal_keys = {"alt" + p.key.removeprefix("out") for p in case.properties if p.kind == "causal"}
            for key in entries:
                if key.startswith("alt") and key not in causal_keys:
                    unchecked += 1
                    continue  # the second run's other outputs: no check looks at them
                for name, bad in MALFORMED.items():
                    if name == "none" and key == "raised":
                        continue  # "nothing was raised" is a well-formed observation (and fails as such)
                    tampered = {k: v for k, v in entries.items() if k != key}
                    if bad is not None:
                        tampered[key] = bad
                    result = _grade(prepared, tampered)
                    assert result.status is Status.FAILED, (ex.id, case.id, key, name)
                    assert result.failure.message is not None
    assert unchecked == 2  # SDPA's causality case: alt (the tuple) and alt.1 (the weights)


# --- dropout is dropout -----------------------------------------------------------------------------

DROPOUT_EXERCISES = ("MultiHeadAttention", "PositionwiseFeedForward", "EncoderLayer", "DecoderLayer")
SEEDS = int(os.environ.get("INTEGRITY_DROPOUT_SEEDS", "25"))
"""Other seeds the reference is run under in the false-failure test (the measurement used 2000)."""


class Noise(nn.Module):
    def forward(self, x):
        return x + 0.1 * torch.randn_like(x) if self.training else x


class NoScaling(nn.Module):
    def forward(self, x):
        return x * torch.bernoulli(torch.full_like(x, 0.5)) if self.training else x


class RateOnly(nn.Module):
    """Drops 10% of the entries but scales the rest by 2 (as p = 0.5 would)."""

    def forward(self, x):
        return x * torch.bernoulli(torch.full_like(x, 0.9)) * 2 if self.training else x


class RandMask(nn.Module):
    """Correct dropout from other draws than torch's."""

    def forward(self, x):
        return x * (torch.rand_like(x) >= 0.5) * 2 if self.training else x


MUTANTS = {
    "noise": (Noise, "check.dropout_not_dropout"),
    "no_scaling": (NoScaling, "check.dropout_not_dropout"),
    "wrong_p": (lambda: nn.Dropout(0.1), "check.dropout_not_dropout"),
    "rate_only": (RateOnly, "check.dropout_rate"),
    "inactive": (nn.Identity, "check.dropout_inactive"),
}


def _with_dropout(base, make):
    """The reference module with its own dropout (not its sublayers') replaced."""

    class Patched(base):
        def __init__(self, *args):
            super().__init__(*args)
            self.dropout = make()

    return Patched


def _dropout_case(reference, exercise_id):
    ex = reference.assignment.exercise(exercise_id)
    case = next(c for c in ex.cases if c.driver == "dropout")
    return ex, case, reference.prepare(ex, case, graded=True)


def _train(target, prepared, seed):
    args = {**prepared.case.args, "seed": seed}
    return transfer.roundtrip(drivers.dropout(target, prepared.inputs, args, drivers.Ctx("cpu")))


@pytest.mark.parametrize("exercise_id", DROPOUT_EXERCISES)
def test_dropout_passes_the_reference_under_any_seed(reference, exercise_id):
    ex, case, prepared = _dropout_case(reference, exercise_id)
    target = getattr(reference.impl, exercise_id)
    # the grader's own seed: the reference's draws, accepted without the fit
    no_fit = dataclasses.replace(prepared, case=dataclasses.replace(case, dropout_fit=None))
    assert _grade(no_fit, _train(target, prepared, 0)).status is Status.PASSED
    other = _train(target, prepared, 1)
    assert _grade(no_fit, other).failure.message.key == "check.dropout_draws"
    # other draws (another RNG order, a GPU, rand_like masks): accepted when some dropout pattern explains them
    failures = [s for s in range(1, SEEDS + 1) if _grade(prepared, _train(target, prepared, s)).status is not Status.PASSED]
    assert not failures, failures
    for s in range(3):
        assert _grade(prepared, _train(_with_dropout(target, RandMask), prepared, s)).status is Status.PASSED


@pytest.mark.parametrize("mutant", sorted(MUTANTS))
@pytest.mark.parametrize("exercise_id", DROPOUT_EXERCISES)
def test_what_is_not_dropout_fails(reference, exercise_id, mutant):
    ex, case, prepared = _dropout_case(reference, exercise_id)
    make, key = MUTANTS[mutant]
    target = _with_dropout(getattr(reference.impl, exercise_id), make)
    for seed in range(3):
        result = _grade(prepared, _train(target, prepared, seed))
        assert result.status is Status.FAILED
        assert result.failure.message.key == key, (seed, result.failure.message)


def test_the_same_mask_twice_fails(reference):
    ex, case, prepared = _dropout_case(reference, "PositionwiseFeedForward")
    entries = dict(_train(getattr(reference.impl, ex.id), prepared, 7))
    entries["train2"] = entries["train1"]
    assert _grade(prepared, entries).failure.message.key == "check.dropout_same"


@pytest.mark.parametrize("value", [float("nan"), float("inf"), 1e30])
@pytest.mark.parametrize("exercise_id", DROPOUT_EXERCISES)
def test_non_finite_train_outputs_fail_cleanly(reference, exercise_id, value):
    ex, case, prepared = _dropout_case(reference, exercise_id)
    entries = dict(_train(getattr(reference.impl, ex.id), prepared, 3))
    bad = entries["train2"].tensor.clone()
    bad.view(-1)[::3] = value
    entries["train2"] = dataclasses.replace(entries["train2"], tensor=bad)
    assert _grade(prepared, entries).failure.message.key == "check.dropout_not_dropout"


@pytest.mark.parametrize("n,p", [(96, 0.5), (178, 0.5), (576, 0.5), (200, 0.3), (5, 0.5)])
def test_the_rate_bound_is_exact(n, p):
    """The accepted counts [low, high] of Binomial(n, p) leave out at most alpha of its mass, and no more
    count could be left out without exceeding alpha/2 on its side."""
    low, high = checks._binomial_accepts(n, p)
    pmf = [math.comb(n, k) * p**k * (1 - p) ** (n - k) for k in range(n + 1)]
    alpha = checks.DROPOUT_ALPHA
    below, above = sum(pmf[:low]), sum(pmf[high + 1:])
    assert below <= alpha / 2 and above <= alpha / 2
    assert below + pmf[low] > alpha / 2 and above + pmf[high] > alpha / 2
    assert low <= n * p <= high


def test_code_that_only_raises_earns_nothing(submission, reference):
    """Cases where the code must refuse its arguments are passed by code that raises everywhere: they gate
    the points, they do not earn them."""
    sub = submission(("multihead.py", "        super().__init__()\n",
                      "        super().__init__()\n        raise ValueError('everything is refused')\n"))
    result = by_id(api.check(sub, assignment="transformer", hidden=True, exercises=["MultiHeadAttention"],
                             reference=reference))["MultiHeadAttention"]
    assert any(c.status is Status.PASSED for c in result.cases)  # the refusal case passed...
    assert result.score == 0  # ...and earned nothing
