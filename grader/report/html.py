"""The report as one self-contained HTML fragment: what a notebook shows under ``grader.check(...)``.

Everything a result carries (ids, file names, messages with the student's values, tracebacks, printed output)
is cleaned and escaped here, whatever the caller did: a student's text never becomes markup. The fragment
has its own scoped style (class ``nlpg``), no script and no external resource, so it renders the same in
Jupyter, JupyterLab, VS Code, Colab and a saved page.
"""

from __future__ import annotations

import html
from collections.abc import Collection, Iterable
from typing import Any

from grader import clean
from grader.messages import render as render_message
from grader.report import figures, pictures
from grader.report.options import Options
from grader.report.plain import grid_digits, in_slice, isolation_words, relative_line, worst_values
from grader.results import CaseResult, ExerciseResult, GradeResult, Message, Status, TensorDiff

MAX_FAILING_CASES = 3
"""Failing cases shown per exercise (the first one with its diff and traceback)."""

COLORS = {
    Status.PASSED: "#1a7f37", Status.FAILED: "#cf222e", Status.ERROR: "#8250df", Status.NOT_ATTEMPTED: "#9a6700",
    Status.TIMEOUT: "#8250df", Status.MISSING: "#9a6700",
}

STYLE = """<style>
.nlpg{font-family:system-ui,-apple-system,"Segoe UI","Noto Sans","Noto Sans KR","Apple SD Gothic Neo",sans-serif;
font-size:14px;line-height:1.45;color:#1f2328;background:#fff;max-width:60em;padding:.2em 0}
.nlpg h3{font-size:1.15em;margin:.2em 0}.nlpg .sub{color:#57606a;font-size:.9em;margin:.1em 0}
.nlpg table.ex{border-collapse:collapse;margin:.6em 0}
.nlpg table.ex th,.nlpg table.ex td{border-bottom:1px solid #d0d7de;padding:.25em .8em;text-align:left}
.nlpg table.ex td.n,.nlpg table.ex th.n{text-align:right}
.nlpg .badge{display:inline-block;border-radius:1em;padding:0 .6em;color:#fff;font-size:.85em;white-space:nowrap}
.nlpg code{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:.95em}
.nlpg .card{border-left:4px solid #d0d7de;padding:.3em .8em;margin:.6em 0;background:#f6f8fa}
.nlpg .card h4{margin:.1em 0 .3em;font-size:1em}
.nlpg .note{color:#9a6700}.nlpg .mistake{color:#8250df;font-weight:600}.nlpg .dim{color:#57606a}
.nlpg .diagnosis{color:#0550ae;font-weight:600}
.nlpg pre{background:#fff;border:1px solid #d0d7de;padding:.4em;overflow-x:auto;white-space:pre-wrap;margin:.3em 0}
.nlpg table.grid{border-collapse:collapse;font-family:ui-monospace,Menlo,Consolas,monospace;font-size:.9em;margin:.3em 0}
.nlpg table.grid td{padding:0 .45em;text-align:right}.nlpg table.grid td.sep{border-left:2px solid #d0d7de}
.nlpg table.grid td.bad{color:#cf222e;font-weight:700}.nlpg table.grid td.exp{color:#57606a}
.nlpg table.grid th{font-weight:400;color:#57606a;text-align:right;padding:0 .45em}
.nlpg figure.pic{margin:.4em 0;overflow-x:auto}.nlpg figure.pic svg{max-width:none}
.nlpg .verdict{font-weight:700;margin:.5em 0 .2em}.nlpg .warn{background:#fff8c5;padding:.3em .6em;border-radius:4px}
</style>"""


def _e(value: Any, limit: int = clean.MAX_TEXT) -> str:
    """Student or result text, cleaned of controls and escaped for HTML."""
    return html.escape(clean.text(value, limit), quote=True)


def _t(lang: str, key: str | Message, /, **params: object) -> str:
    """A catalog message, escaped (its parameters may hold the student's values)."""
    return _e(render_message(key, lang, **params), clean.MAX_TEXT)


def _badge(status: Status, lang: str) -> str:
    return f'<span class="badge" style="background:{COLORS[status]}">{_t(lang, "status." + status.value)}</span>'


def _grid(d: TensorDiff, lang: str) -> str:
    n = grid_digits(d, 3)
    cells = d.grid.cells
    if not cells:
        return ""
    width = len(cells[0])
    head = (f'<tr><th colspan="{width}">{_t(lang, "ui.diff.expected")}</th>'
            f'<th class="sep" colspan="{width}">{_t(lang, "ui.diff.got")}</th></tr>')
    rows = []
    for row in cells:
        expected = "".join(f'<td class="exp">{_e(f"{c.expected:.{n}g}")}</td>' for c in row)
        got = "".join(f'<td class="{"sep " if j == 0 else ""}{"ok" if c.ok else "bad"}">{_e(f"{c.got:.{n}g}")}</td>'
                      for j, c in enumerate(row))
        rows.append(f"<tr>{expected}{got}</tr>")
    return f'<table class="grid">{head}{"".join(rows)}</table>'


