"""Rendering: everything a batch writes, from its stored results (``grade batch`` and ``grade report`` share it).

Each ``OUT/<name>.json`` keeps the grading result itself (``batch.result``, see grader.report.stored), so the
per-student ``.json`` and ``.md``, ``gradebook.csv``, ``summary.json``, the plots and the similarity report can be
written again in any language and at any feedback level without running student code. A file is rewritten only
when its content changes: rendering an unchanged result again leaves its files byte for byte (and time) as they
were. Results written by an older grader (no stored result) are kept as they are.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from grader import api, clean, similar, stats
from grader.batch import history, late
from grader.batch.intake import BatchError
from grader.batch.output import CODE, read_json, record_json, records, rejected_entries, write_if_changed
from grader.messages import render
from grader.messages import title as assignment_title
from grader.report import dashboard, feedback, figures, stored
from grader.report import html as html_report
from grader.report import json as json_report
from grader.report import similarity as similarity_page
from grader.report.options import Options
from grader.results import Message
from grader.spec import Assignment

SIMILARITY = "similarity"
"""``OUT/similarity.csv`` and ``OUT/similarity/<a>--<b>.html`` (each pair's code side by side, what is alike marked)."""


def failure_message(record: dict[str, Any], lang: str) -> str:
    """Why a submission was not graded, in ``lang`` where the reason was recorded as a message."""
    batch = record.get("batch") if isinstance(record.get("batch"), dict) else {}
    reason = batch.get("reason") if isinstance(batch, dict) else None
    if isinstance(reason, dict) and isinstance(reason.get("code"), str):
        params = reason.get("params")
        return render(Message(reason["code"], params if isinstance(params, dict) else {}), lang)
    return str(record.get("error", ""))


def invalid_markdown(label: str, message: str, lang: str) -> str:
    return (f"# {clean.markdown(label)}\n\n{clean.markdown(render('batch.invalid_md', lang))}\n\n"
            f"{clean.fence(message)}\n")


def render_record(record: dict[str, Any], lang: str, level: str,
                  stem: str = "") -> tuple[dict[str, Any], str | None] | None:
    """A stored record as its ``.json`` data and ``.md`` text in ``lang`` at feedback ``level``; None when it
    cannot be rendered again (an older grader's result: it is kept as it is). ``stem``: the files' name, where the
    ``.md`` links the pictures :func:`write_student_page` writes."""
    status = stats.status_of(record)
    label = str(record.get("submission", ""))
    if status == "graded":
        try:
            result = stored.result_from(record)
        except stored.StoredError:
            return None
        if result is None:
            return None
        data = json_report.to_dict(result, lang)
        data["submission"] = label
        data["batch"] = record["batch"]
        left_out = record["batch"].get("left_out") or []
        return data, feedback.markdown(result, label, lang, [str(x) for x in left_out], level,
                                       pictures=f"{stem}{PICTURES}" if stem else "")
    if status == "invalid":
        message = failure_message(record, lang)
        return {**record, "error": clean.text(message, 20000)}, invalid_markdown(label, message, lang)
    return record, None


PICTURES = ".pictures"
"""``OUT/<stem>.pictures/<exercise>.svg``: the heatmaps the student's ``.md`` links (the ``.html`` draws them inline)."""


def write_student_page(output: Path, stem: str, record: dict[str, Any], lang: str, level: str) -> int:
    """``OUT/<stem>.html`` (the student's report as a page, heatmaps inline) and the ``.md``'s pictures, from a
    graded record at feedback ``level``; pictures no longer drawn are removed. Returns the files rewritten."""
    try:
        result = stored.result_from(record) if stats.status_of(record) == "graded" else None
    except stored.StoredError:
        result = None
    if result is None:
        return 0
    label = str(record.get("submission", ""))
    written = int(write_if_changed(output / f"{stem}.html",
                                   html_report.render(result, lang, Options(name=label, feedback=level))))
    folder = output / f"{stem}{PICTURES}"
    wanted = figures.every_file(result, lang, level)
    if wanted or folder.is_dir():
        folder.mkdir(exist_ok=True)
        for stale in folder.glob("*.svg"):
            if stale.name not in wanted and not stale.is_symlink():
                stale.unlink()
        for name, text in wanted.items():
            written += write_if_changed(folder / name, text)
    return written


def gradebook_csv(rows: Sequence[dict[str, Any]], spec: Assignment) -> str:
    """``gradebook.csv``: text cells cannot start a formula; scores stay numbers."""
    ids = [e.id for e in spec.exercises]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([clean.csv_cell(c) for c in ["student", "score", "max_score", *ids, "quiz_score",
                                                  "quiz_max_score", "status"]])
    for d in sorted(rows, key=lambda d: d["submission"]):
        failed = stats.status_of(d) == "grader_error"  # no score: it is graded again by the next run
        per = {e.get("id"): e.get("score", 0) for e in d.get("exercises", []) if isinstance(e, dict)}
        quiz: dict[str, Any] = d["quiz"] if isinstance(d.get("quiz"), dict) else {}
        writer.writerow([clean.csv_cell(d["submission"]), _number(stats.gradebook_score(d)),
                         _number(d.get("max_score", spec.max_score)),
                         *[_number(None if failed else per.get(i, 0)) for i in ids],
                         _number(quiz.get("score")), _number(quiz.get("max_score")),
                         clean.csv_cell(stats.gradebook_status(d))])
    return buffer.getvalue()


def _number(value: Any) -> str:
    """Every number written one way (``0``, ``8``, ``97.89``: never ``0.0`` beside ``0``); blank for none."""
    if value is None or value == "":
        return ""
    return stats.number(value) if isinstance(value, (int, float)) and not isinstance(value, bool) \
        else clean.csv_cell(value)


def write_summary(output: Path, spec: Assignment, rows: Sequence[dict[str, Any]],
                  rejected: Sequence[dict[str, Any]] | None, *, similarity: bool = True,
                  threshold: float = similar.THRESHOLD, lang: str = "en") -> dict[str, Any]:
    """``gradebook.csv``, ``summary.json``, ``scores.png`` and ``exercises.png`` (where matplotlib is installed),
    the similarity report and the dashboard (``index.html``, in ``lang``)."""
    write_if_changed(output / "gradebook.csv", gradebook_csv(rows, spec))
    summary = stats.summarize(rows, spec, rejected)
    if similarity:
        summary["similar"] = write_similarity(output, spec, rows, threshold=threshold, lang=lang)
    write_if_changed(output / "summary.json", clean.json_dumps(summary))
    summary["plot"] = stats.plot_scores(summary, output / "scores.png", lang)
    summary["exercises_plot"] = stats.plot_exercises(summary, output / "exercises.png", lang)
    write_dashboard(output, spec, rows, summary, lang)
    return summary


def previous_rejected(output: Path) -> list[dict[str, Any]]:
    """The entries a batch did not grade, as its last summary recorded them."""
    return rejected_entries(read_json(output / "summary.json"))


def render_output(output: Path, *, lang: str, level: str = feedback.DEFAULT, spec: Assignment | None = None,
                  rejected: Sequence[dict[str, Any]] | None = None, similarity: bool = True) -> dict[str, Any]:
    """Render every file of the batch output ``output`` from its stored results; return the summary (with
    ``rendered``: the per-student files rewritten, and ``kept``: results that could not be rendered again)."""
    feedback.check_level(level)
    if not output.is_dir():
        raise BatchError(f"{clean.name(str(output))} is not a batch output folder")
    rows: list[dict[str, Any]] = []
    rewritten = 0
    kept: list[str] = []
    regrades = history.read(output)
    for path, record in records(output):
        rendered = render_record(record, lang, level, stem=path.stem)
        if rendered is None:
            kept.append(str(record["submission"]))
            rows.append(record)
            continue
        data, md = rendered
        rewritten += write_if_changed(path, record_json(data))
        if md is not None:
            md = with_history(md, history.of(regrades, str(record["submission"])), lang)
            rewritten += write_if_changed(path.with_suffix(".md"), md)
            rewritten += write_student_page(output, path.stem, record, lang, level)
        rows.append(data)
    if spec is None:
        names = sorted({str(d.get("assignment")) for d in rows if isinstance(d.get("assignment"), str)})
        if not names:
            raise BatchError(f"{clean.name(str(output))} holds no batch results")
        if len(names) > 1:
            raise BatchError(f"{clean.name(str(output))} holds results of several assignments: {', '.join(names)}")
        spec = api.assignment_spec(names[0])
    summary = write_summary(output, spec, rows, previous_rejected(output) if rejected is None else rejected,
                            similarity=similarity, lang=lang)
    summary["rendered"] = rewritten
    summary["kept"] = sorted(kept)
    return summary


# --- the dashboard and the regrade history (issue 27) ----------------------------------------------

DASHBOARD = "index.html"


def feedback_link(output: Path, stem: str) -> str | None:
    """A student's feedback page relative to the dashboard: ``<stem>.html`` where it exists, else ``<stem>.md``."""
    for suffix in (".html", ".md"):
        path = output / f"{stem}{suffix}"
        if path.is_file() and not path.is_symlink():
            return path.name
    return None


def write_dashboard(output: Path, spec: Assignment, rows: Sequence[dict[str, Any]], summary: dict[str, Any],
                    lang: str) -> bool:
    """``OUT/index.html`` from the rows, the summary (with its similar pairs), the regrade history and the times."""
    stems = {str(d["submission"]): path.stem for path, d in records(output)}
    regrades = history.read(output)
    due, submitted = late.read_times(output)
    alike: dict[str, list[str]] = {}
    for p in summary.get("similar", []):
        alike.setdefault(p["a"], []).append(p["b"])
        alike.setdefault(p["b"], []).append(p["a"])
    students = []
    for d in rows:
        name = str(d.get("submission", ""))
        when = submitted.get(clean.name(name))
        students.append(dashboard.Student(
            d, feedback_link(output, stems[name]) if name in stems else None, tuple(alike.get(name, [])),
            late=bool(due and when and when > due), history=tuple(history.of(regrades, name))))
    title = assignment_title(spec.name, spec.title, lang)
    text = dashboard.page(spec, title, summary, students, regrades, lang, due=late.iso(due) if due else None)
    return write_if_changed(output / DASHBOARD, text)


def with_history(md: str, entries: Sequence[Any], lang: str) -> str:
    """A student's feedback with their regrade history at the end (nothing added when there is none)."""
    if not entries:
        return md
    lines = ["", f"## {clean.markdown(render('history.title', lang))}", ""]
    for e in entries:
        old, new, delta = dashboard.change_text(e)
        line = render("history.line", lang, when=e.get("when", ""), old=old, new=new, delta=delta,
                      version=e.get("grader_version", ""))
        changed = dashboard.changed_exercises(e, lang)
        reason = render("history.reason", lang, reason=e.get("reason") or render("history.no_reason", lang))
        lines.append(f"- {clean.markdown(line)}" + (f"; {clean.markdown(changed)}" if changed else "")
                     + f"; {clean.markdown(reason)}")
    return md.rstrip("\n") + "\n" + "\n".join(lines) + "\n"


# --- similarity -------------------------------------------------------------------------------------

def read_code(output: Path, rows: Sequence[dict[str, Any]] | None = None) -> dict[str, tuple[str, dict[str, str]]]:
    """The stored sources of graded submissions: name -> (result stem, file -> source)."""
    graded = None if rows is None else {d["submission"] for d in rows if stats.status_of(d) == "graded"}
    out: dict[str, tuple[str, dict[str, str]]] = {}
    folder = output / CODE
    if not folder.is_dir():
        return out
    for path in sorted(folder.glob("*.json")):
        data = read_json(path)
        if not data or path.is_symlink() or not isinstance(data.get("submission"), str):
            continue
        if graded is not None and data["submission"] not in graded:
            continue
        files = data.get("files")
        if isinstance(files, dict) and all(isinstance(v, str) for v in files.values()):
            out[data["submission"]] = (path.stem, {str(k): v for k, v in files.items()})
    return out


def write_similarity(output: Path, spec: Assignment, rows: Sequence[dict[str, Any]] | None = None, *,
                     threshold: float = similar.THRESHOLD, lang: str = "en") -> list[dict[str, Any]]:
    """``similarity.csv`` and a page per listed pair (its code side by side, what is alike marked, in ``lang``);
    returns the pairs for the summary."""
    code = read_code(output, rows)
    submissions = {name: files for name, (_, files) in code.items()}
    prints = similar.distinctive(submissions, spec)
    pairs = similar.compare(submissions, spec, threshold=threshold, prints=prints)
    write_if_changed(output / f"{SIMILARITY}.csv", similar.csv_text(pairs))
    folder = output / SIMILARITY
    wanted = {}
    stubs = similar.read_folder(spec.stubs, spec.files) if spec.stubs is not None and spec.stubs.is_dir() else {}
    title = assignment_title(spec.name, spec.title, lang)
    for p in pairs:
        (stem_a, files_a), (stem_b, files_b) = code[p.a], code[p.b]
        views = similar.side_by_side(files_a, files_b, spec, prints[p.a], prints[p.b], p.exercises, stubs=stubs)
        wanted[f"{stem_a}--{stem_b}.html"] = similarity_page.page(p, views, title, lang, back=f"../{DASHBOARD}")
    if wanted or folder.is_dir():
        folder.mkdir(exist_ok=True)
        for stale in folder.glob("*.html"):
            if stale.name not in wanted and not stale.is_symlink():
                stale.unlink()
        for name, text in wanted.items():
            write_if_changed(folder / name, text)
    return [{"a": p.a, "b": p.b, "score": p.score, "shared": p.shared, "exercises": list(p.exercises),
             "diff": f"{SIMILARITY}/{code[p.a][0]}--{code[p.b][0]}.html"} for p in pairs]


def update_similarity(output: Path, *, threshold: float = similar.THRESHOLD,
                      lang: str = "en") -> list[dict[str, Any]]:
    """``grade similar OUT``: the similarity report again (at ``threshold``, its pages in ``lang``), and the
    summary's list of pairs."""
    rows = [d for _, d in records(output)]
    names = sorted({str(d.get("assignment")) for d in rows if isinstance(d.get("assignment"), str)})
    if len(names) != 1:
        raise BatchError(f"{clean.name(str(output))} holds no batch results of one assignment")
    spec = api.assignment_spec(names[0])
    pairs = write_similarity(output, spec, rows, threshold=threshold, lang=lang)
    summary = read_json(output / "summary.json")
    if summary is not None:
        summary["similar"] = pairs
        write_if_changed(output / "summary.json", clean.json_dumps(summary))
    return pairs


def code_record(spec: Assignment, label: str, files: dict[str, str]) -> str:
    return record_json({"assignment": spec.name, "submission": label, "files": files})

