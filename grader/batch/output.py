"""The output folder: every file written whole or not at all, and the records stored in it.

``OUT/<stem>.json`` holds a submission's record (the schema of ``grade check --format json`` plus a ``batch``
record, with the grading result stored losslessly: grader.report.stored); ``OUT/code/<stem>.json`` its sources
for the similarity report; ``summary.json`` the class's summary, with the entries that were not graded. Files are
written atomically (a temporary file in the same folder, then a rename), so that a run killed at any moment leaves
each file as it was or as it should be.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

from grader import clean
from grader.batch.intake import REASONS
from grader.messages import render
from grader.report import json as json_report
from grader.results import Message
from grader.spec import Assignment
from grader.version import __version__

RESERVED = {"gradebook.csv", "summary.json", "scores.png"}
"""The batch's own files (not a submission's record)."""
CODE = "code"
"""``OUT/code/<name>.json``: the submission's sources, kept for the similarity report."""


def write_atomic(path: Path, content: str | bytes) -> None:
    """Write ``path`` whole or not at all (a temporary file in the same folder, then a rename)."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(content if isinstance(content, bytes) else content.encode("utf-8", errors="replace"))
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def record_json(data: Any) -> str:
    """A stored record's text: one line from json's C encoder (an indented dump goes through its pure-Python
    encoder, ten times slower, for files that programs read)."""
    return clean.json_dumps(data, indent=None) + "\n"


def write_if_changed(path: Path, content: str) -> bool:
    """Write ``path`` atomically unless it already holds ``content`` (then it is left, time and all); True when
    written."""
    data = content.encode("utf-8", errors="replace")
    try:
        if not path.is_symlink() and path.read_bytes() == data:
            return False
    except OSError:
        pass
    write_atomic(path, data)
    return True


def refuse_constant(token: str) -> Any:
    """For json.loads: NaN and Infinity are not JSON, and no stored result holds them."""
    raise ValueError(f"not strict JSON: {token}")


def read_json(path: Path) -> dict[str, Any] | None:
    """The JSON object stored in ``path``; None when it is missing, unreadable, not strict JSON or not an object."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"), parse_constant=refuse_constant)
    except (OSError, ValueError, RecursionError):
        return None
    return data if isinstance(data, dict) else None


def records(folder: Path) -> list[tuple[Path, dict[str, Any]]]:
    """Every submission's stored record in ``folder`` (``<stem>.json``), with its path, in name order."""
    out = []
    for path in sorted(folder.glob("*.json")):
        if path.name in RESERVED or path.name.startswith(".") or path.is_symlink():
            continue
        data = read_json(path)
        if data and isinstance(data.get("submission"), str):
            out.append((path, data))
    return out


def results_in(folder: Path) -> list[dict[str, Any]]:
    """The records stored in a batch output folder, without their paths."""
    return [data for _, data in records(folder)]


def failure_record(spec: Assignment, name: str, status: str, message: str | Message, digest: str | None) -> dict[str, Any]:
    """The record of a submission that was not graded (``invalid`` or ``grader_error``) and why: a message is kept
    as its key and parameters too, so that ``grade report`` can say it again in another language."""
    reason = {"reason": {"code": message.key, "params": dict(message.params)}} if isinstance(message, Message) else {}
    text = render(message, "en") if isinstance(message, Message) else message
    return {"schema": json_report.SCHEMA, "assignment": spec.name, "submission": clean.name(name),
            "grader_version": __version__, "score": 0.0, "max_score": spec.max_score, "exercises": [],
            "error": clean.text(text, 20000), "batch": {"status": status, "content_hash": digest, **reason}}


def rejected_entries(summary: dict[str, Any] | None) -> list[dict[str, Any]]:
    """The entries a batch did not grade, as a stored ``summary.json`` lists them (well-formed ones only)."""
    found = (summary or {}).get("rejected")
    out = []
    for r in found if isinstance(found, list) else []:
        if isinstance(r, dict) and isinstance(r.get("submission"), str) and r.get("reason") in REASONS:
            out.append({"submission": clean.name(r["submission"]), "reason": r["reason"],
                        "entries": [clean.name(e) for e in r.get("entries", []) if isinstance(e, str)]})
    return out
