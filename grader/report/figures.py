"""Figures of a model that a student's loop fitted, drawn whether the case passed or not: the held-out loss along
each run beside the reference's band, and the trained model's encoder–decoder attention on one held-out sequence.

A judge keeps them on its check's message as ``figures`` (grader.builtin.training.judges.figures): ``loss`` holds
``runs`` (a list of [step, loss] points per run) and ``band`` (``steps``, ``low``, ``median``, ``high``: the
reference's 10th, 50th and 90th percentiles); ``attention`` holds ``values`` (T rows of S weights), ``src`` (the S
source tokens) and ``out`` (the T + 1 tokens the model wrote, the first given). SVG here is drawn directly, like
grader.report.pictures (no dependency, the same data gives the same bytes); :func:`loss_text` and
:func:`attention_text` are the terminal's versions, within the width they are given. This module touches no disk.
"""

from __future__ import annotations

import bisect
import html
import math
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from rich.cells import cell_len
from rich.console import Group, RenderableType
from rich.style import Style
from rich.text import Text

from grader.messages import render
from grader.report import pictures
from grader.report.pictures import FONT, hex_color, value_rgb
from grader.report.plain import shows_detail
from grader.results import CaseResult, ExerciseResult, GradeResult

RUN_COLORS = ("#d55e00", "#0072b2", "#009e73")
"""The runs' lines: Okabe-Ito vermillion, blue and bluish green (told apart by any eye)."""
BAND = "#9a9a9a"
FLOOR = 1e-3
"""Losses are drawn on a log scale; one below this is drawn at it."""
RAMP = " ░▒▓█"
MARKS = ("●", "▲", "■")
"""The runs in the terminal's curve (shapes, so that they read without colours too)."""


def found(result: GradeResult, level: str = "visible") -> Iterator[tuple[ExerciseResult, CaseResult, dict[str, Any]]]:
    """Every case whose checks carry figures, where ``level`` shows the case's detail."""
    for exercise in result.exercises:
        for case in exercise.cases:
            for check in case.checks:
                drawn = check.message.params.get("figures") if check.message is not None else None
                if isinstance(drawn, Mapping) and drawn and shows_detail(case, level):
                    yield exercise, case, dict(drawn)
                    break


def kinds(drawn: Mapping[str, Any]) -> list[str]:
    """The figures ``drawn`` holds, in the order the reports show them (the loss curve first)."""
    return [kind for kind in DRAWERS if kind in drawn]


def file_name(exercise: ExerciseResult, kind: str) -> str:
    return f"{exercise.id}.{kind}.svg"


def alt(drawn: Mapping[str, Any], kind: str, lang: str) -> str:
    """One figure in words (its SVG's title, an image's alt text)."""
    return DRAWERS[kind][0](drawn[kind], lang)


def svg(drawn: Mapping[str, Any], kind: str, lang: str) -> str:
    return DRAWERS[kind][1](drawn[kind], lang)


def files(result: GradeResult, lang: str, level: str = "visible") -> dict[str, str]:
    """{file name: SVG} for every figure of ``result``."""
    return {file_name(e, kind): svg(drawn, kind, lang) for e, _c, drawn in found(result, level) for kind in kinds(drawn)}


def every_file(result: GradeResult, lang: str, level: str = "visible") -> dict[str, str]:
    """The failing cases' heatmaps (grader.report.pictures) and the figures: what ``grade check --pictures`` and a
    batch's per-student folder write."""
    return {**pictures.files(result, lang, level), **files(result, lang, level)}


# --- the loss curve ---------------------------------------------------------------------------------

def _log(v: float) -> float:
    return math.log10(max(v, FLOOR))


def _loss_range(loss: Mapping[str, Any]) -> tuple[int, float, float]:
    """The last step drawn, and the log10 range of the losses (whole decades)."""
    band, runs = loss["band"], loss["runs"]
    steps = [s for run in runs for s, _ in run] + list(band["steps"])
    values = [v for run in runs for _, v in run] + list(band["low"]) + list(band["high"])
    last = max(steps, default=1) or 1
    lo = math.floor(min((_log(v) for v in values), default=-1.0))
    hi = math.ceil(max((_log(v) for v in values), default=1.0))
    return last, float(lo), float(hi if hi > lo else lo + 1)


def loss_summary(loss: Mapping[str, Any], lang: str) -> str:
    """The figure in words: each run's last loss, and the band's at its last step (an SVG's title, alt text)."""
    band = loss["band"]
    finals = ", ".join(f"{run[-1][1]:.3g}" for run in loss["runs"] if run) or "-"
    return render("ui.figure.loss_alt", lang, runs=len(loss["runs"]), finals=finals, step=band["steps"][-1],
                  low=f"{band['low'][-1]:.3g}", high=f"{band['high'][-1]:.3g}")


