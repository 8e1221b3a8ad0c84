"""Grading quiz answers: from an answers file or from the interactive prompts."""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from grader.quiz.bank import (
    Bank,
    Question,
    QuizError,
    accepted,
    answer_hash,
    canonical_given,
    draw,
    params_key,
    read_toml,
)

ANONYMOUS = "anonymous"
"""The student id kept (answers files, JSON) when none is given; a summary says it in the reader's language
(``quiz.ui.anonymous``: anonymous, 익명)."""


@dataclass(frozen=True)
class QuestionResult:
    id: str
    topic: str
    type: str
    points: float
    score: float
    status: str
    """correct, wrong, unanswered, or recorded (graded later: the bank here has no answer for it)."""
    params: Mapping[str, float]

    @property
    def correct(self) -> bool | None:
        return None if self.status == "recorded" else self.status == "correct"


@dataclass(frozen=True)
class QuizResult:
    assignment: str
    student: str
    score: float
    max_score: float
    questions: tuple[QuestionResult, ...]


def judge(bank: Bank, q: Question, given: Any, student: str) -> QuestionResult:
    """Judge one answer: against the answer (instructor bank) or its salted hash (student bank)."""
    values = draw(q, student)
    canonical = canonical_given(q, given)
    if canonical is None:
        status = "unanswered"
    elif q.answer is not None:
        status = "correct" if canonical in accepted(q, values) else "wrong"
    elif q.answer_hash_by_params:
        expected = q.answer_hash_by_params.get(params_key(values))
        status = "correct" if expected == answer_hash(bank.salt, q.id, canonical) else "wrong"
    elif q.answer_hash:
        status = "correct" if answer_hash(bank.salt, q.id, canonical) in q.answer_hash else "wrong"
    else:
        status = "recorded"
    return QuestionResult(q.id, q.topic, q.type, q.points, q.points if status == "correct" else 0.0, status, values)


MAX_REVEALED_CHOICES = 7
"""A student bank's practice answer is found again by hashing candidates: subsets and orders of at most this many."""


def right_answer(bank: Bank, q: Question, student: str) -> str | None:
    """The right answer of a practice question, canonical (``b``, ``a,c``, ``16``, a text), to show after a wrong
    try; None for a graded question, or where a student bank cannot tell (a numeric or text answer's hash)."""
    if q.graded:
        return None
    values = draw(q, student)
    if q.answer is not None:
        return str(q.answer[0]) if q.type == "text" else accepted(q, values)[0]
    if q.type not in ("single", "multiple", "order") or len(q.choices) > MAX_REVEALED_CHOICES:
        return None
    ids = q.choice_ids()
    if q.type == "single":
        candidates: Iterable[str] = ids
    elif q.type == "multiple":
        candidates = (",".join(c) for n in range(1, len(ids) + 1) for c in itertools.combinations(sorted(ids), n))
    else:
        candidates = (",".join(p) for p in itertools.permutations(ids))
    expected = set(q.answer_hash) | ({q.answer_hash_by_params[params_key(values)]}
                                     if params_key(values) in q.answer_hash_by_params else set())
    return next((c for c in candidates if answer_hash(bank.salt, q.id, c) in expected), None)


MAX_ANSWER_CHARS = 2000
MAX_LIST_ITEMS = 100
MAX_NUMBER = 10**300
"""Larger integers cannot become floats: such an answer is refused, not a crash."""


def grade(bank: Bank, answers: Mapping[str, Any], student: str = ANONYMOUS) -> QuizResult:
    results = []
    for q in bank.questions:
        try:
            results.append(judge(bank, q, answers.get(q.id), student))
        except (ArithmeticError, ValueError, TypeError, RecursionError) as exc:
            raise QuizError(f"the answer to {q.id} cannot be evaluated: {type(exc).__name__}") from None
    return QuizResult(bank.assignment, student, round(sum(r.score for r in results), 2), bank.max_score,
                      tuple(results))


def _scalar(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return -MAX_NUMBER <= value <= MAX_NUMBER
    if isinstance(value, str):
        return len(value) <= MAX_ANSWER_CHARS
    return isinstance(value, float)


def load_answers(path: Path, bank: Bank) -> tuple[str | None, dict[str, Any]]:
    """An answers file: ``question-id = answer`` lines (and optionally ``student = "ID"``).

    It is a student's file: a link or a special file is refused, and so is anything but text, a number or a
    flat list of them (a number too large for a float, a nested list, an answer thousands of characters long)."""
    from grader import clean

    shown = clean.name(path.name)
    data = read_toml(path, "answers file", untrusted=True)
    student = data.pop("student", None)
    if student is not None and (not isinstance(student, str) or len(student) > 200):
        raise QuizError(f"{shown}: student must be a string of at most 200 characters")
    known = {q.id for q in bank.questions}
    unknown = sorted(set(data) - known)
    if unknown:
        names = clean.name(", ".join(unknown[:10]), 500)
        raise QuizError(f"{shown}: no question called {names} in the {bank.assignment} quiz")
    for qid, value in data.items():
        ok = _scalar(value) or (isinstance(value, list) and len(value) <= MAX_LIST_ITEMS and all(map(_scalar, value)))
        if not ok:
            raise QuizError(f"{shown}: the answer to {qid} must be text, a number or a list of them "
                            f"(at most {MAX_LIST_ITEMS} items of at most {MAX_ANSWER_CHARS} characters)")
    return student, data
