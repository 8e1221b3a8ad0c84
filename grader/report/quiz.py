"""Quiz results as JSON (schema ``nlp-grader/quiz/v1``) and as a terminal summary."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from grader import clean
from grader.messages import render
from grader.quiz.grade import ANONYMOUS, QuizResult

SCHEMA = "nlp-grader/quiz/v1"


def to_dict(result: QuizResult, lang: str) -> dict[str, Any]:
    return {
        "schema": SCHEMA, "assignment": result.assignment, "student": result.student, "lang": lang,
        "score": result.score, "max_score": result.max_score,
        "questions": [{"id": q.id, "topic": q.topic, "type": q.type, "correct": q.correct, "points": q.points,
                       "score": q.score, "status": q.status, "message": render(f"quiz.feedback.{q.status}", lang),
                       **({"params": dict(q.params)} if q.params else {})} for q in result.questions],
    }


def dumps(result: QuizResult, lang: str) -> str:
    return clean.json_dumps(to_dict(result, lang))


def render_summary(result: QuizResult, console: Console, lang: str) -> None:
    by_topic: dict[str, list[Any]] = defaultdict(list)
    for q in result.questions:
        by_topic[q.topic].append(q)
    # the student id is self-declared text: a Text title, never markup
    student = render("quiz.ui.anonymous", lang) if result.student == ANONYMOUS else clean.name(result.student)
    table = Table(title=clean.terminal(render("quiz.ui.summary", lang, student=student)))
    for key in ("quiz.ui.topic", "quiz.ui.correct", "quiz.ui.recorded", "ui.col.score"):
        table.add_column(clean.terminal(render(key, lang)), justify="left" if key == "quiz.ui.topic" else "right")
    for topic, qs in by_topic.items():
        table.add_row(clean.terminal(topic), Text(f"{sum(q.status == 'correct' for q in qs)}/{len(qs)}"),
                      Text(str(sum(q.status == "recorded" for q in qs))),
                      Text(f"{sum(q.score for q in qs):g}/{sum(q.points for q in qs):g}"))
    console.print(table)
    console.print(Text(render("quiz.ui.total", lang, score=result.score, max_score=result.max_score), style="bold"))
    if any(q.status == "recorded" for q in result.questions):
        console.print(Text(render("quiz.ui.recorded_note", lang), style="cyan"))
