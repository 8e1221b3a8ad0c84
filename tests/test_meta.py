"""The grader's own precision and recall: solutions, stubs, correct variants and mutants."""

from __future__ import annotations

import pytest
from conftest import SOLUTIONS, STUBS
from corpus import build, variants

from grader import api
from grader.results import Status

CORRECT = variants("correct")
MUTANTS = variants("mutants")


def reach(assignment, exercise_id: str) -> set[str]:
    """The exercise and every exercise that depends on it, directly or not."""
    found = {exercise_id}
    changed = True
    while changed:
        changed = False
        for e in assignment.exercises:
            if e.id not in found and found.intersection(e.depends_on):
                found.add(e.id)
                changed = True
    return found


MINED = [v for v in MUTANTS if v.source and v.source.startswith("https://")]  # invented ones say why instead
"""Mutants taken from bugs reported in public implementations (each names where in its ``# source:`` header)."""
HOMEWORK = [v for v in MINED if v.homework]
"""Mined from students' and courses' homework repositories (``# kind: homework``), not from issue trackers."""
VISIBLE = [v for v in MUTANTS if v.visible]


def test_corpus_sizes_meet_the_bar():
    assert len(CORRECT) >= 10
    assert len(MUTANTS) >= 25
    assert len(MINED) >= 15
    assert all(v.source.startswith("https://") for v in MINED)
    assert len(HOMEWORK) >= 20  # issue 24: at least 20 homework mistakes from at least 8 repositories
    assert len({"/".join(v.source.split("/")[3:5]) for v in HOMEWORK}) >= 8
    assert all("/blob/" in v.source for v in HOMEWORK)  # a file of the homework, not an issue or a pull request
    assert all(v.homework for v in MUTANTS if v.name.startswith("real_hw_"))


def test_solutions_score_full_marks_with_hidden_cases(reference):
    result = api.check(SOLUTIONS, hidden=True, reference=reference)
    assert result.score == result.max_score == 100
    assert all(e.status is Status.PASSED for e in result.exercises)
    assert not any(e.mistakes for e in result.exercises)


def test_stubs_score_zero_as_not_attempted(reference):
    result = api.check(STUBS, hidden=True, reference=reference)
    assert result.score == 0
    assert {e.status for e in result.exercises} == {Status.NOT_ATTEMPTED}
    assert all(c.status is Status.NOT_ATTEMPTED for e in result.exercises for c in e.cases)


@pytest.mark.parametrize("variant", CORRECT, ids=[v.name for v in CORRECT])
def test_correct_but_different_scores_full_marks(variant, reference, tmp_path):
    result = api.check(build(variant, tmp_path / "sub"), assignment="transformer", hidden=True, reference=reference)
    failing = {e.id: [(c.id, c.failure and c.failure.message) for c in e.cases if c.status is not Status.PASSED]
               for e in result.exercises if e.status is not Status.PASSED}
    assert result.score == 100, failing


@pytest.mark.parametrize("variant", MUTANTS, ids=[v.name for v in MUTANTS])
def test_mutant_loses_points_on_its_exercise_only(variant, reference, assignment, tmp_path):
    result = api.check(build(variant, tmp_path / "sub"), assignment="transformer", hidden=True, reference=reference)
    lost = {e.id for e in result.exercises if e.score < e.max_score}
    assert variant.exercise in lost, f"{variant.name} did not lose points on {variant.exercise}"
    assert lost <= reach(assignment, variant.exercise), f"{variant.name} lost points out of reach: {lost}"
    if variant.mistake:  # a catalogued mistake must be named (by the catalog, or by its diagnosis)
        own = next(e for e in result.exercises if e.id == variant.exercise)
        named = {m.id for m in own.mistakes} | {d.id for d in own.diagnoses}
        assert variant.names & named, sorted(named)


