"""The batch's grades in the import formats of Canvas and Moodle, one row per student of the course's roster.

Submissions are named after whatever the collection step used (an LMS login, a student number, a GitHub
name); ``--match COLUMN`` says which roster column holds those names. A name matches its roster value exactly,
else ignoring case, surrounding spaces and Unicode normal form; the names left over on either side are reported.
A roster student with no submission gets a blank grade (not a zero: the LMS keeps what it had); an ``invalid``
submission gets 0; a ``grader_error`` gets a blank and is reported (it is not a grade).

Formats, as documented by the systems:

- Canvas, "How do I import grades in the Gradebook?" (Instructure guides; summarised by Ohio State's
  "Import a CSV File to Carmen Grades", teaching.resources.osu.edu): the columns ``Student``, ``ID``,
  ``SIS User ID``, ``SIS Login ID``, ``Section``, then one column per assignment; Canvas matches rows by ID /
  SIS ids, so those come from the roster (best: the course's own gradebook export). Canvas's own export has a
  second row ``Points Possible``, which its import accepts; it is written here too.
- Moodle, "Grade import" (docs.moodle.org; gradeimport_csv, grade/import/csv/classes/load_data.php): a CSV
  with a header row, one column that identifies the user (mapped at import to username, ID number, email
  address or user id) and one column per grade item (mapped to the item).
"""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from grader import clean, safefs, stats
from grader.results import Message

CANVAS_COLUMNS = ("Student", "ID", "SIS User ID", "SIS Login ID", "Section")
MAX_ROSTER = 16 * 1024 * 1024


class LmsError(Exception):
    """The roster or the batch output cannot be used; ``message`` says why, in every language."""

    def __init__(self, message: Message) -> None:
        super().__init__(message.key)
        self.message = message


@dataclass
class Export:
    text: str
    rows: int
    graded: int
    unmatched_submissions: list[str] = field(default_factory=list)
    unmatched_roster: list[str] = field(default_factory=list)
    not_graded: list[str] = field(default_factory=list)
    """Matched submissions the grader failed on (``grader_error``): left blank."""


def _key(value: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", value).casefold().split())


def read_roster(path: Path, column: str) -> tuple[list[str], list[dict[str, str]]]:
    """The roster's header and rows; LmsError when it cannot be read or lacks ``column``."""
    try:
        data = safefs.read_bytes(path, MAX_ROSTER)
    except OSError as exc:
        raise LmsError(Message("lms.roster_unreadable", {"path": str(path), "detail": clean.text(str(exc), 200)})) from None
    text = data.decode("utf-8-sig", errors="replace")
    try:
        dialect: Any = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.DictReader(io.StringIO(text), dialect=dialect)
    header = [h.strip() for h in (reader.fieldnames or [])]
    reader.fieldnames = header
    if column not in header:
        raise LmsError(Message("lms.no_column", {"column": column, "columns": ", ".join(header) or "—"}))
    rows = [{k: (v or "").strip() if isinstance(v, str) else "" for k, v in row.items() if k is not None}
            for row in reader]
    # Canvas's own export has a "Points Possible" row under its header: not a student
    rows = [r for r in rows if any(r.values()) and not any(v.lower() == "points possible" for v in r.values())]
    if not rows:
        raise LmsError(Message("lms.empty_roster", {"path": str(path), "column": column}))
    return header, rows


def match(names: Sequence[str], rows: Sequence[Mapping[str, str]], column: str) -> tuple[dict[int, str], list[str]]:
    """Roster row index -> submission name, and the submissions that match no row (exactly first, then loosely)."""
    exact: dict[str, int] = {}
    loose: dict[str, int] = {}
    for index, row in enumerate(rows):
        if row.get(column):
            exact.setdefault(row[column], index)
            loose.setdefault(_key(row[column]), index)
    matched: dict[int, str] = {}
    left: list[str] = []
    for name in sorted(names, key=lambda n: (n not in exact, n)):  # exact matches claim their rows first
        i: int | None = exact.get(name)
        if i is None or i in matched:
            i = loose.get(_key(name))
        if i is None or i in matched:
            left.append(name)
        else:
            matched[i] = name
    return matched, sorted(left)


def _grades(results: Sequence[dict[str, Any]]) -> dict[str, tuple[str, Any]]:
    return {d["submission"]: (stats.status_of(d), d.get("score", 0)) for d in results}


def _prepare(results: Sequence[dict[str, Any]], roster: Path, column: str) -> tuple[
        list[str], list[dict[str, str]], dict[int, str], list[str], dict[str, tuple[str, Any]]]:
    header, rows = read_roster(roster, column)
    grades = _grades(results)
    matched, left = match(list(grades), rows, column)
    return header, rows, matched, left, grades


def _cell(status: str, score: Any) -> Any:
    if status == "graded":
        return score if isinstance(score, (int, float)) and not isinstance(score, bool) else ""
    return 0 if status == "invalid" else ""


def _export(rows: Sequence[dict[str, str]], column: str, matched: Mapping[int, str], left: list[str],
            grades: Mapping[str, tuple[str, Any]], header: list[str], body: list[list[Any]]) -> Export:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([clean.csv_cell(h) for h in header])
    for line in body:
        writer.writerow([clean.csv_cell(c) for c in line])
    graded = sum(grades[n][0] in ("graded", "invalid") for n in matched.values())
    return Export(buffer.getvalue(), len(rows), graded, left,
                  [rows[i].get(column) or f"#{i + 1}" for i in range(len(rows)) if i not in matched],
                  sorted(n for n in matched.values() if grades[n][0] == "grader_error"))


def canvas(results: Sequence[dict[str, Any]], *, roster: Path, column: str, assignment: str,
           points: float) -> Export:
    """Canvas's gradebook import CSV: the five identifying columns from the roster and one assignment column."""
    header, rows, matched, left, grades = _prepare(results, roster, column)
    lower = {h.lower(): h for h in header}
    body: list[list[Any]] = [["Points Possible", "", "", "", "", points]]
    for i, row in enumerate(rows):
        ids = [row.get(lower.get(c.lower(), ""), "") for c in CANVAS_COLUMNS]
        if not ids[0]:
            ids[0] = row.get(column, "")
        name = matched.get(i)
        body.append([*ids, _cell(*grades[name]) if name is not None else ""])
    return _export(rows, column, matched, left, grades, [*CANVAS_COLUMNS, assignment], body)


def moodle(results: Sequence[dict[str, Any]], *, roster: Path, column: str, assignment: str,
           id_column: str | None = None) -> Export:
    """Moodle's grade import CSV: the identifying column (``id_column``, default ``column``) and the grade."""
    header, rows, matched, left, grades = _prepare(results, roster, column)
    ident = id_column or column
    if ident not in header:
        raise LmsError(Message("lms.no_column", {"column": ident, "columns": ", ".join(header)}))
    body = [[row.get(ident, ""), _cell(*grades[matched[i]]) if i in matched else ""] for i, row in enumerate(rows)]
    return _export(rows, column, matched, left, grades, [ident, assignment], body)
