"""Points and statuses: from case results to an exercise's score, and exit codes."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from grader.results import CaseResult, ExerciseResult, GradeResult, Message, MistakeMatch, Standing, Status

if TYPE_CHECKING:
    from grader.spec import Assignment, Exercise

EXIT_OK = 0
"""Every exercise passed (or the score reached --min-score)."""
EXIT_FAILED = 1
"""Some exercise lost points."""
EXIT_USAGE = 2
"""The command was used wrongly: a bad path, option or assignment name."""
EXIT_GRADER_FAULT = 3
"""The grader itself failed; the student's score is not to be trusted."""
EXIT_INTERRUPTED = 130
"""Ctrl-C (or Ctrl-D at a prompt): stopped by the person running it, as shells report SIGINT."""


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


def is_gate(exercise: Exercise, result_id: str) -> bool:
    """Whether the case behind ``result_id`` (a case id, or ``id@device``) is a gate: a case that compares no
    value (a device case; a case where the code must refuse its arguments), so code that does no work can
    pass it (zeros of the right shape; ``raise ValueError`` everywhere). A gate earns no points itself and
    takes points away when it fails (see :func:`score_exercise`)."""
    from grader.spec import GATE_DEVICES, PropertyKind

    case = next((c for c in exercise.cases if c.id == result_id.split("@", 1)[0]), None)
    judged = case is not None and any(p.kind is PropertyKind.JUDGE for p in case.properties)
    return case is not None and (case.device in GATE_DEVICES or (not case.compare and not judged))


def case_points(result: GradeResult, exercise: ExerciseResult) -> list[tuple[float, float]]:
    """(earned, most) per case of ``exercise``, as :func:`score_exercise` scores it, for reports that give points
    per case: each value case may earn points / value cases, and the passed ones share the exercise's score
    equally; a device case earns and may earn 0 (it only gates). The earned points add up to the score."""
    from grader import specs

    try:
        spec: Exercise | None = specs.get(result.assignment).exercise(exercise.id)
    except Exception:  # noqa: BLE001 - an assignment this grader cannot load: every case counts alike
        spec = None
    valued = [spec is None or not is_gate(spec, c.id) for c in exercise.cases]
    passed = [v and c.status is Status.PASSED for v, c in zip(valued, exercise.cases, strict=True)]
    most = exercise.max_score / sum(valued) if any(valued) else 0.0
    earned = exercise.score / sum(passed) if any(passed) else 0.0
    # the exercise's score is rounded to hundredths: a passed case never earns more than its share
    return [(min(earned, most) if p else 0.0, most if v else 0.0) for v, p in zip(valued, passed, strict=True)]


def score_exercise(exercise: Exercise, cases: Sequence[CaseResult], mistakes: Sequence[MistakeMatch],
                   notes: Sequence[Message], forbidden: bool) -> ExerciseResult:
    """Partial credit from the cases that compare values; the gates (device cases, cases that must raise)
    gate it.

    points × (passed value cases / value cases) × (1 − failed gates / all cases).

    A device case compares only structure (shapes, dtypes, the device), which zeros of the right shape also
    have, and a case that must raise is passed by code that raises everywhere: a gate earns nothing by itself,
    and each one that fails takes its share (1 / all cases) off what the value cases earned, so an exercise
    that is right except on the device (or that accepts bad arguments) loses what it lost before, and a
    submission that returns zeros of the right shape, or only raises, scores 0. An exercise with no value case to run cannot
    be graded: it is an error with 0 points, never full marks. A forbidden shortcut scores 0.
    """
    notes = list(notes)
    gates = [c for c in cases if is_gate(exercise, c.id)]
    valued = [c for c in cases if not is_gate(exercise, c.id)]
    if not valued:
        status, score = Status.ERROR, 0.0
        notes.append(Message("note.no_cases"))
    else:
        status = exercise_status(cases)
        failed_gates = sum(c.status is not Status.PASSED for c in gates)
        share = sum(c.status is Status.PASSED for c in valued) / len(valued)
        score = exercise.points * share * (1 - failed_gates / len(cases))
        if failed_gates and share > 0:
            notes.append(Message("note.device_gate", {"failed": failed_gates,
                                                      "share": round(100 * failed_gates / len(cases), 1)}))
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


def standings(spec: Assignment, exercises: Sequence[ExerciseResult]) -> tuple[Standing, ...]:
    """The assignment's leaderboard entries (``spec.leaderboard``) from the graded exercises: each the number its
    judge measured on the named case (a passed check's or a failed one's message parameter). An entry whose case
    was not graded, or measured nothing (it raised, timed out, or failed before the judge), is left out."""
    found = []
    for entry in spec.leaderboard:
        cases = [c for e in exercises if e.id == entry.exercise for c in e.cases if c.id.split("@", 1)[0] == entry.case]
        values = [ch.message.params[entry.param] for c in cases for ch in c.checks
                  if ch.message is not None and entry.param in ch.message.params]
        if values and isinstance(values[0], (int, float)) and not isinstance(values[0], bool):
            found.append(Standing(entry.name, values[0], entry.order))
    return tuple(found)