@pytest.mark.parametrize("variant", VISIBLE, ids=[v.name for v in VISIBLE])
def test_mutant_loses_points_on_the_visible_cases_alone(variant, reference, assignment, tmp_path):
    """What a student runs locally tells them: every kind of check an exercise has is on a visible case, so a
    mistake never gets "passed" locally and fails only when graded."""
    result = api.check(build(variant, tmp_path / "sub"), assignment="transformer", hidden=False, reference=reference)
    lost = {e.id for e in result.exercises if e.score < e.max_score}
    assert variant.exercise in lost, f"{variant.name} passes every visible case of {variant.exercise}"
    assert lost <= reach(assignment, variant.exercise), f"{variant.name} lost points out of reach: {lost}"


def test_device_placement_shows_on_the_visible_cases(assignment):
    """Without a GPU a tensor made on the default device equals one made on the inputs' device; each exercise that
    takes a tensor has a visible case 'elsewhere' that shows the difference (grader.sandbox.elsewhere), and the
    layers have a visible float64 case (a LayerNorm's eps of 1e-6 instead of 1e-5 hides inside the float32
    tolerance), so no mutant of the corpus is left to the graded run or to a GPU."""
    assert [v.name for v in MUTANTS if not v.visible] == []
    takes_tensors = [e for e in assignment.exercises if any(c.device != "cpu" for c in e.cases)]
    assert len(takes_tensors) >= 8
    for e in takes_tensors:
        assert any(c.device == "elsewhere" and not c.hidden for c in e.cases), e.id


def test_most_mutants_are_named(reference, tmp_path):
    """The share of mutants whose nature the report names, by the catalog or by a probe's diagnosis: at least
    80 % of the corpus, and of each kind of mined mistake separately: bugs reported to issue trackers, and student
    homework (``# kind: homework``) (printed with -s)."""
    named, unnamed = [], []
    for i, variant in enumerate(MUTANTS):
        result = api.check(build(variant, tmp_path / f"s{i}"), assignment="transformer", hidden=True,
                           reference=reference, exercises=[variant.exercise])
        own = result.exercises[0]
        found = {m.id for m in own.mistakes} | {d.id for d in own.diagnoses}
        (named if variant.names & found else unnamed).append(variant.name)
    reports = [v.name for v in MINED if not v.homework]
    homework = [v.name for v in HOMEWORK]
    share = len(named) / len(MUTANTS)
    reports_share = len(set(named) & set(reports)) / len(reports)
    homework_share = len(set(named) & set(homework)) / len(homework)
    print(f"\nnamed: {len(named)}/{len(MUTANTS)} = {share:.0%} (mined from bug reports: {reports_share:.0%} of "
          f"{len(reports)}; mined from student homework: {homework_share:.0%} of {len(homework)});"
          f" not named: {', '.join(unnamed)}")
    assert share >= 0.8, unnamed
    assert reports_share >= 0.8, sorted(set(unnamed) & set(reports))
    assert homework_share >= 0.8, sorted(set(unnamed) & set(homework))


def test_every_catalogued_mistake_is_caught_by_some_hidden_case(assignment, reference):
    """A mistake whose outputs equal the reference's on every case could never be named."""
    from grader import compare
    from grader.spec import tolerance_for

    for exercise in assignment.exercises:
        for mistake in exercise.mistakes:
            differs = False
            for case in exercise.cases:
                if case.device == "meta":
                    continue
                prepared = reference.prepare(exercise, case)
                theirs = reference.mistake_outputs(exercise, case, mistake.id)
                if theirs is None:
                    differs = True
                    break
                for key, exp in prepared.expected.items():
                    got = theirs.get(key)
                    if exp.kind == "value" or (got is not None and got.kind == "value"):
                        if got is None or got.value != exp.value:
                            differs = True
                    elif exp.tensor is not None and (got is None or got.tensor is None or not compare.close(
                            got.tensor, exp.tensor, tolerance_for(exp.tensor.dtype))):
                        differs = True
                if differs:
                    break
            assert differs, f"{exercise.id}: mistake {mistake.id} is indistinguishable from the reference"


def test_catalog_is_large_enough(assignment):
    assert sum(len(e.mistakes) for e in assignment.exercises) >= 15
