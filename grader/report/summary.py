"""What the instructor's commands print, for a terminal, with rich: the batch's summary and similarity tables
(``grade batch``, ``grade merge``, ``grade report``, ``grade similar``, from a summary of grader.stats), what a release
shipped (``grade release``, ``grade export gradescope``, from its release.json) and what went to an LMS. Every
cell and title is a Text: names in a summary are never read as markup. And ``grade list``'s table."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich import box
from rich.cells import cell_len
from rich.console import Console
from rich.table import Table
from rich.text import Text

from grader import clean
from grader.messages import render
from grader.report.dashboard import change_text, changed_exercises, words


def print_similar(console: Console, pairs: Sequence[dict[str, Any]], lang: str) -> None:
    """The pairs of submissions whose code is alike (``summary["similar"]``), or a line saying there are none."""
    if not pairs:
        console.print(Text(render("batch.similar_none", lang)))
        return
    table = Table(title=clean.terminal(render("batch.similar", lang, count=len(pairs))))
    for key in ("batch.col.a", "batch.col.b", "batch.col.similarity", "batch.col.exercises"):
        table.add_column(clean.terminal(render(key, lang)), justify="right" if key == "batch.col.similarity" else "left")
    for p in pairs:
        table.add_row(clean.terminal(p["a"]), clean.terminal(p["b"]), Text(f"{p['score']:.2f}"),
                      clean.terminal(", ".join(p["exercises"])))
    console.print(table)
    console.print(clean.terminal(render("batch.similar_note", lang), style="dim"))


def print_summary(console: Console, summary: dict[str, Any], lang: str, *, graded: int, skipped: int,
                  failed: int) -> None:
    """What a batch (or a merge, or ``grade report``) says when it is done: the counts, the histogram, the pass
    rates, the most common mistakes, diagnoses and failing cases, what was not graded and why, the similar pairs
    and where the plots are."""
    console.print(Text(render("batch.done", lang, graded=graded, skipped=skipped, failed=failed,
                              total=summary["submissions"], mean=summary["mean"] if summary["mean"] is not None else "-",
                              max_score=summary["max_score"]), style="bold"))
    counts = summary["histogram"]["counts"]
    top = max(counts) if counts and max(counts) else 1
    for label, n in zip(summary["histogram"]["bins"], counts, strict=True):
        console.print(Text(f"{label:>9} │{'█' * round(30 * n / top):<30} {n}"))
    if summary.get("quartiles"):
        console.print(Text(render("batch.quartiles", lang, **summary["quartiles"])))
    if summary.get("statuses"):
        said = " · ".join(f"{status} {n}" for status, n in summary["statuses"].items())
        console.print(clean.terminal(render("batch.statuses", lang, counts=said)))
    # every cell and title is a Text: names in a summary are never read as markup
    table = Table(title=clean.terminal(render("batch.pass_rates", lang)))
    table.add_column(clean.terminal(render("ui.col.exercise", lang)))
    table.add_column(clean.terminal(render("batch.pass_rate", lang)), justify="right")
    for ex, rate in summary["pass_rates"].items():
        table.add_row(clean.terminal(ex), Text("-" if rate is None else f"{100 * rate:.0f}%"))
    console.print(table)
    if summary["top_mistakes"]:
        mistakes = Table(title=clean.terminal(render("batch.top_mistakes", lang)))
        for key in ("ui.col.exercise", "batch.mistake", "batch.students"):
            mistakes.add_column(clean.terminal(render(key, lang)))
        for m in summary["top_mistakes"]:
            mistakes.add_row(clean.terminal(m["exercise"]),
                             clean.prose(words(f"mistake.{m['mistake']}", m["mistake"], lang)),
                             Text(str(m["students"])))
        console.print(mistakes)
    if summary.get("diagnoses"):
        diagnoses = Table(title=clean.terminal(render("batch.top_diagnoses", lang)))
        for key in ("ui.col.exercise", "batch.diagnosis", "batch.students"):
            diagnoses.add_column(clean.terminal(render(key, lang)))
        for m in summary["diagnoses"]:
            diagnoses.add_row(clean.terminal(m["exercise"]),
                              clean.prose(words(f"diagnosis.{m['diagnosis']}", m["diagnosis"], lang)),
                              Text(str(m["students"])))
        console.print(diagnoses)
    failing = grouped_cases(summary.get("cases", []), lang)
    if failing:
        cases = Table(title=clean.terminal(render("batch.top_cases", lang)))
        for key in ("ui.col.exercise", "batch.col.case", "batch.col.failed", "batch.col.checks"):
            cases.add_column(clean.terminal(render(key, lang)), justify="right" if key == "batch.col.failed" else "left")
        for exercise, listed, share, checks in failing:
            cases.add_row(clean.terminal(exercise), clean.terminal(listed), Text(share), clean.terminal(checks))
        console.print(cases)
    if summary.get("invalid"):
        names = ", ".join(clean.name(n) for n in summary["invalid"])
        console.print(clean.terminal(render("batch.invalid", lang, names=names), style="yellow"))
    if summary.get("grader_errors"):
        names = ", ".join(clean.name(n) for n in summary["grader_errors"])
        console.print(clean.terminal(render("batch.grader_errors", lang, names=names), style="red"))
    for r in summary.get("rejected", []):
        reason = render(f"batch.reason.{r['reason']}", lang, entries=", ".join(clean.name(e) for e in r.get("entries", [])))
        console.print(clean.terminal(render("batch.rejected", lang, name=clean.name(r["submission"]), reason=reason),
                                     style="yellow"))
    if "similar" in summary:
        print_similar(console, summary["similar"], lang)
    if summary.get("plot"):
        console.print(Text(render("batch.plot", lang, path=summary["plot"]), style="dim"))
    if summary.get("exercises_plot"):
        console.print(Text(render("batch.plot_exercises", lang, path=summary["exercises_plot"]), style="dim"))


def grouped_cases(rows: Sequence[dict[str, Any]], lang: str, limit: int = 10) -> list[tuple[str, str, str, str]]:
    """The most failed cases, one row per exercise and outcome: the cases of an exercise that failed as often and on
    the same checks (one syntax error fails them all alike) share a row, their names listed once."""
    groups: dict[tuple[str, int, int, tuple[tuple[str, int], ...]], list[str]] = {}
    for c in rows:
        if c["failed"]:
            hidden = render("ui.hidden_tag", lang) if c["hidden"] else ""
            groups.setdefault((c["exercise"], c["failed"], c["runs"], tuple(c["checks"].items())), []).append(
                f"{c['case']}{hidden}")
    out = []
    for (exercise, failed, runs, checks), names in sorted(groups.items(), key=lambda kv: -kv[0][1])[:limit]:
        shown = ", ".join(names[:2])
        listed = shown if len(names) <= 2 else render("batch.cases_more", lang, cases=shown, count=len(names) - 2)
        out.append((exercise, listed, f"{failed}/{runs}", ", ".join(f"{name} {n}" for name, n in checks)))
    return out


def print_regrades(console: Console, entries: Sequence[dict[str, Any]], lang: str) -> None:
    """What a regrade changed (the lines it added to history.jsonl), one line per student."""
    for e in entries:
        old, new, delta = change_text(e)
        changed = changed_exercises(e, lang)
        reason = render("history.reason", lang, reason=e.get("reason") or render("history.no_reason", lang))
        line = render("history.printed", lang, student=clean.name(e.get("student")), old=old, new=new, delta=delta,
                      reason=reason)
        console.print(clean.terminal(f"{line}" + (f" · {changed}" if changed else ""), style="bold"))


def print_shipped(console: Console, manifest: dict[str, Any], lang: str) -> None:
    """What a release shipped: where its starter files came from, each of them with its size and SHA-256, and the
    count of the rest (all of them are in release.json)."""
    source = manifest.get("starter", {})
    if source.get("working_copy_differs"):
        console.print(clean.terminal(render("release.working_copy_differs", lang,
                                            files=", ".join(source["working_copy_differs"])), style="yellow"))
    if source.get("not_committed"):
        console.print(clean.terminal(render("release.not_committed", lang, files=", ".join(source["not_committed"])),
                                     style="yellow"))
    if manifest.get("implemented"):
        where = "; ".join(f"{i['file']}, line {i['line']}: {i['exercise']}" for i in manifest["implemented"])
        console.print(clean.terminal(render("release.allowed_implemented", lang, where=where), style="bold yellow"))
    files = manifest.get("files", [])  # the SHA-256 in full are in release.json; 16 digits fit 80 columns
    console.print(Text(render("release.shipped", lang, count=len(files), size=round(sum(f["bytes"] for f in files) / 1024),
                              manifest="release.json")))
    starter = set(manifest.get("starter_files", []))
    for f in files:
        if f["path"] in starter:
            console.print(clean.terminal(f"  {f['path']}  {f['bytes']} B  sha256 {f['sha256'][:16]}…"))


def print_lms(console: Console, done: Any, system: str, column: str, target: str, lang: str) -> None:
    """What ``grade export canvas|moodle`` wrote (grader.lms's result), and whom it could not match or grade."""
    console.print(Text(render("lms.done", lang, system=system.capitalize(), count=done.rows, graded=done.graded,
                              path=target)))
    if done.column_source == "roster":
        console.print(clean.terminal(render("lms.column_from_roster", lang, system=system.capitalize(), column=done.column)))
    if done.candidates:
        console.print(clean.terminal(render("lms.column_not_found", lang, column=done.column,
                                            candidates=", ".join(done.candidates)), style="yellow"))
    if done.late:
        console.print(clean.terminal(render("lms.late", lang, per_day=done.per_day, cap=done.cap,
                                            names=", ".join(done.late)), style="yellow"))
    if done.quiz_missing:
        console.print(clean.terminal(render("lms.quiz_missing", lang, names=", ".join(done.quiz_missing)), style="yellow"))
    if done.unmatched_submissions:
        console.print(clean.terminal(render("lms.unmatched_submissions", lang, column=column,
                                            names=", ".join(done.unmatched_submissions)), style="yellow"))
    if done.unmatched_roster:
        console.print(clean.terminal(render("lms.unmatched_roster", lang, names=", ".join(done.unmatched_roster)),
                                     style="yellow"))
    if done.not_graded:
        console.print(clean.terminal(render("lms.not_graded", lang, names=", ".join(done.not_graded)), style="red"))


def print_assignment(console: Console, a: Any, title: str, lang: str) -> None:
    """``grade list``: an assignment's exercises, files, points and cases (visible + hidden; a bundle's: visible)."""
    console.print(Text(render("ui.list.title", lang, name=a.name, title=title,
                              points=a.max_score), style="bold"))
    # as in the report: 80 columns hold every exercise name whole (what --exercise takes)
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
    longest = max((cell_len(clean.terminal(e.id).plain) for e in a.exercises), default=0)
    files = max((cell_len(clean.terminal(e.file).plain) for e in a.exercises), default=0)
    bundle = a.solutions is None  # a student bundle holds the visible cases only: it cannot count the hidden ones
    counts = "ui.col.visible_count" if bundle else "ui.col.cases_count"
    for key in ("ui.col.exercise", "ui.col.file", "ui.col.points", counts):  # no cell, no header wraps
        table.add_column(clean.terminal(render(key, lang)), no_wrap=True, overflow="ellipsis",
                         justify="right" if key == "ui.col.points" else "left",
                         min_width={"ui.col.exercise": longest, "ui.col.file": files}.get(key))
    for e in a.exercises:
        visible = sum(not c.hidden for c in e.cases)
        table.add_row(clean.terminal(e.id), clean.terminal(e.file), Text(f"{e.points:g}"),
                      Text(f"{visible}" if bundle else f"{visible} + {len(e.cases) - visible}"))
    console.print(table)
    if bundle:
        console.print(clean.terminal(render("ui.hidden_hint", lang)))
