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
  Canvas's own exporter and importer (lib/gradebook_exporter.rb and lib/gradebook_importer.rb in
  instructure/canvas-lms) settle the details: an assignment column is titled ``Title (id)``, and the importer
  fills an existing assignment only when the id in that title (or the exact title) is one of the course's; any
  other title creates a new assignment. So the column is ``--column``, else the one column of the roster (the
  course's gradebook export) whose title names this assignment. Its rows "Points Possible" and "Manual Posting"
  are no students.
- Moodle, "Grade import" (docs.moodle.org; gradeimport_csv, grade/import/csv/classes/load_data.php): a CSV
  with a header row, one column that identifies the user (mapped at import to username, ID number, email
  address or user id) and one column per grade item (mapped to the item).
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from grader import api, clean, safefs, stats
from grader.batch import late
from grader.batch.output import results_in
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
    column: str = ""
    """The grade column's title."""
    column_source: str = "option"
    """Where the title came from: ``option`` (--column), ``roster`` (the roster's header) or ``default``."""
    candidates: list[str] = field(default_factory=list)
    """The roster's assignment columns, when none could be told to be this assignment's."""
    late: list[str] = field(default_factory=list)
    """Matched submissions whose grade lost a late penalty."""
    per_day: float = 0.0
    cap: float = 100.0
    quiz_missing: list[str] = field(default_factory=list)


_NOT_STUDENT = re.compile(r"\s*(Muted|Manual Posting.*|\(read only\))?\s*", re.IGNORECASE)
_TITLE_WITH_ID = re.compile(r"(.*\S)\s+\((\d+)\)")
CANVAS_TOTALS = ("Current Score", "Current Points", "Current Grade", "Final Score", "Final Points", "Final Grade",
                 "Override Score", "Override Grade", "Override Status")


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
    # and above it, where an assignment posts manually, a row of "Manual Posting" (what Canvas's importer skips)
    rows = [r for r in rows if any(r.values()) and not any(v.lower() == "points possible" for v in r.values())
            and not all(_NOT_STUDENT.fullmatch(v) for v in r.values())]
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


def canvas_column(header: Sequence[str], names: Sequence[str]) -> tuple[str | None, list[str]]:
    """The roster's column for this assignment (titled ``Title (id)``, the title being one of ``names``: the
    assignment's id or its title, compared loosely), and every assignment column it has."""
    skip = {*CANVAS_COLUMNS, "Integration ID", "Root Account", "LastName", "FirstName"}
    candidates = [h for h in header if h not in skip and _TITLE_WITH_ID.fullmatch(h)
                  and not any(h.startswith(t) or t in h for t in CANVAS_TOTALS)]
    wanted = {_key(n) for n in names if n}
    found = [h for h in candidates if _key(_TITLE_WITH_ID.fullmatch(h).group(1)) in wanted]  # type: ignore[union-attr]
    return (found[0] if len(found) == 1 else None), candidates


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


@dataclass(frozen=True)
class Grading:
    """How a grade is written: its column's title, the quiz (``none``, its own ``column``, or added to the
    ``total``), and the late penalty in percent per student."""

    title: str
    quiz: str = "none"
    quiz_title: str = ""
    quiz_points: float = 0.0
    penalties: Mapping[str, float] = field(default_factory=dict)


QUIZ_CHOICES = ("none", "column", "total")


def _quiz_scores(results: Sequence[dict[str, Any]]) -> dict[str, float]:
    out = {}
    for d in results:
        quiz = d.get("quiz")
        if isinstance(quiz, dict) and isinstance(quiz.get("score"), (int, float)) and not isinstance(quiz.get("score"), bool):
            out[d["submission"]] = float(quiz["score"])
    return out


def _grade_cells(name: str | None, grades: Mapping[str, tuple[str, Any]], quiz: Mapping[str, float],
                 how: Grading) -> list[Any]:
    """The grade (and the quiz's cell, when it has its own column) of one roster row."""
    if name is None:
        return ["", ""] if how.quiz == "column" else [""]
    cell = _cell(*grades[name])
    q = quiz.get(name)
    if how.quiz == "total" and isinstance(cell, (int, float)) and grades[name][0] == "graded":
        cell = cell + (q or 0.0)
    if isinstance(cell, (int, float)) and how.penalties.get(name):
        cell = cell * (1 - how.penalties[name] / 100)
    cell = round(cell, 2) if isinstance(cell, float) else cell
    if how.quiz == "column":
        return [cell, "" if q is None else round(q * (1 - how.penalties.get(name, 0.0) / 100), 2)]
    return [cell]


def _finish(done: Export, how: Grading, matched: Mapping[int, str], quiz: Mapping[str, float]) -> Export:
    done.column = how.title
    done.late = sorted(n for n in matched.values() if how.penalties.get(n))
    if how.quiz != "none":
        done.quiz_missing = sorted(n for n in matched.values() if n not in quiz)
    return done


def canvas(results: Sequence[dict[str, Any]], *, roster: Path, column: str, assignment: str,
           points: float, how: Grading | None = None) -> Export:
    """Canvas's gradebook import CSV: the five identifying columns from the roster and the assignment's column
    (and the quiz's, where it has its own)."""
    how = how or Grading(assignment)
    header, rows, matched, left, grades = _prepare(results, roster, column)
    quiz = _quiz_scores(results)
    lower = {h.lower(): h for h in header}
    total = points + (how.quiz_points if how.quiz == "total" else 0)
    extra = [how.quiz_points] if how.quiz == "column" else []
    body: list[list[Any]] = [["Points Possible", "", "", "", "", total, *extra]]
    for i, row in enumerate(rows):
        ids = [row.get(lower.get(c.lower(), ""), "") for c in CANVAS_COLUMNS]
        if not ids[0]:
            ids[0] = row.get(column, "")
        body.append([*ids, *_grade_cells(matched.get(i), grades, quiz, how)])
    titles = [how.title, *([how.quiz_title] if how.quiz == "column" else [])]
    return _finish(_export(rows, column, matched, left, grades, [*CANVAS_COLUMNS, *titles], body), how, matched, quiz)


def moodle(results: Sequence[dict[str, Any]], *, roster: Path, column: str, assignment: str,
           id_column: str | None = None, how: Grading | None = None) -> Export:
    """Moodle's grade import CSV: the identifying column (``id_column``, default ``column``) and the grade (and the
    quiz's, where it has its own column)."""
    how = how or Grading(assignment)
    header, rows, matched, left, grades = _prepare(results, roster, column)
    quiz = _quiz_scores(results)
    ident = id_column or column
    if ident not in header:
        raise LmsError(Message("lms.no_column", {"column": ident, "columns": ", ".join(header)}))
    body = [[row.get(ident, ""), *_grade_cells(matched.get(i), grades, quiz, how)] for i, row in enumerate(rows)]
    titles = [how.title, *([how.quiz_title] if how.quiz == "column" else [])]
    return _finish(_export(rows, column, matched, left, grades, [ident, *titles], body), how, matched, quiz)


def export(system: str, output: Path, *, roster: Path, column: str, id_column: str | None = None,
           title: str | None = None, quiz: str = "none", quiz_title: str | None = None, late_penalty: float = 0.0,
           late_cap: float = 100.0, due: str | None = None) -> Export:
    """``grade export canvas|moodle``: the batch in ``output`` as the LMS's import file. The column's title is
    ``title``, else (Canvas) the roster's column for this assignment, else the assignment's id; the late penalty
    comes from the times ``grade batch`` stored (``OUT/times.json``) and ``due`` (else the stored due date)."""
    results = results_in(output)
    names = sorted({str(d.get("assignment")) for d in results if isinstance(d.get("assignment"), str)})
    if len(names) != 1:
        raise LmsError(Message("lms.no_results", {"path": str(output)}))
    spec = api.assignment_spec(names[0])
    stored_due, submitted = late.read_times(output)
    deadline = late.parse_time(due) if due else stored_due
    if due and deadline is None:
        raise LmsError(Message("lms.bad_due", {"value": due}))
    penalties = {n: p for n, t in submitted.items() if (p := late.penalty(t, deadline, late_penalty, late_cap))}
    source, candidates = "option", list[str]()
    if not title:
        header = read_roster(roster, column)[0]
        found, candidates = canvas_column(header, [spec.name, spec.title]) if system == "canvas" else (None, [])
        title, source = (found, "roster") if found else (spec.name, "default")
    quiz_points = max((float(d["quiz"]["max_score"]) for d in results if isinstance(d.get("quiz"), dict)
                       and isinstance(d["quiz"].get("max_score"), (int, float))), default=0.0)
    how = Grading(title, quiz, quiz_title or f"{title} quiz", quiz_points, penalties)
    if system == "canvas":
        done = canvas(results, roster=roster, column=column, assignment=spec.name, points=spec.max_score, how=how)
    else:
        done = moodle(results, roster=roster, column=column, assignment=spec.name, id_column=id_column, how=how)
    done.column_source, done.per_day, done.cap = source, late_penalty, late_cap
    done.candidates = candidates if source == "default" and system == "canvas" else []
    return done
