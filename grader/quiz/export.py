"""Writing quiz files: the student bank (no answers) and the offline answers template."""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any

import tomli_w

from grader.quiz.bank import Bank, Question, accepted, answer_hash, combinations, draw, params_key

GRADED_EXPLANATION = {"en": "Explained once the quiz has been graded.", "ko": "채점이 끝난 뒤에 해설을 공개합니다."}


def student_bank(bank: Bank, salt: str | None = None) -> dict[str, Any]:
    """The bank without answers. Practice questions keep salted hashes of their accepted answers
    (keyed by this release's salt and the question id); graded questions keep nothing."""
    salt = salt or secrets.token_hex(16)
    questions = []
    for q in bank.questions:
        explanation = dict(q.explanation) if not q.graded else dict(GRADED_EXPLANATION)  # it would give the answer away
        raw: dict[str, Any] = {"id": q.id, "topic": q.topic, "type": q.type, "points": q.points,
                               "graded": q.graded, "prompt": dict(q.prompt), "explanation": explanation}
        if q.choices:
            raw["choices"] = [{"id": c.id, **c.text} for c in q.choices]
        if q.params:
            raw["params"] = {k: list(v) for k, v in q.params.items()}
        if q.where:
            raw["where"] = q.where
        if q.decimals:
            raw["decimals"] = q.decimals
        if not q.graded:
            if q.params:
                raw["answer_hash_by_params"] = {
                    params_key(v): answer_hash(salt, q.id, accepted(q, v)[0]) for v in combinations(q)}
            else:
                raw["answer_hash"] = [answer_hash(salt, q.id, a) for a in accepted(q, {})]
        questions.append(raw)
    return {"meta": {"assignment": bank.assignment, "salt": salt, "topics": list(bank.topics)}, "questions": questions}


def write_student_bank(bank: Bank, directory: Path, salt: str | None = None) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "quiz.toml"
    tmp = path.with_suffix(".toml.tmp")
    tmp.write_text("# The concept quiz, without its answers. 정답이 빠진 개념 퀴즈입니다.\n"
                   + tomli_w.dumps(student_bank(bank, salt)), encoding="utf-8")
    tmp.replace(path)
    return path


def _comment(text: str) -> str:
    return "\n".join(f"# {line}".rstrip() for line in text.splitlines())


def _how(q: Question, lang: str) -> str:
    en = {"single": "one choice id, e.g. \"b\"", "multiple": "a list of choice ids, e.g. [\"a\", \"c\"]",
          "numeric": "a number", "text": "a short text", "order": "every choice id in order, e.g. [\"c\", \"a\", \"b\"]"}
    ko = {"single": "보기 id 하나, 예: \"b\"", "multiple": "보기 id 목록, 예: [\"a\", \"c\"]", "numeric": "숫자",
          "text": "짧은 글", "order": "모든 보기 id 를 순서대로, 예: [\"c\", \"a\", \"b\"]"}
    return (en if lang == "en" else ko)[q.type]


def template(bank: Bank, student: str, lang: str) -> str:
    """An answers file with every question rendered as comments and an empty answer to fill in."""
    empty: dict[str, Any] = {"single": "", "numeric": "", "text": "", "multiple": [], "order": []}
    head = ("# Quiz answers: fill in each answer and run  grade quiz --answers THIS_FILE\n"
            if lang == "en" else "# 퀴즈 답안: 답을 채운 뒤  grade quiz --answers 이_파일  을 실행하세요\n")
    lines = [head, tomli_w.dumps({"student": student})]
    for q in bank.questions:
        values = draw(q, student)
        lines.append(f"\n# [{q.topic}] {q.id} ({q.points:g})")
        lines.append(_comment(q.render(lang, values)))
        for c in q.choices:
            lines.append(_comment(f"  {c.id}) {c.text[lang]}"))
        lines.append(_comment(f"→ {_how(q, lang)}"))
        lines.append(tomli_w.dumps({q.id: empty[q.type]}).rstrip())
    return "\n".join(lines) + "\n"
