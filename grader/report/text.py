"""The terminal report, built from rich Text objects only: student text is never read as markup, and every
piece of it is cleaned here (no escape sequences or other controls) whatever the caller already did."""

from __future__ import annotations

from collections.abc import Collection, Sequence

from rich import box
from rich.cells import cell_len
from rich.console import Console, Group, RenderableType
from rich.panel import Panel
from rich.style import Style
from rich.table import Table
from rich.text import Text

from grader import clean
from grader.messages import render
from grader.report import figures, pictures
from grader.report.plain import grid_digits, grid_window, in_slice, isolation_words, relative_line, worst_values
from grader.results import CaseResult, ExerciseResult, GradeResult, Heatmap, Message, Status, TensorDiff

STYLES = {
    Status.PASSED: "green", Status.FAILED: "red", Status.ERROR: "magenta", Status.NOT_ATTEMPTED: "yellow",
    Status.TIMEOUT: "magenta", Status.MISSING: "yellow",
}
MAX_FAILING_CASES = 3
PANEL_FRAME = 4
"""Cells a panel takes around its content: a border and a space on each side."""
BLOCK_ROWS = 12
"""Rows of the worst slice the terminal heatmap shows (around the worst element)."""
RAMP = " .:-=+*#%@"
"""Without colours, a cell's value as a character: the darker on paper, the larger."""


def _t(lang: str, key: str | Message, /, style: str = "", **params: object) -> Text:
    return clean.terminal(render(key, lang, **params), style)


def _s(value: object, style: str = "") -> Text:
    """Text that came with a result (ids, file names, tracebacks, output): plain, cleaned."""
    return clean.terminal(value, style)


def _grid(d: TensorDiff, lang: str, width: int) -> tuple[int, Table]:
    """Expected values on the left, the student's on the right, the bad ones in red: as many columns around the
    worst element as fit in ``width`` cells, never a value cut short. Returns the first column shown, and the table."""
    cells = d.grid.cells
    n = grid_digits(d, 3)
    expected = [[f"{c.expected:.{n}g}" for c in row] for row in cells]
    got = [[f"{c.got:.{n}g}" for c in row] for row in cells]
    headers = (render("ui.diff.expected", lang), render("ui.diff.got", lang))

    def needed(start: int, stop: int) -> int:  # every column: its widest value or header, and a space each side
        total = 3  # the separator column
        for side, header in zip((expected, got), headers, strict=True):
            for j in range(start, stop):
                total += 2 + max([len(row[j]) for row in side] + ([cell_len(header)] if j == start else []))
        return total

    start, stop = grid_window(d, lambda a, b: needed(a, b) <= width)
    table = Table(box=None, padding=(0, 1), show_header=True, header_style="dim")
    for j in range(start, stop):
        table.add_column(clean.terminal(headers[0]) if j == start else "", justify="right", no_wrap=True)
    table.add_column("│", justify="center", style="dim", no_wrap=True, min_width=1)
    for j in range(start, stop):
        table.add_column(clean.terminal(headers[1]) if j == start else "", justify="right", no_wrap=True)
    for r, row in enumerate(cells):
        table.add_row(*(Text(expected[r][j], style="dim") for j in range(start, stop)), Text("│"),
                      *(Text(got[r][j], style="green" if row[j].ok else "bold red") for j in range(start, stop)))
    return start, table


def _diff(d: TensorDiff, lang: str, width: int) -> RenderableType:
    if not d.shape:  # a scalar (a loss): its two values say it all; it has no index and no neighbourhood
        return Group(_t(lang, "ui.diff.scalar", max_abs=d.max_abs, **worst_values(d)),
                     _t(lang, "ui.diff.tolerance", atol=d.atol, rtol=d.rtol, style="dim"))
    index = list(d.max_abs_index)
    start, grid = _grid(d, lang, width)
    lines: list[RenderableType] = [
        _t(lang, "ui.diff.worst", max_abs=d.max_abs, index=index, **worst_values(d)),
        *([_t(lang, "ui.diff.rel", max_rel=d.max_rel, index=list(d.max_rel_index))] if relative_line(d) else []),
        _t(lang, "ui.diff.tolerance", atol=d.atol, rtol=d.rtol, style="dim"),
        _t(lang, "ui.diff.grid", in_slice=in_slice(d.grid.slice_index, lang), row=d.grid.row_start, col=d.grid.col_start + start,
           style="dim"),
        grid,
    ]
    return Group(*lines)


