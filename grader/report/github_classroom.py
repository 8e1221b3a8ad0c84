"""GitHub Classroom's runner result: what its grading reporter (autograding-grading-reporter) reads from a step output.

Each ``autograding-*-grader`` step hands the reporter one JSON document, base64-encoded, as its ``result`` output; the
reporter posts ``Points <sum of the tests' score>/<max_score>`` to the check run that Classroom reads, and prints a
table whose score column is ``max_score × (tests passed / tests)``. One test per exercise here: its ``score`` is the
exercise's points, so the posted sum is our score; ``status`` is ``pass`` only for an exercise with full marks.
"""

from __future__ import annotations

from typing import Any

from grader import clean
from grader.messages import render
from grader.report.feedback import DEFAULT, case_output, check_level
from grader.report.plain import exercise_notes
from grader.results import GradeResult, Status

VERSION = 1
"""The runner result's version, as the reporter's own graders write it."""

_ERRORS = (Status.ERROR, Status.TIMEOUT, Status.MISSING)


def _status(status: Status) -> str:
    if status is Status.PASSED:
        return "pass"
    return "error" if status in _ERRORS else "fail"


def to_dict(result: GradeResult, lang: str, *, feedback: str = DEFAULT) -> dict[str, Any]:
    """The runner result: ``tests`` one per exercise (name, status, score, message, the file and the command that
    shows the full report), ``max_score`` the assignment's."""
    check_level(feedback)
    tests = []
    for e in result.exercises:
        status = _status(e.status)
        lines = [f"{e.id}: {render('status.' + e.status.value, lang)} ({e.score:g} / {e.max_score:g})"]
        if status != "pass" and feedback != "summary":
            lines += exercise_notes(e, lang)
            first = next((c for c in e.cases if c.status is not Status.PASSED), None)
            if first is not None:
                lines.append(case_output(first, lang, feedback))
        tests.append({
            "name": e.id,
            "status": status,
            "score": e.score,
            "max_score": e.max_score,
            "message": "\n".join(line for line in lines if line).strip(),
            "filename": e.file,
            "line_no": 0,
            "test_code": f"grade check --exercise {e.id}",
            "execution_time": "",
        })
    statuses = {t["status"] for t in tests}
    overall = "fail" if "fail" in statuses else "error" if "error" in statuses else "pass"
    return {"version": VERSION, "status": overall, "max_score": result.max_score, "tests": tests}


def dumps(result: GradeResult, lang: str, *, feedback: str = DEFAULT) -> str:
    return clean.json_dumps(to_dict(result, lang, feedback=feedback))
