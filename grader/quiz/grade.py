"""Grading quiz answers: from an answers file or from the interactive prompts."""

from __future__ import annotations

from collections.abc import Mapping
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


def grade(bank: Bank, answers: Mapping[str, Any], student: str = ANONYMOUS) -> QuizResult:
    results = tuple(judge(bank, q, answers.get(q.id), student) for q in bank.questions)
    return QuizResult(bank.assignment, student, round(sum(r.score for r in results), 2), bank.max_score, results)


def load_answers(path: Path, bank: Bank) -> tuple[str | None, dict[str, Any]]:
    """An answers file: ``question-id = answer`` lines (and optionally ``student = "ID"``)."""
    data = read_toml(path, "answers file")
    student = data.pop("student", None)
    if student is not None and not isinstance(student, str):
        raise QuizError(f"{path}: student must be a string")
    known = {q.id for q in bank.questions}
    unknown = sorted(set(data) - known)
    if unknown:
        raise QuizError(f"{path}: no question called {', '.join(unknown)} in the {bank.assignment} quiz")
    for qid, value in data.items():
        if not isinstance(value, (str, int, float, list)) or isinstance(value, bool):
            raise QuizError(f"{path}: the answer to {qid} must be text, a number or a list")
    return student, data
