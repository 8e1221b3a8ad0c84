"""PrairieLearn's external-grader results.json: ``score`` in [0, 1], one test per case with ``points`` and
``max_points``, the report as ``output``.

PrairieLearn has no hidden tests of its own: a hidden case is listed with its points and its status, and shows its
data only where ``feedback`` allows (grader.report.feedback), as Gradescope's hidden cases do.
"""

from __future__ import annotations

from typing import Any

from grader import clean
from grader.messages import render
from grader.report.feedback import DEFAULT, case_line, case_output, check_level
from grader.report.plain import exercise_notes
from grader.results import GradeResult, Status
from grader.score import case_points


def to_dict(result: GradeResult, lang: str, *, output: str = "", feedback: str = DEFAULT) -> dict[str, Any]:
    """``output``: the whole report as text (the terminal's report, without colour)."""
    check_level(feedback)
    tests = []
    for e in result.exercises:
        notes = exercise_notes(e, lang) if feedback != "summary" else []
        for c, (points, most) in zip(e.cases, case_points(result, e), strict=True):
            passed = c.status is Status.PASSED
            tests.append({
                "name": f"{e.id}: {c.id}",
                "description": f"{e.file} · {e.id}" + (render("ui.hidden_tag", lang) if c.hidden else ""),
                "points": round(points, 4),
                "max_points": round(most, 4),
                "message": render(f"status.{c.status.value}", lang) if passed else case_line(c, lang, feedback),
                "output": "" if passed else "\n".join([*notes, case_output(c, lang, feedback)]).strip(),
            })
    score = result.score / result.max_score if result.max_score else 0.0
    return {
        "gradable": True,
        "score": min(max(round(score, 6), 0.0), 1.0),
        "message": render("ui.title", lang, assignment=result.assignment, score=result.score,
                          max_score=result.max_score),
        "output": output,
        "images": [],
        "tests": tests,
    }


def dumps(result: GradeResult, lang: str, *, output: str = "", feedback: str = DEFAULT) -> str:
    return clean.json_dumps(to_dict(result, lang, output=output, feedback=feedback))