def _blocks(exercise_id: str, h: Heatmap, lang: str, width: int, color: bool) -> RenderableType:
    """Expected, yours and their difference as colour blocks (one scale for the first two, viridis; the difference
    white to dark orange), masked cells marked x, in ``width`` cells: two characters a cell where they fit, else
    one, else a window of the columns around the worst element; without colours a character ramp shows the value."""
    at = pictures.worst(h)
    wr, wc = divmod(at, h.cols)
    label = len(str(h.row_start + h.rows - 1)) + 1
    for cw in (2, 1):
        cols = min(h.cols, max(1, (width - label - 6) // (3 * cw)))
        if cols == h.cols or cw == 1:
            break
    c0 = max(0, min(wc - cols // 2, h.cols - cols))
    r0 = max(0, min(wr - BLOCK_ROWS // 2, h.rows - BLOCK_ROWS))
    lo, hi = pictures.scale(h)
    top = pictures.difference_scale(h)
    diffs = pictures.differences(h)
    bad, masked = set(h.bad), set(h.masked)

    def cell(k: int, panel: int) -> Text:
        if panel == 2:
            rgb = (pictures.DIFFERENCE[3] if k in bad else pictures.DIFFERENCE[0]) if h.boolean else \
                pictures.difference_rgb(diffs[k], top, k in bad)
            t = 0.0 if k not in bad else (1.0 if h.boolean else min(1.0, max(0.15, diffs[k] / top)))
        else:
            v = h.expected[k] if panel == 0 else h.got[k]
            rgb = (pictures.BOOLEAN_RGB[bool(v)] if h.boolean else pictures.value_rgb(v, lo, hi)) or (154, 154, 154)
            t = (float(bool(v)) if h.boolean else (v - lo) / (hi - lo)) if v == v else 1.0
        mark = "x" if panel < 2 and k in masked else (RAMP[min(len(RAMP) - 1, int(t * len(RAMP)))] if not color else " ")
        text = (mark + " " * (cw - 1)) if cw > 1 else mark
        if not color:
            return Text(text)
        ink = "black" if sum(rgb) > 380 else "white"
        return Text(text, style=Style(color=ink, bgcolor=f"rgb({rgb[0]},{rgb[1]},{rgb[2]})"))

    rows, cols_name = pictures.axes(exercise_id, h, lang)
    lines: list[RenderableType] = [_t(lang, "ui.picture.terminal", key=h.key or "output", rows=rows, cols=cols_name,
                                      row=h.row_start + r0, col=h.col_start + c0, style="dim")]
    for i in range(r0, min(h.rows, r0 + BLOCK_ROWS)):
        parts = [Text(str(h.row_start + i).rjust(label - 1) + " ", style="dim")]
        for panel in range(3):
            parts += [cell(i * h.cols + j, panel) for j in range(c0, c0 + cols)]
            parts.append(Text(" │ " if panel < 2 else "", style="dim"))
        lines.append(Text.assemble(*parts))
    legend = _t(lang, "ui.picture.terminal_scale", lo=pictures.fmt(lo), hi=pictures.fmt(hi), top=pictures.fmt(top),
                style="dim")
    if masked:
        legend = Text.assemble(legend, Text("  "), _t(lang, "ui.picture.terminal_masked", style="dim"))
    lines.append(legend)
    return Group(*lines)


def _case(case: CaseResult, lang: str, detailed: bool, width: int) -> list[RenderableType]:
    failure = case.failure
    hidden = render("ui.hidden_tag", lang) if case.hidden else ""
    head = _t(lang, "ui.case", case=case.id, hidden=hidden, style="bold")
    if failure is None or failure.message is None:
        return [head]
    line = Text.assemble(head, Text(" · "), _s(f"[{failure.name}] ", style="cyan"), _t(lang, failure.message))
    parts: list[RenderableType] = [line]
    if detailed and failure.diff is not None:
        parts.append(_diff(failure.diff, lang, width))
    if detailed and failure.traceback:
        parts += [_t(lang, "ui.traceback", style="dim"), _s(failure.traceback)]
    return parts


def _exercise(e: ExerciseResult, lang: str, width: int, drawn: Collection[tuple[str, str]] = (), folder: str = "",
              color: bool = False) -> RenderableType:
    parts: list[RenderableType] = []
    for note in e.notes:
        parts.append(_t(lang, note, style="yellow"))
    for m in e.mistakes:
        parts.append(Text.assemble(_t(lang, "ui.mistake", style="bold magenta",
                                      message=render(f"mistake.{m.id}", lang)),
                                   _s(f"  ({m.id})", style="dim")))
        parts.append(_t(lang, "ui.mistake_cases", cases=", ".join(m.cases), style="dim"))
    for d in e.diagnoses:
        parts.append(Text.assemble(_t(lang, "ui.diagnosis", style="bold magenta",
                                      message=render(d.message, lang)),
                                   _s(f"  ({d.id})", style="dim")))
        parts.append(_t(lang, "ui.mistake_cases", cases=", ".join(d.cases), style="dim"))
    failing = [c for c in e.cases if c.status is not Status.PASSED]
    if e.status is Status.NOT_ATTEMPTED:
        failing = failing[:1]
    for i, case in enumerate(failing[:MAX_FAILING_CASES]):
        parts += _case(case, lang, detailed=(i == 0), width=width - PANEL_FRAME)
        heatmap = case.failure.diff.heatmap if case.failure and case.failure.diff else None
        if (e.id, case.id) in drawn and heatmap is not None:
            parts.append(_blocks(e.id, heatmap, lang, width - PANEL_FRAME, color))
            if folder:
                parts.append(_t(lang, "ui.picture.file", path=f"{folder.rstrip('/')}/{e.id}.svg", style="dim"))
    if len(failing) > MAX_FAILING_CASES:
        parts.append(_t(lang, "ui.more_cases", count=len(failing) - MAX_FAILING_CASES, style="dim"))
    title = Text.assemble(_s(e.id, style="bold"), _s(f"  {render('status.' + e.status.value, lang)}",
                                                     style=STYLES[e.status]),
                          Text(f"  {score_text(e.score, e.max_score)}"))
    return Panel(Group(*parts), title=title, title_align="left", border_style=STYLES[e.status])


def score_text(score: float, max_score: float) -> str:
    """``11.85/16``: a score as the table writes it (two decimals at most)."""
    return f"{round(score, 2):g}/{max_score:g}"


def score_width(result: GradeResult) -> int:
    """The score column's width, from the points alone (never from the scores): ``11.85/16`` or ``0/16`` take the
    same room, so that a score with decimals never widens the table and pushes a file name onto two lines."""
    return max((2 * len(f"{e.max_score:g}") + 4 for e in result.exercises), default=5)


def summary_table(result: GradeResult, lang: str) -> Table:
    """One row per exercise; no outer frame: the longest exercise name, its file, the status, a score in a fixed
    width and the cases passed fit 80 cells, and no cell ever wraps (a name is what --exercise takes)."""
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, show_lines=False)
    names = max((cell_len(_s(e.id).plain) for e in result.exercises), default=0)
    widths = {"ui.col.exercise": names, "ui.col.file": max((cell_len(e.file) for e in result.exercises), default=0),
              "ui.col.score": score_width(result)}
    for key in ("ui.col.exercise", "ui.col.file", "ui.col.status", "ui.col.score", "ui.col.cases"):
        table.add_column(_t(lang, key), justify="right" if key in ("ui.col.score", "ui.col.cases") else "left",
                         no_wrap=True, overflow="ellipsis", min_width=widths.get(key))
    for e in result.exercises:
        passed = sum(c.status is Status.PASSED for c in e.cases)
        table.add_row(_s(e.id), _s(e.file, style="dim"),
                      _t(lang, f"status.{e.status.value}", style=STYLES[e.status]),
                      Text(score_text(e.score, e.max_score)), Text(f"{passed}/{len(e.cases)}"))
    return table


def compact_table(exercises: Sequence[ExerciseResult], lang: str, width: int) -> Table:
    """An exercise a row: its name, status and score (never wrapped), and its first named mistake or failing check,
    wrapped in its own column."""
    table = Table.grid(padding=(0, 1))
    table.add_column(no_wrap=True)
    table.add_column(no_wrap=True)
    table.add_column(no_wrap=True, justify="right")
    table.add_column(ratio=1, min_width=min(30, max(10, width // 3)))
    for e in exercises:
        if e.mistakes:
            what = render(f"mistake.{e.mistakes[0].id}", lang)
        elif e.diagnoses:
            what = render(e.diagnoses[0].message, lang)
        else:
            failure = next((c.failure for c in e.cases if c.failure is not None), None)
            what = f"[{failure.name}] {render(failure.message, lang) if failure.message else ''}" if failure else ""
        table.add_row(_s(e.id, style="bold"), _t(lang, f"status.{e.status.value}", style=STYLES[e.status]),
                      Text(score_text(e.score, e.max_score)), clean.prose(what, "dim"))  # wraps whole
    return table


def _figures(result: GradeResult, console: Console, lang: str, feedback: str, folder: str) -> None:
    """The figures a judge kept (grader.report.figures), passed or failed: the loss curve, then the attention."""
    color = console.color_system is not None
    for exercise, _case, drawn in figures.found(result, feedback):
        console.print(_s(exercise.id, style="bold"))
        if "loss" in drawn:
            console.print(figures.loss_text(drawn["loss"], lang, console.width))
        if "attention" in drawn:
            console.print(figures.attention_text(drawn["attention"], lang, color))
        for kind in figures.kinds(drawn) if folder else ():
            path = f"{folder.rstrip('/')}/{figures.file_name(exercise, kind)}"
            console.print(_t(lang, "ui.figure.file", path=path, style="dim"))


def render_report(result: GradeResult, console: Console, lang: str, title: str | None = None,
                  feedback: str = "visible", folder: str = "", every: bool = False) -> None:
    """The report, readable at 80 columns: exercise names (what ``--exercise`` takes) are never cut; ``title`` is the
    assignment's title in ``lang``, shown before its name when given; ``feedback``: what the heatmaps may draw (see
    grader.report.feedback); ``folder``: where the full pictures were written (their paths are printed); ``every``:
    every failing exercise in full (else the first, and a line for each of the others)."""
    cases = render("ui.cases_hidden" if result.hidden else "ui.cases_visible", lang)
    console.print(_t(lang, "ui.title_full" if title else "ui.title", style="bold", assignment=result.assignment,
                     title=title, score=result.score, max_score=result.max_score))
    console.print(_t(lang, "ui.subtitle", style="dim", device=result.device, isolation=isolation_words(result.isolation, lang),
                     cases=cases, version=result.grader_version))
    level = result.isolation if result.isolation in ("namespaces", "process") else "process"
    console.print(_t(lang, f"ui.isolation.{level}", style="dim"))
    console.print(summary_table(result, lang))
    # a panel for every exercise that needs work; "not attempted" ones are already plain in the table,
    # so one of them gets a panel only when nothing else does
    shown = [e for e in result.exercises if e.status not in (Status.PASSED, Status.NOT_ATTEMPTED)]
    if not shown:
        shown = [e for e in result.exercises if e.status is Status.NOT_ATTEMPTED][:1]
    drawn = {(e.id, c.id) for e, c, _ in pictures.chosen(result, feedback)}
    # with several failing exercises, the first in full and one line each for the others, so that the table
    # stays on the screen; --all (or --exercise) shows every one in full
    full = shown if every else shown[:1]
    for e in full:
        console.print(_exercise(e, lang, console.width, drawn, folder, console.color_system is not None))
    if len(shown) > len(full):
        console.print(_t(lang, "ui.others", count=len(shown) - len(full), style="bold"))
        console.print(compact_table(shown[len(full):], lang, console.width))
        console.print(_t(lang, "ui.others_hint", style="dim"))
    _figures(result, console, lang, feedback, folder)
    if result.quiz is not None:
        answered = sum(q.status != "unanswered" for q in result.quiz.questions)
        console.print(_t(lang, "quiz.ui.line", style="bold", score=result.quiz.score, max_score=result.quiz.max_score,
                         answered=answered, total=len(result.quiz.questions)))
    elif result.quiz_error:
        console.print(_t(lang, "quiz.error", style="yellow", detail=result.quiz_error))
    if result.output:
        console.print(Panel(_s(result.output), title=_t(lang, "ui.output"), title_align="left",
                            border_style="dim"))
    first = next((e for e in result.exercises if e.status is not Status.PASSED), None)
    if first is None:
        console.print(_t(lang, "ui.all_passed", style="bold green"))
    else:
        console.print(_t(lang, "ui.next_step", exercise=first.id, style="bold"))
    if not result.hidden:
        console.print(_t(lang, "ui.hidden_hint", style="dim"))
