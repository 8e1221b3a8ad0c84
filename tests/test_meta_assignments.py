"""The pretraining and seq2seq assignments measured like the transformer (tests/test_meta.py): solutions, stubs,
correct variants and mutants (tests/corpus/<assignment>, mined from public bug reports where each one's header says
so), one parametrised module for both."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from corpus import Variant, build, variants

from grader import api, specs
from grader.reference import Reference
from grader.results import Status

ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Bar:
    """What an assignment's corpus must hold, and the least share of its mutants the report names (overall, and
    of the mined ones)."""

    correct: int
    mutants: int
    mined: int
    named: float
    mined_named: float


BARS = {"pretraining": Bar(correct=8, mutants=20, mined=10, named=0.8, mined_named=0.8),
        "seq2seq": Bar(correct=8, mutants=20, mined=6, named=0.8, mined_named=0.8)}
CORRECT = {name: variants(f"{name}/correct") for name in BARS}
MUTANTS = {name: variants(f"{name}/mutants") for name in BARS}
MINED = {name: [v for v in MUTANTS[name] if v.mined] for name in BARS}


def solutions(name: str) -> Path:
    return ROOT / "solutions" / name


def _each(kind: dict[str, list[Variant]]) -> list:
    return [pytest.param(name, v, id=f"{name}-{v.name}") for name in BARS for v in kind[name]]


_REFERENCES: dict[str, Reference] = {}


@pytest.fixture(scope="module")
def reference():
    """The reference of an assignment, made once per module."""
    def get(name: str) -> Reference:
        if name not in _REFERENCES:
            _REFERENCES[name] = Reference(specs.get(name))
        return _REFERENCES[name]
    return get


@pytest.mark.parametrize("name", BARS)
def test_corpus_sizes_meet_the_bar(name):
    bar = BARS[name]
    assert len(CORRECT[name]) >= bar.correct and len(MUTANTS[name]) >= bar.mutants and len(MINED[name]) >= bar.mined
    exercises = {e.id for e in specs.get(name).exercises}
    assert {v.exercise for v in MUTANTS[name]} == exercises  # every exercise has mistakes to catch
    assert all(v.exercise in exercises for v in CORRECT[name])


@pytest.mark.parametrize("name", BARS)
def test_solutions_score_full_marks_with_hidden_cases(name, reference):
    result = api.check(solutions(name), assignment=name, hidden=True, reference=reference(name))
    assert result.score == result.max_score == 100
    assert not any(e.mistakes or e.diagnoses for e in result.exercises)


@pytest.mark.parametrize("name", BARS)
def test_stubs_score_zero_as_not_attempted(name, reference):
    result = api.check(ROOT / "assignments" / name, hidden=True, reference=reference(name))
    assert result.assignment == name and result.score == 0
    assert {e.status for e in result.exercises} == {Status.NOT_ATTEMPTED}


@pytest.mark.parametrize("name,variant", _each(CORRECT))
def test_correct_but_different_scores_full_marks(name, variant, reference, tmp_path):
    result = api.check(build(variant, tmp_path / "sub", solutions(name)), assignment=name, hidden=True,
                       reference=reference(name))
    failing = {e.id: [(c.id, c.failure and c.failure.message) for c in e.cases if c.status is not Status.PASSED]
               for e in result.exercises if e.status is not Status.PASSED}
    assert result.score == 100, failing


NAMED: dict[str, dict[str, bool]] = {name: {} for name in BARS}


@pytest.mark.parametrize("name,variant", _each(MUTANTS))
def test_mutant_loses_points_on_its_exercise_only_and_on_the_visible_cases(name, variant, reference, tmp_path):
    """A mistake costs points on its own exercise, and elsewhere only where the code calls it (pretraining's
    causal_lm_loss may call mlm_loss; seq2seq's decoder step calls the general score, the weights and the context);
    the visible cases alone show it (a student sees it before the graded run)."""
    spec = specs.get(name)
    reach = {variant.exercise} | {e.id for e in spec.exercises if variant.exercise in e.depends_on}
    sub = build(variant, tmp_path / "sub", solutions(name))
    for hidden in (True, False):
        result = api.check(sub, assignment=name, hidden=hidden, reference=reference(name))
        lost = {e.id for e in result.exercises if e.score < e.max_score}
        assert variant.exercise in lost and lost <= reach, (hidden, lost)
    own = next(e for e in result.exercises if e.id == variant.exercise)  # the visible cases' report
    NAMED[name][variant.name] = bool(variant.names & ({m.id for m in own.mistakes} | {d.id for d in own.diagnoses}))
    if variant.names:
        assert NAMED[name][variant.name], (variant.names, [m.id for m in own.mistakes], [d.id for d in own.diagnoses])


@pytest.mark.parametrize("name", BARS)
def test_named_share_is_reported(name):
    """The share of mutants whose report on the visible cases names what they got wrong, overall and of the mined
    ones (printed with -s); the checks' and judges' messages describe the rest."""
    named = NAMED[name]
    if len(named) < len(MUTANTS[name]):
        pytest.skip("runs after the mutant tests in the same session")
    bar = BARS[name]
    count = sum(named.values())
    mined = sum(named[v.name] for v in MINED[name])
    unnamed = sorted(n for n, ok in named.items() if not ok)
    print(f"\n{name}: named {count}/{len(named)} = {100 * count / len(named):.0f} % (mined: {mined}/{len(MINED[name])}"
          f" = {100 * mined / len(MINED[name]):.0f} %); not named: {', '.join(unnamed)}")
    assert count >= 1
    assert count >= bar.named * len(named), unnamed
    assert mined >= bar.mined_named * len(MINED[name]), sorted(set(unnamed) & {v.name for v in MINED[name]})