def _diff(d: TensorDiff, lang: str) -> str:
    if not d.shape:  # a scalar (a loss): its two values say it all; it has no index and no neighbourhood
        return (f'<div>{_t(lang, "ui.diff.scalar", max_abs=d.max_abs, **worst_values(d))}<br><span class="dim">'
                f'{_t(lang, "ui.diff.tolerance", atol=d.atol, rtol=d.rtol)}</span></div>')
    lines = [_t(lang, "ui.diff.worst", max_abs=d.max_abs, index=list(d.max_abs_index), **worst_values(d))]
    if relative_line(d):
        lines.append(_t(lang, "ui.diff.rel", max_rel=d.max_rel, index=list(d.max_rel_index)))
    lines.append(f'<span class="dim">{_t(lang, "ui.diff.tolerance", atol=d.atol, rtol=d.rtol)}</span>')
    where = _t(lang, "ui.diff.grid", in_slice=in_slice(d.grid.slice_index, lang), row=d.grid.row_start, col=d.grid.col_start)
    lines.append(f'<span class="dim">{where}</span>')
    return "<div>" + "<br>".join(lines) + "</div>" + _grid(d, lang)


def _picture(exercise: ExerciseResult, case: CaseResult, lang: str, drawn: Collection[tuple[str, str]]) -> str:
    """The case's heatmaps, inline (SVG drawn here: nothing to load), where the report draws this case."""
    heatmap = case.failure.diff.heatmap if case.failure and case.failure.diff else None
    if (exercise.id, case.id) not in drawn or heatmap is None:
        return ""
    return f'<figure class="pic">{pictures.svg(exercise.id, case.id, heatmap, lang)}</figure>'


def _case(case: CaseResult, lang: str, detailed: bool) -> str:
    hidden = render_message("ui.hidden_tag", lang) if case.hidden else ""
    head = f"<b>{_t(lang, 'ui.case', case=case.id, hidden=hidden)}</b>"
    failure = case.failure
    if failure is None or failure.message is None:
        return f"<div>{head} · {_badge(case.status, lang)}</div>"
    parts = [f"<div>{head} · <code>[{_e(failure.name)}]</code> {_t(lang, failure.message)}</div>"]
    if detailed and failure.diff is not None:
        parts.append(_diff(failure.diff, lang))
    if detailed and failure.traceback:
        parts.append(f'<div class="dim">{_t(lang, "ui.traceback")}</div><pre>{_e(failure.traceback, clean.MAX_TERMINAL)}</pre>')
    return "".join(parts)


def _diagnosis_text(diagnosis: Any, lang: str) -> str:
    """A diagnosis of whatever shape the results carry (a Message, or something with a ``message`` and an
    ``id``, or plain text), as "observed: ..." with its id."""
    message = diagnosis if isinstance(diagnosis, Message) else getattr(diagnosis, "message", None)
    ident = getattr(diagnosis, "id", None)
    if isinstance(message, Message):
        text = render_message(message, lang)
    elif isinstance(message, str):
        text = message
    else:
        text = clean.text(diagnosis)
    line = _t(lang, "ui.diagnosis", message=text)
    return line + (f' <span class="dim">({_e(ident)})</span>' if isinstance(ident, str) else "")


def _exercise(e: ExerciseResult, lang: str, drawn: Collection[tuple[str, str]] = ()) -> str:
    parts = [f'<div class="card" style="border-left-color:{COLORS[e.status]}">'
             f"<h4><code>{_e(e.id)}</code> {_badge(e.status, lang)} {e.score:g} / {e.max_score:g}</h4>"]
    parts += [f'<div class="note">{_t(lang, note)}</div>' for note in e.notes]
    diagnoses: Iterable[Any] = getattr(e, "diagnoses", ()) or ()
    for d in diagnoses:
        cases = getattr(d, "cases", ())
        seen = (f'<div class="dim">{_t(lang, "ui.mistake_cases", cases=", ".join(map(str, cases)))}</div>'
                if isinstance(cases, (tuple, list)) and cases else "")
        parts.append(f'<div class="diagnosis">{_diagnosis_text(d, lang)}</div>{seen}')
    for m in e.mistakes:
        parts.append(f'<div class="mistake">{_t(lang, "ui.mistake", message=render_message(f"mistake.{m.id}", lang))} '
                     f'<span class="dim">({_e(m.id)})</span></div>'
                     f'<div class="dim">{_t(lang, "ui.mistake_cases", cases=", ".join(m.cases))}</div>')
    failing = [c for c in e.cases if c.status is not Status.PASSED]
    if e.status is Status.NOT_ATTEMPTED:
        failing = failing[:1]
    for i, case in enumerate(failing[:MAX_FAILING_CASES]):
        parts.append(_case(case, lang, detailed=i == 0) + _picture(e, case, lang, drawn))
    if len(failing) > MAX_FAILING_CASES:
        parts.append(f'<div class="dim">{_t(lang, "ui.more_cases", count=len(failing) - MAX_FAILING_CASES)}</div>')
    parts.append("</div>")
    return "".join(parts)


