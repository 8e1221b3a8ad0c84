"""The seq2seq assignment measured like the others: solutions, stubs, correct variants and mutants
(tests/corpus/seq2seq, mined from public bug reports where each one's header says so)."""

from __future__ import annotations

from pathlib import Path

import pytest
from corpus import build, variants

from grader import api, specs
from grader.reference import Reference
from grader.results import Status

ROOT = Path(__file__).resolve().parents[1]
SOLUTIONS = ROOT / "solutions" / "seq2seq"
STUBS = ROOT / "assignments" / "seq2seq"
CORRECT = variants("seq2seq/correct")
MUTANTS = variants("seq2seq/mutants")
MINED = [v for v in MUTANTS if v.source and v.source.startswith("https://")]


@pytest.fixture(scope="module")
def reference():
    return Reference(specs.get("seq2seq"))


def test_corpus_sizes_meet_the_bar():
    assert len(CORRECT) >= 8 and len(MUTANTS) >= 20 and len(MINED) >= 6
    exercises = {e.id for e in specs.get("seq2seq").exercises}
    assert {v.exercise for v in MUTANTS} == exercises  # every exercise has mistakes to catch
    assert all(v.exercise in exercises for v in CORRECT)


def test_solutions_score_full_marks_with_hidden_cases(reference):
    result = api.check(SOLUTIONS, assignment="seq2seq", hidden=True, reference=reference)
    assert result.score == result.max_score == 100
    assert not any(e.mistakes or e.diagnoses for e in result.exercises)


def test_stubs_score_zero_as_not_attempted(reference):
    result = api.check(STUBS, hidden=True, reference=reference)
    assert result.assignment == "seq2seq" and result.score == 0
    assert {e.status for e in result.exercises} == {Status.NOT_ATTEMPTED}


@pytest.mark.parametrize("variant", CORRECT, ids=[v.name for v in CORRECT])
def test_correct_but_different_scores_full_marks(variant, reference, tmp_path):
    result = api.check(build(variant, tmp_path / "sub", SOLUTIONS), assignment="seq2seq", hidden=True,
                       reference=reference)
    failing = {e.id: [(c.id, c.failure and c.failure.message) for c in e.cases if c.status is not Status.PASSED]
               for e in result.exercises if e.status is not Status.PASSED}
    assert result.score == 100, failing


NAMED: dict[str, bool] = {}


@pytest.mark.parametrize("variant", MUTANTS, ids=[v.name for v in MUTANTS])
def test_mutant_loses_points_on_its_exercise_only_and_on_the_visible_cases(variant, reference, tmp_path):
    """A mistake costs points on its own exercise, and elsewhere only where the code calls it (the decoder step calls
    the general score, the weights and the context); the visible cases alone show it."""
    spec = specs.get("seq2seq")
    reach = {variant.exercise} | {e.id for e in spec.exercises if variant.exercise in e.depends_on}
    sub = build(variant, tmp_path / "sub", SOLUTIONS)
    for hidden in (True, False):
        result = api.check(sub, assignment="seq2seq", hidden=hidden, reference=reference)
        lost = {e.id for e in result.exercises if e.score < e.max_score}
        assert variant.exercise in lost and lost <= reach, (hidden, lost)
    own = next(e for e in result.exercises if e.id == variant.exercise)
    NAMED[variant.name] = bool(variant.names & ({m.id for m in own.mistakes} | {d.id for d in own.diagnoses}))
    if variant.names:
        assert NAMED[variant.name], (variant.names, [d.id for d in own.diagnoses])


def test_named_share_is_reported():
    """The share of mutants whose report names what they got wrong (printed with -s); the checks' messages describe
    the rest (a wrong shape, a property)."""
    if len(NAMED) < len(MUTANTS):
        pytest.skip("runs after the mutant tests in the same session")
    named = sum(NAMED.values())
    print(f"\nseq2seq: named {named}/{len(MUTANTS)} = {100 * named / len(MUTANTS):.0f} %")
    assert named >= 1
