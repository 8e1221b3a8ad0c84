"""Gradescope's results.json: one test per case, scores in points, hidden cases after publication, and the
assignment's leaderboard entries where it declares some."""

from __future__ import annotations

import html
from typing import Any

from grader import clean
from grader.messages import render
from grader.report import figures, pictures
from grader.report.feedback import DEFAULT, case_output, check_level
from grader.report.plain import exercise_notes, isolation_words
from grader.results import GradeResult, Status
from grader.score import case_points

VISIBILITIES = ("hidden", "after_due_date", "after_published", "visible")


def to_dict(result: GradeResult, lang: str, *, execution_time: float,
            hidden_visibility: str = "after_published", feedback: str = DEFAULT) -> dict[str, Any]:
    """``feedback``: what a failing case's output shows (grader.report.feedback: full, visible, summary)."""
    check_level(feedback)
    if hidden_visibility not in VISIBILITIES:
        raise ValueError(f"hidden_visibility={hidden_visibility!r}; expected one of {', '.join(VISIBILITIES)}")
    tests = []
    drawn = {(e.id, c.id): h for e, c, h in pictures.chosen(result, feedback)} if feedback != "summary" else {}
    shown = {(e.id, c.id): f for e, c, f in figures.found(result, feedback)} if feedback != "summary" else {}
    for task, e in enumerate(result.exercises, 1):
        notes = exercise_notes(e, lang) if feedback != "summary" else []
        # each case's share as the exercise was scored (gates earn nothing; a forbidden shortcut zeroes all):
        # the cases' points add up to the exercise's score
        for i, (c, (score, most)) in enumerate(zip(e.cases, case_points(result, e), strict=True), 1):
            passed = c.status is Status.PASSED
            output = "" if passed else "\n".join([render(f"status.{c.status.value}", lang), *notes,
                                                   case_output(c, lang, feedback)])
            tests.append({
                "name": f"{e.id}: {c.id}",
                "number": f"{task}.{i}",
                "score": round(score, 4),
                "max_score": round(most, 4),
                "status": "passed" if passed and (score > 0 or most == 0) and e.score > 0 else "failed",
                "output": output.strip(),
                **_with_images(output.strip(), _images(e.id, c.id, drawn, shown, lang)),
                "visibility": hidden_visibility if c.hidden else "visible",
                "tags": [e.id],
            })
    summary = render("ui.title", lang, assignment=result.assignment, score=result.score, max_score=result.max_score)
    cases = render("ui.cases_hidden" if result.hidden else "ui.cases_visible", lang)
    subtitle = render("ui.subtitle", lang, device=result.device, isolation=isolation_words(result.isolation, lang), cases=cases,
                      version=result.grader_version)
    return {
        "score": result.score,
        "execution_time": round(execution_time, 3),
        "output": f"{summary}\n{subtitle}",
        "output_format": "text",
        "test_output_format": "text",
        "stdout_visibility": "hidden",
        "tests": tests,
        # the assignment's own figures (grader.spec.Leaderboard), for an assignment with the leaderboard turned on
        **({"leaderboard": [{"name": s.name, "value": s.value, "order": s.order} for s in result.leaderboard]}
           if result.leaderboard else {}),
        "extra_data": {"assignment": result.assignment, "isolation": result.isolation,
                       **({"quiz_score": result.quiz.score, "quiz_max_score": result.quiz.max_score} if result.quiz else {})},
    }


def _images(exercise_id: str, case_id: str, drawn: dict[tuple[str, str], Any], shown: dict[tuple[str, str], Any],
            lang: str) -> list[tuple[str, str]]:
    """(alt text, SVG) of the case's heatmaps where drawn, then of the figures a judge kept."""
    images = []
    if (exercise_id, case_id) in drawn:
        heatmap = drawn[exercise_id, case_id]
        images.append((pictures.alt(exercise_id, case_id, heatmap, lang),
                       pictures.svg(exercise_id, case_id, heatmap, lang)))
    figured = shown.get((exercise_id, case_id), {})
    images += [(figures.alt(figured, kind, lang), figures.svg(figured, kind, lang)) for kind in figures.kinds(figured)]
    return images


def _with_images(output: str, images: list[tuple[str, str]]) -> dict[str, str]:
    """The test's output as HTML where it has images: the text as it is, then each image embedded (Gradescope keeps
    an <img> with a data: URI where it strips inline SVG); nothing to change where it has none."""
    if not images:
        return {}
    embedded = "".join(f'\n<img alt="{html.escape(alt, quote=True)}" src="{pictures.data_uri(svg)}">'
                       for alt, svg in images)
    return {"output": (f"<pre>{html.escape(output)}</pre>" if output else "") + embedded, "output_format": "html"}


def dumps(result: GradeResult, lang: str, *, execution_time: float, hidden_visibility: str = "after_published",
          feedback: str = DEFAULT) -> str:
    return clean.json_dumps(to_dict(result, lang, execution_time=execution_time, hidden_visibility=hidden_visibility,
                                    feedback=feedback))