def render(result: GradeResult, lang: str, options: Options) -> str:
    """The registry's renderer (see grader.report): an HTML fragment with its own style."""
    title = options.title
    heading = _t(lang, "ui.title_full" if title else "ui.title", assignment=result.assignment, title=title,
                 score=result.score, max_score=result.max_score)
    cases = render_message("ui.cases_hidden" if result.hidden else "ui.cases_visible", lang)
    level = result.isolation if result.isolation in ("namespaces", "process") else "process"
    subtitle = _t(lang, "ui.subtitle", device=result.device, isolation=isolation_words(result.isolation, lang), cases=cases,
                  version=result.grader_version)
    # the charset first: the same text is a notebook's fragment and a page a student opens from a file
    out = ['<meta charset="utf-8">', STYLE, f'<div class="nlpg" lang="{_e(lang)}">',
           *([f'<div class="sub">{_e(options.name)}</div>'] if options.name else []),
           f"<h3>{heading}</h3>",
           f'<div class="sub">{subtitle}</div>',
           f'<div class="sub">{_t(lang, f"ui.isolation.{level}")}</div>',
           '<table class="ex"><thead><tr>',
           *(f'<th{" class=n" if key in ("ui.col.score", "ui.col.cases") else ""}>{_t(lang, key)}</th>'
             for key in ("ui.col.exercise", "ui.col.file", "ui.col.status", "ui.col.score", "ui.col.cases")),
           "</tr></thead><tbody>"]
    for e in result.exercises:
        passed = sum(c.status is Status.PASSED for c in e.cases)
        out.append(f"<tr><td><code>{_e(e.id)}</code></td><td class=dim>{_e(e.file)}</td><td>{_badge(e.status, lang)}</td>"
                   f'<td class="n">{e.score:g} / {e.max_score:g}</td><td class="n">{passed} / {len(e.cases)}</td></tr>')
    out.append("</tbody></table>")
    # a card for every exercise that needs work; not-attempted ones only when nothing else needs work
    shown = [e for e in result.exercises if e.status not in (Status.PASSED, Status.NOT_ATTEMPTED)]
    if not shown:
        shown = [e for e in result.exercises if e.status is Status.NOT_ATTEMPTED][:1]
    drawn = {(e.id, c.id) for e, c, _ in pictures.chosen(result, options.feedback)}
    out += [_exercise(e, lang, drawn) for e in shown]
    for exercise, _case, shown_figures in figures.found(result, options.feedback):  # a judge's figures, pass or fail
        out.append(f'<h4><code>{_e(exercise.id)}</code></h4>'
                   + "".join(f'<figure class="pic">{figures.svg(shown_figures, kind, lang)}</figure>'
                           for kind in figures.kinds(shown_figures)))
    if result.quiz is not None:
        answered = sum(q.status != "unanswered" for q in result.quiz.questions)
        line = _t(lang, "quiz.ui.line", score=result.quiz.score, max_score=result.quiz.max_score, answered=answered,
                  total=len(result.quiz.questions))
        out.append(f'<div class="verdict">{line}</div>')
    elif result.quiz_error:
        out.append(f'<div class="note">{_t(lang, "quiz.error", detail=result.quiz_error)}</div>')
    if result.output:
        out.append(f'<div class="dim">{_t(lang, "ui.output")}</div><pre>{_e(result.output, clean.MAX_TERMINAL)}</pre>')
    first = next((e for e in result.exercises if e.status is not Status.PASSED), None)
    if first is None:
        out.append(f'<div class="verdict" style="color:{COLORS[Status.PASSED]}">{_t(lang, "ui.all_passed")}</div>')
    else:
        out.append(f'<div class="verdict">{_t(lang, "ui.next_step", exercise=first.id)}</div>')
    if not result.hidden:  # never "all passed" without saying that only the visible cases ran
        out.append(f'<div class="warn">{_t(lang, "html.visible_only")}</div>')
    out.append("</div>")
    return "\n".join(out) + "\n"
