"""A grading result stored losslessly in JSON, so that it can be rendered again later in any language.

``grade check --format json`` writes messages already rendered (in one language) and drops their parameters;
a batch keeps, next to that, this encoding of the :class:`~grader.results.GradeResult` itself (messages as
catalog keys and parameters, diffs with their grids, the quiz), from which ``grade report`` renders every
per-student file again without running any student code.

Only the dataclasses and enums of :mod:`grader.results` and :mod:`grader.quiz.grade` are rebuilt (by name, with
their own fields: an unknown field is ignored, a missing one takes its default); anything else is refused.
"""

from __future__ import annotations

import dataclasses
import enum
import math
from collections.abc import Mapping
from typing import Any

from grader import results
from grader.quiz import grade as quiz_grade

VERSION = 1


class StoredError(ValueError):
    """The stored result cannot be rebuilt (damaged, or written by a grader that stored something else)."""


def _registry() -> dict[str, type]:
    out: dict[str, type] = {}
    for module in (results, quiz_grade):
        for name, obj in vars(module).items():
            if isinstance(obj, type) and obj.__module__ == module.__name__ and (
                    dataclasses.is_dataclass(obj) or issubclass(obj, enum.Enum)):
                out[name] = obj
    return out


def encode(obj: Any) -> Any:
    """Plain JSON (strict: no NaN token) for a result and everything it holds."""
    if isinstance(obj, enum.Enum):
        return {"$e": type(obj).__name__, "v": obj.value}
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {"$": type(obj).__name__, **{f.name: encode(getattr(obj, f.name)) for f in dataclasses.fields(obj)}}
    if isinstance(obj, float) and not math.isfinite(obj):
        return {"$f": "nan" if math.isnan(obj) else ("inf" if obj > 0 else "-inf")}
    if isinstance(obj, (str, int, float, bool)) or obj is None:
        return obj
    if isinstance(obj, Mapping):
        return {"$m": {str(k): encode(v) for k, v in obj.items()}}
    if isinstance(obj, (list, tuple)):
        return [encode(v) for v in obj]
    return str(obj)  # nothing else is expected in a result; a string keeps the record writable


def decode(data: Any, _types: dict[str, type] | None = None, _depth: int = 0) -> Any:
    """The object :func:`encode` was given (sequences come back as tuples)."""
    types = _types if _types is not None else _registry()
    if _depth > 60:
        raise StoredError("the stored result is nested too deeply")
    if isinstance(data, list):
        return tuple(decode(v, types, _depth + 1) for v in data)
    if not isinstance(data, dict):
        return data
    if "$f" in data:
        return float(data["$f"])
    if "$m" in data and isinstance(data["$m"], dict):
        return {k: decode(v, types, _depth + 1) for k, v in data["$m"].items()}
    if "$e" in data:
        cls = types.get(str(data["$e"]))
        if cls is None or not issubclass(cls, enum.Enum):
            raise StoredError(f"unknown stored kind {data['$e']!r}")
        try:
            return cls(data.get("v"))
        except ValueError:
            raise StoredError(f"{data.get('v')!r} is not a {cls.__name__}") from None
    cls = types.get(str(data.get("$")))
    if cls is None or not dataclasses.is_dataclass(cls):
        raise StoredError(f"unknown stored kind {data.get('$')!r}")
    names = {f.name for f in dataclasses.fields(cls)}
    kwargs = {k: decode(v, types, _depth + 1) for k, v in data.items() if k in names}
    try:
        return cls(**kwargs)
    except TypeError as exc:
        raise StoredError(f"a stored {cls.__name__} lacks a field: {exc}") from None


def result_from(record: Mapping[str, Any]) -> results.GradeResult | None:
    """The result a batch stored in ``record["batch"]["result"]``; None when there is none (an older grader's,
    or a submission that was not graded); StoredError when it is damaged."""
    batch = record.get("batch")
    stored = batch.get("result") if isinstance(batch, Mapping) else None
    if stored is None:
        return None
    result = decode(stored)
    if not isinstance(result, results.GradeResult):
        raise StoredError("the stored result is not a grading result")
    return result
