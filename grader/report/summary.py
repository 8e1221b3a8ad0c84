"""The batch's summary and similarity tables for a terminal: ``grade batch``, ``grade merge``, ``grade report``
and ``grade similar`` print them from a summary (grader.stats) with rich. Every cell and title is a Text: names in a
summary are never read as markup."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from grader import clean
from grader.messages import render


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
            mistakes.add_row(clean.terminal(m["exercise"]), clean.terminal(m["mistake"]), Text(str(m["students"])))
        console.print(mistakes)
    if summary.get("diagnoses"):
        diagnoses = Table(title=clean.terminal(render("batch.top_diagnoses", lang)))
        for key in ("ui.col.exercise", "batch.diagnosis", "batch.students"):
            diagnoses.add_column(clean.terminal(render(key, lang)))
        for m in summary["diagnoses"]:
            diagnoses.add_row(clean.terminal(m["exercise"]), clean.terminal(m["diagnosis"]), Text(str(m["students"])))
        console.print(diagnoses)
    failing = sorted(summary.get("cases", []), key=lambda c: -c["failed"])[:10]
    if failing and failing[0]["failed"]:
        cases = Table(title=clean.terminal(render("batch.top_cases", lang)))
        for key in ("ui.col.exercise", "batch.col.case", "batch.col.failed", "batch.col.checks"):
            cases.add_column(clean.terminal(render(key, lang)), justify="right" if key == "batch.col.failed" else "left")
        for c in (c for c in failing if c["failed"]):
            hidden = render("ui.hidden_tag", lang) if c["hidden"] else ""
            checks = ", ".join(f"{name} {n}" for name, n in c["checks"].items())
            cases.add_row(clean.terminal(c["exercise"]), clean.terminal(f"{c['case']}{hidden}"),
                          Text(f"{c['failed']}/{c['runs']}"), clean.terminal(checks))
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
