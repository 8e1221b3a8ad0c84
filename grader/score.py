"""Points and statuses: from case results to an exercise's score, and exit codes."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from grader.results import CaseResult, ExerciseResult, GradeResult, Message, MistakeMatch, Status

if TYPE_CHECKING:
    from grader.spec import Exercise

EXIT_OK = 0
"""Every exercise passed (or the score reached --min-score)."""
EXIT_FAILED = 1
"""Some exercise lost points."""
EXIT_USAGE = 2
"""The command was used wrongly: a bad path, option or assignment name."""
EXIT_GRADER_FAULT = 3
"""The grader itself failed; the student's score is not to be trusted."""


def exercise_status(cases: Sequence[CaseResult]) -> Status:
    statuses = {c.status for c in cases}
    if statuses == {Status.PASSED}:
        return Status.PASSED
    for only in (Status.NOT_ATTEMPTED, Status.MISSING, Status.TIMEOUT, Status.ERROR):
        if statuses == {only}:
            return only
    if Status.NOT_ATTEMPTED in statuses and Status.PASSED not in statuses:
        return Status.NOT_ATTEMPTED
    if Status.TIMEOUT in statuses and Status.PASSED not in statuses:
        return Status.TIMEOUT
    return Status.FAILED


def score_exercise(exercise: Exercise, cases: Sequence[CaseResult], mistakes: Sequence[MistakeMatch],
                   notes: Sequence[Message], forbidden: bool) -> ExerciseResult:
    """Partial credit per case: points × passed cases / cases. A forbidden shortcut scores 0."""
    passed = sum(c.status is Status.PASSED for c in cases)
    status = exercise_status(cases) if cases else Status.PASSED
    score = exercise.points * passed / len(cases) if cases else exercise.points
    if forbidden:
        score, status = 0.0, Status.FAILED
    return ExerciseResult(
        id=exercise.id, file=exercise.file, score=round(score, 2), max_score=exercise.points, status=status,
        cases=tuple(cases), mistakes=tuple(mistakes), notes=tuple(notes),
    )


def exit_code(result: GradeResult, min_score: float | None = None) -> int:
    if min_score is not None:
        return EXIT_OK if result.score >= min_score else EXIT_FAILED
    return EXIT_OK if result.passed else EXIT_FAILED