def loss_svg(loss: Mapping[str, Any], lang: str) -> str:
    """The held-out loss by optimiser step (log scale): the reference's band shaded, its median dashed, a line
    per run of the student's."""
    width, height, left, top, right, bottom = 560, 310, 56, 40, 16, 80
    pw, ph = width - left - right, height - top - bottom
    last, lo, hi = _loss_range(loss)

    def x(step: float) -> float:
        return left + pw * min(step, last) / last

    def y(v: float) -> float:
        return top + ph * (hi - _log(v)) / (hi - lo)

    band = loss["band"]
    title = loss_summary(loss, lang)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-labelledby="nlpg-loss-t" width="{width}" '
           f'height="{height}" viewBox="0 0 {width} {height}" style="{FONT};font-size:11px">',
           f'<title id="nlpg-loss-t">{_x(title)}</title>', f'<rect width="{width}" height="{height}" fill="#fff"/>',
           f'<text x="4" y="16" font-weight="600">{_x(render("ui.figure.loss_title", lang))}</text>']
    for decade in range(int(lo), int(hi) + 1):
        yy = y(10.0 ** decade)
        out.append(f'<line x1="{left}" x2="{left + pw}" y1="{yy:.1f}" y2="{yy:.1f}" stroke="#d0d7de" '
                   f'stroke-width=".5"/><text x="{left - 4}" y="{yy + 3:.1f}" text-anchor="end" fill="#57606a">'
                   f'{10.0 ** decade:g}</text>')
    for step in _step_ticks(last):
        out.append(f'<text x="{x(step):.1f}" y="{top + ph + 14}" text-anchor="middle" fill="#57606a">{step}</text>')
    upper = [f"{x(s):.1f},{y(v):.1f}" for s, v in zip(band["steps"], band["high"], strict=True)]
    lower = [f"{x(s):.1f},{y(v):.1f}" for s, v in zip(band["steps"], band["low"], strict=True)]
    out.append(f'<polygon class="band" points="{" ".join(upper + lower[::-1])}" fill="{BAND}" fill-opacity=".3"/>')
    median = " ".join(f"{x(s):.1f},{y(v):.1f}" for s, v in zip(band["steps"], band["median"], strict=True))
    out.append(f'<polyline class="median" points="{median}" fill="none" stroke="#57606a" stroke-dasharray="4 3"/>')
    for i, run in enumerate(loss["runs"]):
        points = " ".join(f"{x(s):.1f},{y(v):.1f}" for s, v in run)
        out.append(f'<polyline class="run" points="{points}" fill="none" stroke="{RUN_COLORS[i % 3]}" '
                   'stroke-width="1.8"/>')
    out.append(f'<rect x="{left}" y="{top}" width="{pw}" height="{ph}" fill="none" stroke="#57606a" '
               'stroke-width=".5"/>')
    out.append(f'<text x="{left + pw / 2:g}" y="{top + ph + 30}" text-anchor="middle" fill="#57606a">'
               f'{_x(render("ui.figure.step", lang))} →</text>')
    out.append(f'<text transform="translate(14 {top + ph / 2:g}) rotate(-90)" text-anchor="middle" fill="#57606a">'
               f'{_x(render("ui.figure.loss_axis", lang))} →</text>')
    ly = height - 30  # the legend: the band on one line, the runs on the next
    out.append(f'<rect x="8" y="{ly - 9}" width="18" height="10" fill="{BAND}" fill-opacity=".3"/>'
               f'<line x1="8" x2="26" y1="{ly - 4}" y2="{ly - 4}" stroke="#57606a" stroke-dasharray="4 3"/>'
               f'<text x="30" y="{ly}">{_x(render("ui.figure.band", lang))}</text>')
    for i in range(len(loss["runs"])):
        lx = 8 + 110 * i
        out.append(f'<line x1="{lx}" x2="{lx + 18}" y1="{ly + 14}" y2="{ly + 14}" stroke="{RUN_COLORS[i % 3]}" '
                   f'stroke-width="1.8"/><text x="{lx + 22}" y="{ly + 18}">'
                   f'{_x(render("ui.figure.run", lang, run=i + 1))}</text>')
    out.append("</svg>")
    return "".join(out) + "\n"


