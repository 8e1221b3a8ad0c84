"""Asking the quiz in the terminal: one question at a time, feedback and explanation at once."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from rich.console import Console
from rich.panel import Panel
from rich.prompt import Prompt
from rich.text import Text

from grader.messages import render
from grader.quiz.bank import Bank, Question, canonical_given, draw
from grader.quiz.grade import QuestionResult, QuizResult, judge

Ask = Callable[[str], str]


def _valid(q: Question, raw: str) -> bool:
    canonical = canonical_given(q, raw)
    if canonical is None:
        return False
    ids = q.choice_ids()
    if q.type == "single":
        return canonical in ids
    if q.type == "multiple":
        picked = canonical.split(",")
        return set(picked) <= set(ids) and len(set(picked)) == len(picked)
    if q.type == "order":
        return sorted(canonical.split(",")) == sorted(ids)
    return True


def _show(q: Question, index: int, total: int, lang: str, student: str, console: Console) -> None:
    body = [Text(q.render(lang, draw(q, student)))]
    for c in q.choices:
        body.append(Text(f"  {c.id}) {c.text[lang]}"))
    title = render("quiz.ui.question", lang, index=index, total=total, topic=q.topic, points=q.points)
    console.print(Panel(Text("\n").join(body), title=Text(title), title_align="left"))


def run(bank: Bank, *, student: str, lang: str, console: Console, topics: Sequence[str] = (),
        ask: Ask | None = None) -> tuple[QuizResult, dict[str, Any]]:
    """Ask every question (of ``topics``, if given); return the result and the answers given."""
    ask = ask or (lambda label: Prompt.ask(label, console=console, default="", show_default=False))
    questions = [q for q in bank.questions if not topics or q.topic in topics]
    answers: dict[str, Any] = {}
    results: list[QuestionResult] = []
    for i, q in enumerate(questions, 1):
        _show(q, i, len(questions), lang, student, console)
        while True:
            raw = ask(render(f"quiz.ask.{q.type}", lang)).strip()
            if not raw or _valid(q, raw):
                break
            console.print(Text(render(f"quiz.invalid.{q.type}", lang, choices=", ".join(q.choice_ids())), style="yellow"))
        if raw:
            answers[q.id] = raw
        result = judge(bank, q, raw, student)
        results.append(result)
        style = {"correct": "bold green", "wrong": "bold red", "unanswered": "yellow", "recorded": "cyan"}[result.status]
        console.print(Text(render(f"quiz.feedback.{result.status}", lang), style=style))
        console.print(Text(q.explanation[lang], style="dim"))  # student banks hold no explanation that gives a graded answer away
    score = round(sum(r.score for r in results), 2)
    return QuizResult(bank.assignment, student, score, sum(q.points for q in questions), tuple(results)), answers
