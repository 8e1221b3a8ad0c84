"""Asking the quiz in the terminal: one question at a time, feedback and explanation at once.

``q``, ``quit`` or ``그만`` (or Ctrl-D) stops the run and keeps what was answered: the answers file (``--save``, else
``quiz-answers.toml`` here, the file ``grade check`` reads) holds them, and ``--resume`` goes on from there;
``--retry-missed`` asks again only what that file has wrong or blank.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.console import Console, Group
from rich.panel import Panel
from rich.prompt import Prompt
from rich.table import Table
from rich.text import Text

from grader import clean
from grader.cells import QUIZ_FILE
from grader.messages import render
from grader.quiz.bank import Bank, Question, canonical_given, draw
from grader.quiz.grade import ANONYMOUS, QuestionResult, QuizResult, judge, load_answers, right_answer

Ask = Callable[[str], str]

QUIT = frozenset({"q", "quit", "exit", "그만", "종료"})
"""Typed at any prompt, in either language: stop here and keep the answers given."""


@dataclass(frozen=True)
class Session:
    result: QuizResult
    """Every selected question judged from the answers kept (earlier runs' included)."""
    answers: dict[str, Any]
    """question id → the answer as typed (or as read back from the answers file)."""
    stopped: bool
    """The student typed q (quit, 그만) or pressed Ctrl-D before the last question."""


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


def _choices(q: Question, lang: str, ids: Sequence[str] | None = None) -> Table:
    """The choices as a grid: a long choice wraps under its own text, not under its letter, whole (clean.prose:
    a Hangul line never loses its last syllable to rich's "…")."""
    grid = Table.grid(padding=(0, 1))
    grid.add_column(no_wrap=True)
    grid.add_column()
    for c in q.choices:
        if ids is None or c.id in ids:
            grid.add_row(Text(f"  {c.id})"), clean.prose(c.text[lang]))
    return grid


def _show(q: Question, index: int, total: int, lang: str, student: str, console: Console) -> None:
    body: list[Any] = [clean.prose(q.render(lang, draw(q, student)))]
    if q.choices:
        body.append(_choices(q, lang))
    title = render("quiz.ui.question", lang, index=index, total=total, topic=q.topic, points=q.points)
    console.print(Panel(Group(*body), title=Text(title), title_align="left"))


def _prompt(q: Question, lang: str) -> str:
    ids = q.choice_ids()
    return render(f"quiz.ask.{q.type}", lang, first=ids[0] if ids else "", last=ids[-1] if ids else "")


def _answer(q: Question, ask: Ask, lang: str, console: Console) -> str | None:
    """What the student typed (``""``: skipped), or None to stop (a quit word or Ctrl-D)."""
    while True:
        try:
            raw = ask(_prompt(q, lang)).strip()
        except EOFError:
            console.print()
            return None
        except KeyboardInterrupt:  # Ctrl-C at the prompt: what follows starts on a line of its own, not after ^C
            console.print()
            raise
        if raw.casefold() in QUIT:
            return None
        if not raw or _valid(q, raw):
            return raw
        console.print(Text(render(f"quiz.invalid.{q.type}", lang, choices=", ".join(q.choice_ids())), style="yellow"))


def _reveal(bank: Bank, q: Question, student: str, lang: str, console: Console) -> None:
    """After a wrong practice answer: the right one (the choice written out), when the bank can tell."""
    answer = right_answer(bank, q, student)
    if answer is None:
        return
    ids = answer.split(",")
    if q.type == "single":
        answer = f"{answer}) " + next(c.text[lang] for c in q.choices if c.id == answer)
    console.print(Text(render("quiz.feedback.answer", lang, answer=", ".join(ids) if q.type != "single" else answer),
                       style="green"))
    if q.type == "multiple":
        console.print(_choices(q, lang, ids))


def run(bank: Bank, *, student: str, lang: str, console: Console, topics: Sequence[str] = (),
        ask: Ask | None = None, answers: dict[str, Any] | None = None,
        only: Collection[str] | None = None) -> Session:
    """Ask the questions (of ``topics``; of ``only``, when given); ``answers`` (updated in place) holds those
    given before. Returns every selected question judged, whether the run was stopped early included."""
    ask = ask or (lambda label: Prompt.ask(label, console=console, default="", show_default=False))
    answers = {} if answers is None else answers
    questions = [q for q in bank.questions if not topics or q.topic in topics]
    todo = [q for q in questions if only is None or q.id in only]
    if todo:
        console.print(Text(render("quiz.ui.start", lang, count=len(todo)), style="dim"))
    stopped = False
    for i, q in enumerate(todo, 1):
        _show(q, i, len(todo), lang, student, console)
        raw = _answer(q, ask, lang, console)
        if raw is None:
            stopped = True
            break
        if raw:
            answers[q.id] = raw
        result = judge(bank, q, raw, student)
        style = {"correct": "bold green", "wrong": "bold red", "unanswered": "yellow", "recorded": "cyan"}[result.status]
        console.print(Text(render(f"quiz.feedback.{result.status}", lang), style=style))
        if result.status == "wrong":
            _reveal(bank, q, student, lang, console)
        # student banks hold no explanation that gives a graded answer away
        console.print(clean.prose(q.explanation[lang], "dim"))
    results: list[QuestionResult] = [judge(bank, q, answers.get(q.id), student) for q in questions]
    score = round(sum(r.score for r in results), 2)
    return Session(QuizResult(bank.assignment, student, score, sum(q.points for q in questions), tuple(results)),
                   answers, stopped)


def _write(path: Path, student: str, answers: dict[str, Any]) -> None:
    import tomli_w

    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(tomli_w.dumps({"student": student, **answers}), encoding="utf-8")
    tmp.replace(path)


def ask_and_keep(bank: Bank, *, student: str | None, lang: str, console: Console, topics: Sequence[str] = (),
                 save: Path | None = None, resume: bool = False, retry_missed: bool = False,
                 ask: Ask | None = None) -> QuizResult:
    """``grade quiz`` in the terminal: read the answers file for ``resume`` or ``retry_missed``, ask, and keep
    the answers there when the run stops early (q, Ctrl-D, Ctrl-C), or at the end with ``save``, ``resume`` or
    ``retry_missed``. The answers file is ``save``, else ``quiz-answers.toml`` in the current folder."""
    path = save if save is not None else Path(QUIZ_FILE)
    shown = clean.name(str(path), 300)
    answers: dict[str, Any] = {}
    earlier: dict[str, Any] = {}  # a fresh run's file keeps the earlier answers it does not replace
    loaded = False
    if (resume or retry_missed) and (path.is_file() or path.is_symlink()):
        declared, answers = load_answers(path, bank)  # a student's file: a link or a special file is refused
        student, loaded = student or declared, True
    elif path.is_file() and not path.is_symlink():
        try:
            earlier = load_answers(path, bank)[1]
        except ValueError:
            earlier = {}
    student = student or ANONYMOUS
    only: set[str] | None = None
    if resume or retry_missed:
        if not loaded:
            console.print(Text(render("quiz.ui.no_progress", lang, path=shown), style="yellow"))
        selected = [q for q in bank.questions if not topics or q.topic in topics]
        if retry_missed:
            only = {q.id for q in selected if judge(bank, q, answers.get(q.id), student).status in ("wrong", "unanswered")}
            key = "quiz.ui.retry"
        else:
            only = {q.id for q in selected if q.id not in answers}
            key = "quiz.ui.resumed"
        if loaded:
            console.print(Text(render(key, lang, path=shown, count=len(only), answered=len(selected) - len(only)),
                               style="cyan"))
        if not only:
            console.print(Text(render("quiz.ui.nothing_left", lang), style="cyan"))
    try:
        session = run(bank, student=student, lang=lang, console=console, topics=topics, ask=ask, answers=answers,
                      only=only)
    except KeyboardInterrupt:  # Ctrl-C: the answers given are kept all the same, then the run is interrupted
        _write(path, student, {**earlier, **answers})
        console.print(Text(render("quiz.written.answers", lang, path=shown)))
        raise
    if session.stopped:
        _write(path, student, {**earlier, **session.answers})
        command = (f"grade quiz --assignment {bank.assignment} --resume" + "".join(f" --topic {t}" for t in topics)
                   + (f" --save {shown}" if save is not None else ""))
        answered = sum(r.status != "unanswered" for r in session.result.questions)
        console.print(Text(render("quiz.ui.stopped", lang, answered=answered, total=len(session.result.questions),
                                  path=shown), style="bold"))
        # the command on a line of its own, never broken: a terminal narrower than it wraps it, rich does not
        console.print(Text(f"  {command}", style="bold", no_wrap=True, overflow="ignore"), crop=False)
    elif save is not None or resume or retry_missed:
        _write(path, student, {**earlier, **session.answers})
        console.print(Text(render("quiz.written.answers", lang, path=shown)))
    return session.result
