"""When each submission came in, the due date, and the late penalty that follows (``OUT/times.json``).

Where a submission's time comes from, best first:

1. Gradescope's ``submission_metadata.json`` in the submission folder (at its top or one folder down), as the
   autograder receives it: ``created_at`` is the submission time, and ``assignment.due_date`` the due date
   when ``--due`` is not given.
2. Otherwise the file times: the newest modification time of the submission's files (a folder, read without
   following links), or the ``.zip``'s own. They say when the files were last written on this machine's side
   (an LMS download keeps the upload time only when the download tool does): check them before penalising.

``grade batch --due`` stores the due date and the times in ``OUT/times.json``; the dashboard flags late
submissions from them and ``grade export canvas|moodle --late-penalty`` applies the penalty: ``per_day`` percent
of the grade for each day (or part of a day) past the due date, at most ``cap`` percent.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Mapping
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from grader import clean, safefs
from grader.batch.output import read_json, refuse_constant

TIMES = "times.json"
METADATA = "submission_metadata.json"
MAX_METADATA = 4 * 1024 * 1024


def parse_time(text: Any) -> datetime | None:
    """An ISO 8601 date and time (``2026-03-01T23:59+09:00``, ``Z`` allowed); one without an offset is in this
    machine's time zone. None when ``text`` is none."""
    if not isinstance(text, str) or not text.strip():
        return None
    try:
        moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.astimezone()


def iso(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")


def _metadata(folder: Path) -> dict[str, Any] | None:
    for candidate in (folder / METADATA, *(p / METADATA for p in sorted(folder.iterdir()) if p.is_dir()
                                           and not p.is_symlink())):
        try:
            data = json.loads(safefs.read_bytes(candidate, MAX_METADATA).decode("utf-8", errors="replace"),
                              parse_constant=refuse_constant)
        except (OSError, ValueError, RecursionError):
            continue
        if isinstance(data, dict):
            return data
    return None


def submission_time(path: Path) -> tuple[datetime | None, datetime | None, str]:
    """(submitted, due from Gradescope's metadata or None, where the time came from: ``gradescope`` or ``files``)."""
    try:
        if path.is_dir() and not path.is_symlink():
            meta = _metadata(path)
            if meta is not None and parse_time(meta.get("created_at")) is not None:
                assignment: dict[str, Any] = meta["assignment"] if isinstance(meta.get("assignment"), dict) else {}
                return parse_time(meta["created_at"]), parse_time(assignment.get("due_date")), "gradescope"
            newest = None
            for root, dirs, files in os.walk(path):  # os.walk follows no link unless asked
                dirs[:] = [d for d in dirs if not os.path.islink(os.path.join(root, d))]
                for name in files:
                    st = os.lstat(os.path.join(root, name))
                    newest = st.st_mtime if newest is None else max(newest, st.st_mtime)
            stamp = newest
        else:
            stamp = os.lstat(path).st_mtime
    except OSError:
        return None, None, "files"
    return (None if stamp is None else datetime.fromtimestamp(stamp, timezone.utc)), None, "files"


def penalty(submitted: datetime | None, due: datetime | None, per_day: float, cap: float = 100.0) -> float:
    """Percent taken off: ``per_day`` for each day or part of one past ``due``, at most ``cap``; 0 when on time
    or when either time is unknown."""
    if submitted is None or due is None or submitted <= due or per_day <= 0:
        return 0.0
    days = math.ceil((submitted - due).total_seconds() / 86400)
    return min(cap, per_day * days)


def read_times(output: Path) -> tuple[datetime | None, dict[str, datetime]]:
    """The due date and each submission's time stored in ``OUT/times.json``."""
    data = read_json(output / TIMES) or {}
    times: dict[str, Any] = data["submitted"] if isinstance(data.get("submitted"), dict) else {}
    out = {clean.name(k): t for k, v in times.items() if (t := parse_time(v)) is not None}
    return parse_time(data.get("due")), out


def times_json(due: datetime | None, submitted: Mapping[str, datetime], sources: Mapping[str, str]) -> str:
    return clean.json_dumps({"due": iso(due) if due else None,
                             "submitted": {k: iso(v) for k, v in sorted(submitted.items())},
                             "source": dict(sorted(sources.items()))})
