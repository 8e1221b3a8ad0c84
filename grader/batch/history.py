"""Regrade history: ``OUT/history.jsonl``, one line per regrade, never rewritten, only appended to.

A regrade is any grading of a submission that already had a result in the output folder (``--only`` after a fix
or an appeal, changed content, a newer grader): the line records who, when (UTC), the score and each exercise's
score before and after, the status before and after, the grader's version and the reason the instructor gave
(``--reason``). An appeal can then be answered with "your score went from 61.2 to 68.4 because …", and the
dashboard and the student's feedback show the same lines.

Lines that cannot be read (a truncated last line after a crash, hand edits) are skipped, never fatal.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from grader import clean
from grader.batch.output import refuse_constant

HISTORY = "history.jsonl"
MAX_HISTORY = 32 * 1024 * 1024
"""Bytes of history read back (the newest kept when a file grows past it)."""


def scores_of(record: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """What a stored record says a submission got: total, status and each exercise's score; None for no record, and
    for a record of the grader's own failure (``grader_error``: the next run grades it as a first time, no regrade)."""
    if not isinstance(record, Mapping) or not isinstance(record.get("submission"), str):
        return None
    batch: Mapping[str, Any] = record["batch"] if isinstance(record.get("batch"), Mapping) else {}
    if batch.get("status") == "grader_error":
        return None
    score = record.get("score")
    exercises = {}
    for e in record.get("exercises", []) if isinstance(record.get("exercises"), list) else []:
        if isinstance(e, Mapping) and isinstance(e.get("id"), str) and _is_number(e.get("score")):
            exercises[e["id"]] = e["score"]
    return {"score": score if _is_number(score) else None, "status": str(batch.get("status", "graded")),
            "exercises": exercises}


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def entry(student: str, old: Mapping[str, Any], new: Mapping[str, Any], *, version: str, reason: str | None,
          when: datetime | None = None) -> dict[str, Any]:
    """One line of the history."""
    moment = (when or datetime.now(timezone.utc)).astimezone(timezone.utc)
    return {"student": clean.name(student), "when": moment.isoformat(timespec="seconds").replace("+00:00", "Z"),
            "old": dict(old), "new": dict(new), "grader_version": clean.name(version, 40),
            "reason": clean.text(reason, 2000) if reason else None}


def append(output: Path, entries: Iterable[Mapping[str, Any]]) -> None:
    """Add ``entries`` at the end of ``OUT/history.jsonl`` (each line written whole, with one write)."""
    lines = "".join(clean.json_dumps(dict(e), indent=None) + "\n" for e in entries)
    if not lines:
        return
    path = output / HISTORY
    if path.is_symlink():
        raise OSError(f"{path} is a symbolic link: the history is not written through it")
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), 0o644)
    try:
        os.write(fd, lines.encode("utf-8", errors="replace"))
    finally:
        os.close(fd)


def read(output: Path) -> list[dict[str, Any]]:
    """Every well-formed line of ``OUT/history.jsonl``, oldest first (nothing when there is none)."""
    path = output / HISTORY
    try:
        if path.is_symlink():
            return []
        with path.open("rb") as f:
            size = f.seek(0, os.SEEK_END)
            f.seek(max(0, size - MAX_HISTORY))
            data = f.read()
    except OSError:
        return []
    out = []
    for line in data.decode("utf-8", errors="replace").splitlines():
        try:
            item = json.loads(line, parse_constant=refuse_constant)
        except (ValueError, RecursionError):
            continue
        if isinstance(item, dict) and isinstance(item.get("student"), str) and isinstance(item.get("old"), dict) \
                and isinstance(item.get("new"), dict):
            out.append(item)
    return out


def of(entries: Sequence[Mapping[str, Any]], student: str) -> list[Mapping[str, Any]]:
    """The entries about ``student``, oldest first."""
    return [e for e in entries if e.get("student") == student]
