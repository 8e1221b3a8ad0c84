"""The training assignment measured like the others: solutions, stubs, correct variants and mutants
(tests/corpus/training, mined from public bug reports where each one's header says so).

Kept to a few minutes: one grading process (the module's reference, its trained greedy-decoding weights made once),
the mutants graded on the visible cases only (what the assignment promises: each loses points there, on its own
exercise), the solutions and the correct variants with the hidden cases too."""

from __future__ import annotations

from pathlib import Path

import pytest
from corpus import build, variants
from test_formats import validate_gradescope

from grader import api, specs
from grader.reference import Reference
from grader.report import figures, gradescope
from grader.results import Status

ROOT = Path(__file__).resolve().parents[1]
SOLUTIONS = ROOT / "solutions" / "training"
STUBS = ROOT / "assignments" / "training"
CORRECT = variants("training/correct")
MUTANTS = variants("training/mutants")
MINED = [v for v in MUTANTS if v.source and v.source.startswith("https://")]
TRAIN = "train_copy_task"
"""The exercise judged by training (three runs, seconds each): graded only where a variant is about it."""


def _reach(exercise: str) -> list[str]:
    """The exercise and those that call it, the training exercise only when it is the variant's own."""
    spec = specs.get("training")
    return [e.id for e in spec.exercises if e.id == exercise or (exercise in e.depends_on and e.id != TRAIN)]


@pytest.fixture(scope="module")
def reference():
    return Reference(specs.get("training"))


def test_corpus_sizes_meet_the_bar():
    assert len(CORRECT) >= 8 and len(MUTANTS) >= 20 and len(MINED) >= 6
    exercises = {e.id for e in specs.get("training").exercises}
    assert {v.exercise for v in MUTANTS} == exercises  # every exercise has mistakes to catch
    assert all(v.exercise in exercises for v in CORRECT)
    catalog = {m.id for e in specs.get("training").exercises for m in e.mistakes}
    assert {v.mistake for v in MUTANTS if v.mistake} <= catalog


def test_solutions_score_full_marks_with_hidden_cases(reference):
    result = api.check(SOLUTIONS, assignment="training", hidden=True, reference=reference)
    assert result.score == result.max_score == 100
    assert not any(e.mistakes or e.diagnoses for e in result.exercises)
    # the leaderboard Gradescope shows: what the judge measured on the training case (the reference copies 80 to
    # 100 % of the held-out sequences, in the 300 steps it is given)
    data = gradescope.to_dict(result, "en", execution_time=1.0)
    validate_gradescope(data)
    held_out, steps = data["leaderboard"]
    assert held_out["name"] == "Held-out exact copies (%)" and held_out["order"] == "desc" and held_out["value"] >= 50
    assert steps == {"name": "Optimizer steps", "value": 300, "order": "asc"}
    # the figures the student sees: each run's held-out loss falls from the fresh model's (about ln 9) to a small
    # fraction of it over the 300 steps, and the copy's attention is diagonal (each written position looks at the
    # source's same position: row t, column t + 1)
    (_e, _c, drawn), = figures.found(result)
    runs = drawn["loss"]["runs"]
    assert len(runs) == 3 and all(r[0][0] == 0 and r[-1][0] == 300 and r[-1][1] < r[0][1] / 10 for r in runs)
    values = drawn["attention"]["values"]
    assert sum(max(range(len(row)), key=row.__getitem__) == t + 1 for t, row in enumerate(values)) >= len(values) - 1
    test = next(t for t in data["tests"] if t["name"] == "train_copy_task: copy_task")
    assert test["output_format"] == "html" and test["output"].count('<img alt="') == 2


def test_stubs_score_zero_as_not_attempted(reference):
    result = api.check(STUBS, hidden=True, reference=reference)
    assert result.assignment == "training" and result.score == 0
    assert {e.status for e in result.exercises} == {Status.NOT_ATTEMPTED}


@pytest.mark.parametrize("variant", CORRECT, ids=[v.name for v in CORRECT])
def test_correct_but_different_scores_full_marks(variant, reference, tmp_path):
    result = api.check(build(variant, tmp_path / "sub", SOLUTIONS), assignment="training", hidden=True,
                       reference=reference, exercises=_reach(variant.exercise))
    failing = {e.id: [(c.id, c.failure and c.failure.message) for c in e.cases if c.status is not Status.PASSED]
               for e in result.exercises if e.status is not Status.PASSED}
    assert not failing and all(e.score == e.max_score for e in result.exercises), failing


NAMED: dict[str, bool] = {}


@pytest.mark.parametrize("variant", MUTANTS, ids=[v.name for v in MUTANTS])
def test_mutant_loses_points_on_its_exercise_on_the_visible_cases(variant, reference, tmp_path):
    """A mistake costs points on its own exercise, and elsewhere only where the code calls it (greedy decoding
    calls the model, the model the embeddings); the visible cases alone show it. The training exercise, which
    calls nearly everything, is graded for its own mutants only (the cheats: no optimizer.step, no zero_grad, a
    fresh model returned, the evaluation data found and trained on, the time limit read)."""
    spec = specs.get("training")
    reach = set(_reach(variant.exercise))
    graded = reach if variant.exercise == TRAIN else [e.id for e in spec.exercises if e.id != TRAIN]
    result = api.check(build(variant, tmp_path / "sub", SOLUTIONS), assignment="training", hidden=False,
                       reference=reference, exercises=graded)
    lost = {e.id for e in result.exercises if e.score < e.max_score}
    assert variant.exercise in lost and lost <= reach, lost
    own = next(e for e in result.exercises if e.id == variant.exercise)
    NAMED[variant.name] = bool(variant.names & ({m.id for m in own.mistakes} | {d.id for d in own.diagnoses}))
    if variant.names:
        assert NAMED[variant.name], (variant.names, [m.id for m in own.mistakes], [d.id for d in own.diagnoses])


def test_named_share_is_reported():
    """The share of mutants whose report names what they got wrong (printed with -s)."""
    if len(NAMED) < len(MUTANTS):
        pytest.skip("runs after the mutant tests in the same session")
    named = sum(NAMED.values())
    print(f"\ntraining: named {named}/{len(MUTANTS)} = {100 * named / len(MUTANTS):.0f} %")
    assert named >= 1