def _step_ticks(last: int) -> list[int]:
    step = max(1, 10 ** int(math.log10(max(last, 1))) // 2)
    while last // step > 6:
        step *= 2
    return list(range(0, last + 1, step))


def loss_text(loss: Mapping[str, Any], lang: str, width: int) -> RenderableType:
    """The loss curve in characters: the band ░, its median ·, the runs ● ▲ ■ (the last one drawn wins a cell);
    log scale, every decade on a labelled row (two rows a decade, one where that would pass 11 rows), ``width``
    columns at most."""
    last, lo, hi = _loss_range(loss)
    decades = int(hi - lo)
    rows = 2 * decades + 1 if 2 * decades + 1 <= 11 else decades + 1
    label = 7
    cols = max(20, min(60, width - label - 2))
    grid = [[" "] * cols for _ in range(rows)]

    def cell(step: float, v: float) -> tuple[int, int]:
        c = min(cols - 1, round((cols - 1) * min(step, last) / last))
        r = min(rows - 1, max(0, round((rows - 1) * (hi - _log(v)) / (hi - lo))))
        return r, c

    band = loss["band"]
    for c in range(cols):  # the band: between low and high at each column (interpolated)
        step = last * c / (cols - 1)
        low, high, mid = (_interp(band["steps"], band[k], step) for k in ("low", "high", "median"))
        r_hi, r_lo = cell(step, high)[0], cell(step, low)[0]
        for r in range(r_hi, r_lo + 1):
            grid[r][c] = "░"
        grid[cell(step, mid)[0]][c] = "·"
    for i, run in enumerate(loss["runs"]):
        for s, v in _dense(run, last, cols):
            r, c = cell(s, v)
            grid[r][c] = MARKS[i % 3]
    lines: list[RenderableType] = [Text(render("ui.figure.loss_title", lang), style="bold")]
    for r in range(rows):
        decade = hi - (hi - lo) * r / (rows - 1)
        tick = f"{10 ** decade:g}" if abs(decade - round(decade)) < 1e-9 else ""
        parts = [Text(tick.rjust(label - 1) + " ", style="dim")]
        parts += [Text(ch, style=_ink(ch)) for ch in grid[r]]
        lines.append(Text.assemble(*parts))
    axis = f"0{str(last).rjust(cols - 1)}"
    lines.append(Text(" " * label + axis, style="dim"))
    lines.append(Text(render("ui.figure.terminal_loss", lang), style="dim"))
    lines.append(Text(loss_summary(loss, lang), style="dim"))
    return Group(*lines)


def _ink(ch: str) -> str:
    return {MARKS[0]: "bold red", MARKS[1]: "bold blue", MARKS[2]: "bold green", "·": "dim", "░": "dim"}.get(ch, "")


def _interp(xs: list[float], ys: list[float], at: float) -> float:
    """``ys`` at ``at``, linear between the points ``xs`` (sorted), constant beyond them."""
    if not xs:
        return 1.0
    i = bisect.bisect_right(xs, at)
    if i == 0:
        return ys[0]
    if i == len(xs):
        return ys[-1]
    x0, x1, y0, y1 = xs[i - 1], xs[i], ys[i - 1], ys[i]
    return y0 + (y1 - y0) * (at - x0) / ((x1 - x0) or 1)


def _dense(run: list[list[float]], last: int, cols: int) -> list[tuple[float, float]]:
    """A run's points, one at every column between its measured ones (a line, not dots)."""
    if len(run) < 2:
        return [(s, v) for s, v in run]
    xs, ys = [p[0] for p in run], [p[1] for p in run]
    return [(s, _interp(xs, ys, s)) for s in (last * c / (cols - 1) for c in range(cols)) if xs[0] <= s <= xs[-1]]


# --- the attention ----------------------------------------------------------------------------------

def attention_summary(attention: Mapping[str, Any], lang: str) -> str:
    """In words: in how many rows the largest weight is on the source position the row copies (the diagonal one
    past the row: the token written at position t + 1 is the source's at t + 1)."""
    values = attention["values"]
    on = sum(1 for t, row in enumerate(values) if row and max(range(len(row)), key=row.__getitem__) == t + 1)
    return render("ui.figure.attention_alt", lang, rows=len(values), cols=len(values[0]) if values else 0, on=on)


def attention_svg(attention: Mapping[str, Any], lang: str) -> str:
    """The weights as a heatmap (viridis, 0 to 1), rows the positions the model writes, columns the source's
    positions, each labelled with its token."""
    values, src, out = attention["values"], attention["src"], attention["out"]
    rows, cols = len(values), len(values[0]) if values else 0
    cell = max(14, min(36, 320 // max(cols, 1)))
    left, top = 120, 64
    width = max(left + cols * cell + 24, 560)
    title = attention_summary(attention, lang)
    caption = _wrap(title, (width - 8) // 6)
    height = top + rows * cell + 60 + 14 * len(caption)
    out_svg = [f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-labelledby="nlpg-att-t" width="{width}" '
               f'height="{height}" viewBox="0 0 {width} {height}" style="{FONT};font-size:11px">',
               f'<title id="nlpg-att-t">{_x(title)}</title>', f'<rect width="{width}" height="{height}" fill="#fff"/>',
               f'<text x="4" y="16" font-weight="600">{_x(render("ui.figure.attention_title", lang))}</text>',
               f'<text x="{left + cols * cell / 2:g}" y="34" text-anchor="middle" fill="#57606a">'
               f'{_x(render("ui.figure.source", lang))} →</text>']
    for j in range(cols):
        token = src[j] if j < len(src) else ""
        out_svg.append(f'<text x="{left + j * cell + cell / 2:g}" y="{top - 6}" text-anchor="middle">{token}</text>')
    for i in range(rows):
        written = out[i + 1] if i + 1 < len(out) else ""
        out_svg.append(f'<text x="{left - 6}" y="{top + i * cell + cell / 2 + 4:g}" text-anchor="end">'
                       f'{_x(render("ui.figure.writes", lang, position=i + 1, token=written))}</text>')
        for j in range(cols):
            v = values[i][j]
            out_svg.append(f'<rect x="{left + j * cell}" y="{top + i * cell}" width="{cell}" height="{cell}" '
                           f'fill="{_color(v)}"><title>{v:.3f}</title></rect>')
    out_svg.append(f'<rect x="{left}" y="{top}" width="{cols * cell}" height="{rows * cell}" fill="none" '
                   'stroke="#57606a" stroke-width=".5"/>')
    ly = top + rows * cell + 22
    for k in range(11):
        out_svg.append(f'<rect x="{left + k * 14}" y="{ly}" width="14" height="10" '
                       f'fill="{_color(k / 10)}"/>')
    out_svg.append(f'<text x="{left}" y="{ly + 22}" fill="#57606a">0</text>'
                   f'<text x="{left + 154}" y="{ly + 22}" text-anchor="end" fill="#57606a">1</text>'
                   f'<text x="{left + 166}" y="{ly + 9}" fill="#57606a">{_x(render("ui.figure.weight", lang))}</text>')
    out_svg += [f'<text x="4" y="{ly + 40 + 14 * k}" fill="#57606a">{_x(line)}</text>' for k, line in enumerate(caption)]
    out_svg.append("</svg>")
    return "".join(out_svg) + "\n"


def attention_text(attention: Mapping[str, Any], lang: str, color: bool) -> RenderableType:
    """The weights as blocks, two characters a cell: colours where the terminal has them, else a shade ramp."""
    values, src, out = attention["values"], attention["src"], attention["out"]
    label = 8
    lines: list[RenderableType] = [Text(render("ui.figure.attention_title", lang), style="bold"),
                                   Text(" " * label + "".join(str(t).rjust(2)[-2:] for t in src), style="dim")]
    for i, row in enumerate(values):
        written = out[i + 1] if i + 1 < len(out) else ""
        parts = [Text(f"{i + 1}→{written}".rjust(label - 1)[: label - 1] + " ", style="dim")]
        for v in row:
            if color:
                rgb = value_rgb(v, 0.0, 1.0) or (154, 154, 154)
                parts.append(Text("  ", style=Style(bgcolor=f"rgb({rgb[0]},{rgb[1]},{rgb[2]})")))
            else:
                parts.append(Text(RAMP[min(len(RAMP) - 1, int(v * len(RAMP)))] * 2))
        lines.append(Text.assemble(*parts))
    lines.append(Text(render("ui.figure.terminal_attention", lang), style="dim"))
    lines.append(Text(attention_summary(attention, lang), style="dim"))
    return Group(*lines)


def _wrap(text: str, cells: int) -> list[str]:
    """``text`` in lines of at most ``cells`` terminal cells (a Hangul syllable takes two), broken between words."""
    lines: list[str] = []
    for word in text.split():
        if lines and cell_len(lines[-1]) + 1 + cell_len(word) <= cells:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines


DRAWERS: dict[str, tuple[Callable[[Any, str], str], Callable[[Any, str], str]]] = {
    "loss": (loss_summary, loss_svg),
    "attention": (attention_summary, attention_svg),
}
"""Each kind of figure: its words and its SVG."""


def _color(v: float) -> str:
    return hex_color(value_rgb(v, 0.0, 1.0) or (154, 154, 154))


def _x(text: str) -> str:
    return html.escape(text, quote=True)
