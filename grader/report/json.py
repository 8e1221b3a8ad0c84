"""The JSON result (schema ``nlp-grader/result/v1``): stable keys, messages in the chosen language."""

from __future__ import annotations

import math
from typing import Any

from grader import clean
from grader.messages import render
from grader.results import CheckResult, GradeResult, Message, TensorDiff

SCHEMA = "nlp-grader/result/v1"


def _message(message: Message, lang: str) -> dict[str, Any]:
    return {"code": message.key, "message": render(message, lang)}


def number(x: float) -> float | str:
    """A float for strict JSON: NaN and the infinities (common in students' outputs) become the strings
    "nan", "inf" and "-inf", which every JSON reader accepts (a bare NaN token is not JSON)."""
    if math.isfinite(x):
        return x
    return "nan" if math.isnan(x) else ("inf" if x > 0 else "-inf")


def _diff(d: TensorDiff) -> dict[str, Any]:
    return {
        "shape": list(d.shape), "mismatched": d.mismatched, "total": d.total, "share": d.share,
        "max_abs": number(d.max_abs), "max_abs_index": list(d.max_abs_index),
        "max_rel": number(d.max_rel), "max_rel_index": list(d.max_rel_index),
        "expected": number(d.expected_at), "got": number(d.got_at), "atol": d.atol, "rtol": d.rtol,
        "grid": {
            "slice": list(d.grid.slice_index), "row_start": d.grid.row_start, "col_start": d.grid.col_start,
            "expected": [[number(c.expected) for c in row] for row in d.grid.cells],
            "got": [[number(c.got) for c in row] for row in d.grid.cells],
            "ok": [[c.ok for c in row] for row in d.grid.cells],
        },
    }


def _check(check: CheckResult, lang: str) -> dict[str, Any]:
    out: dict[str, Any] = {"name": check.name, "passed": check.passed}
    if check.message is not None:
        out.update(_message(check.message, lang))
    if check.diff is not None:
        out["diff"] = _diff(check.diff)
    if check.traceback:
        out["traceback"] = check.traceback
    return out


def to_dict(result: GradeResult, lang: str) -> dict[str, Any]:
    return {
        "schema": SCHEMA,
        "assignment": result.assignment,
        "grader_version": result.grader_version,
        "lang": lang,
        "hidden": result.hidden,
        "device": result.device,
        "isolation": result.isolation,
        "isolation_details": dict(result.isolation_details),
        "score": result.score,
        "max_score": result.max_score,
        "exercises": [
            {
                "id": e.id,
                "file": e.file,
                "score": e.score,
                "max_score": e.max_score,
                "status": e.status.value,
                "notes": [_message(n, lang) for n in e.notes],
                "mistakes": [{"id": m.id, **_message(Message(f"mistake.{m.id}"), lang), "cases": list(m.cases)}
                             for m in e.mistakes],
                "diagnoses": [{"id": d.id, **_message(d.message, lang), "cases": list(d.cases)}
                              for d in e.diagnoses],
                "cases": [{"id": c.id, "hidden": c.hidden, "status": c.status.value,
                           "checks": [_check(ch, lang) for ch in c.checks]} for c in e.cases],
            }
            for e in result.exercises
        ],
        "output": result.output,
        **_quiz(result, lang),
    }


def _quiz(result: GradeResult, lang: str) -> dict[str, Any]:
    if result.quiz_error:
        return {"quiz": {"error": result.quiz_error}}
    if result.quiz is None:
        return {}
    from grader.report.quiz import to_dict

    data = to_dict(result.quiz, lang)
    return {"quiz": {k: v for k, v in data.items() if k not in ("schema", "lang")}}


def dumps(result: GradeResult, lang: str) -> str:
    return clean.json_dumps(to_dict(result, lang))
