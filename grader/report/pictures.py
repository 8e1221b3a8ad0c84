"""Pictures of a failing case: expected, yours and their difference side by side for the worst 2-D slice.

SVG is drawn here directly (no dependency a student would have to install), from a result's
:class:`~grader.results.Heatmap`: one colour scale shared by *expected* and *yours* (viridis: colour-blind safe, and
its lightness rises with the value, so it reads in grayscale too), the difference on its own light-to-dark scale
(white within the tolerance), masked positions hatched, the worst element outlined, row and column labels, a
legend and alt text in the report's language. A boolean output (a mask) is drawn in two colours. The same heatmap
gives the same bytes. Which case may be drawn follows the feedback level (grader.report.feedback): a hidden case's
values are drawn only at ``full``. This module touches no disk; the callers write its files.
"""

from __future__ import annotations

import base64
import html
import math
from collections.abc import Iterator

from grader.messages import render
from grader.report.plain import in_slice, shows_detail
from grader.results import CaseResult, ExerciseResult, GradeResult, Heatmap, Status

MAX_PICTURES = 6
"""Pictures per report: one per exercise that needs work, the first ones."""

VIRIDIS = ((68, 1, 84), (72, 36, 117), (65, 68, 135), (53, 95, 141), (42, 120, 142), (33, 145, 140),
           (34, 168, 132), (68, 190, 112), (122, 209, 81), (189, 223, 38), (253, 231, 37))
"""Eleven stops of matplotlib's viridis: lightness rises from the first to the last."""
DIFFERENCE = ((255, 255, 255), (253, 208, 162), (230, 159, 0), (213, 94, 0), (110, 40, 0))
"""White to dark orange (Okabe-Ito's orange and vermillion between): lightness falls as the difference grows."""
BOOLEAN = {True: "#fde725", False: "#440154"}
"""True (may attend) light yellow, False dark purple: two colours any eye and any printer tell apart."""
BOOLEAN_RGB = {True: (253, 231, 37), False: (68, 1, 84)}
DIFFERS = "#d55e00"
NOT_FINITE = "#9a9a9a"
FONT = "font-family:system-ui,'Segoe UI','Noto Sans','Noto Sans KR','Apple SD Gothic Neo',sans-serif"


# --- which case is drawn ----------------------------------------------------------------------------

def heatmap_of(case: CaseResult, level: str = "visible") -> Heatmap | None:
    """The heatmap of ``case``'s failing check, where ``level`` lets its values be shown."""
    failure = case.failure
    if failure is None or failure.diff is None or failure.diff.heatmap is None or not shows_detail(case, level):
        return None
    heatmap = failure.diff.heatmap
    return heatmap if heatmap.rows * heatmap.cols == len(heatmap.expected) == len(heatmap.got) else None


def detailed_case(exercise: ExerciseResult, level: str = "visible") -> CaseResult | None:
    """The failing case whose picture the report shows: the first failing one whose values ``level`` shows."""
    return next((c for c in exercise.cases if c.status is not Status.PASSED and shows_detail(c, level)), None)


def chosen(result: GradeResult, level: str = "visible") -> Iterator[tuple[ExerciseResult, CaseResult, Heatmap]]:
    """The pictures of a report: for each exercise that needs work, its detailed case's heatmap (MAX_PICTURES)."""
    count = 0
    for exercise in result.exercises:
        case = detailed_case(exercise, level) if exercise.status is not Status.PASSED else None
        heatmap = heatmap_of(case, level) if case is not None else None
        if heatmap is not None and count < MAX_PICTURES:
            count += 1
            yield exercise, case, heatmap  # type: ignore[misc]


def file_name(exercise: ExerciseResult) -> str:
    """The picture's file name (exercise ids are Python identifiers)."""
    return f"{exercise.id}.svg"


def files(result: GradeResult, lang: str, level: str = "visible") -> dict[str, str]:
    """Every picture of ``result`` as a file would hold it: {file name: SVG} (what ``grade check --pictures`` and a
    batch's per-student folders write)."""
    return {file_name(e): svg(e.id, c.id, h, lang) for e, c, h in chosen(result, level)}


# --- numbers into colours ---------------------------------------------------------------------------

def _ramp(stops: tuple[tuple[int, int, int], ...], t: float) -> tuple[int, int, int]:
    t = min(max(t, 0.0), 1.0) * (len(stops) - 1)
    i = min(int(t), len(stops) - 2)
    f = t - i
    a, b = stops[i], stops[i + 1]
    return (round(a[0] + (b[0] - a[0]) * f), round(a[1] + (b[1] - a[1]) * f), round(a[2] + (b[2] - a[2]) * f))


def hex_color(rgb: tuple[int, int, int]) -> str:
    return "#{:02x}{:02x}{:02x}".format(*rgb)


def scale(h: Heatmap) -> tuple[float, float]:
    """The value scale *expected* and *yours* share: the finite values of both (a constant widened by one)."""
    finite = [v for v in (*h.expected, *h.got) if math.isfinite(v)]
    lo, hi = (min(finite), max(finite)) if finite else (0.0, 1.0)
    return (lo - 0.5, hi + 0.5) if hi == lo else (lo, hi)


def differences(h: Heatmap) -> list[float]:
    """|yours - expected| for every cell (infinite where either is not finite and they differ)."""
    return [abs(g - e) if math.isfinite(g) and math.isfinite(e) else (0.0 if g == e else math.inf)
            for e, g in zip(h.expected, h.got, strict=True)]


def difference_scale(h: Heatmap) -> float:
    finite = [d for d in differences(h) if math.isfinite(d)]
    return max(finite, default=0.0) or 1.0


def value_rgb(v: float, lo: float, hi: float) -> tuple[int, int, int] | None:
    """The colour of ``v`` on the shared scale; None where it is not finite."""
    return _ramp(VIRIDIS, (v - lo) / (hi - lo)) if math.isfinite(v) else None


def difference_rgb(d: float, top: float, bad: bool) -> tuple[int, int, int]:
    """White within the tolerance; beyond it at least a visible tint, darker as it grows."""
    if not bad:
        return DIFFERENCE[0]
    return _ramp(DIFFERENCE, 1.0 if not math.isfinite(d) else max(0.15, d / top))


def worst(h: Heatmap) -> int:
    """The row-major position of the largest difference beyond the tolerance (the first one on a tie)."""
    diffs = differences(h)
    bad = h.bad or tuple(range(len(diffs)))
    return max(bad, key=lambda i: (diffs[i], -i))


# --- words ----------------------------------------------------------------------------------------

def axes(exercise_id: str, h: Heatmap, lang: str) -> tuple[str, str]:
    """The rows' and columns' names: the assignment's (``picture.axes.<exercise>.<output>``: "rows|columns"), else
    row and column (a mask alone does not say the rows are queries: an encoder-decoder's are often the batch)."""
    key = f"picture.axes.{exercise_id}.{h.key or 'output'}"
    named = render(key, lang)
    if named != key and named.count("|") == 1:
        rows, cols = named.split("|")
        return rows, cols
    return render("ui.picture.row", lang), render("ui.picture.column", lang)


def fmt(v: float) -> str:
    return f"{v:.3g}" if math.isfinite(v) else str(v)


def alt(exercise_id: str, case_id: str, h: Heatmap, lang: str) -> str:
    """What the picture shows, in words (the SVG's title, an image's alt text)."""
    rows, cols = axes(exercise_id, h, lang)
    at = worst(h)
    r, c = divmod(at, h.cols)
    if h.boolean:
        return render("ui.picture.alt_boolean", lang, key=h.key or "output", case=case_id,
                      in_slice=in_slice(h.slice_index, lang), height=h.rows, width=h.cols, rows=rows, cols=cols,
                      bad=len(h.bad), row=h.row_start + r, col=h.col_start + c, expected=str(bool(h.expected[at])),
                      got=str(bool(h.got[at])))
    return render("ui.picture.alt", lang, key=h.key or "output", case=case_id, in_slice=in_slice(h.slice_index, lang),
                  height=h.rows, width=h.cols, rows=rows, cols=cols, bad=len(h.bad), masked=len(h.masked),
                  row=h.row_start + r, col=h.col_start + c, expected=fmt(h.expected[at]), got=fmt(h.got[at]))


# --- SVG --------------------------------------------------------------------------------------------

def _x(text: str) -> str:
    return html.escape(text, quote=True)


def _ticks(start: int, n: int) -> list[int]:
    step = max(1, math.ceil(n / 8))
    return list(range(0, n, step))


def svg(exercise_id: str, case_id: str, h: Heatmap, lang: str) -> str:
    """The picture as a standalone SVG document (no script, no external resource)."""
    cell = max(6, min(28, 240 // max(h.cols, 1), 320 // max(h.rows, 1)))
    pw, ph = h.cols * cell, h.rows * cell
    left, top, gap = 56, 46, 22
    width = max(left + 3 * pw + 2 * gap + 12, 600 if h.masked else 470)  # the legend fits, masked swatch included
    legend_y = top + ph + 34
    height = legend_y + 58
    uid = f"nlpg-{exercise_id}"
    rows_name, cols_name = axes(exercise_id, h, lang)
    title = alt(exercise_id, case_id, h, lang)
    lo, hi = scale(h)
    top_diff = difference_scale(h)
    diffs = differences(h)
    bad, masked, at = set(h.bad), set(h.masked), worst(h)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-labelledby="{uid}-t" width="{width}" '
           f'height="{height}" viewBox="0 0 {width} {height}" style="{FONT};font-size:11px">',
           f'<title id="{uid}-t">{_x(title)}</title>',
           f'<defs><pattern id="{uid}-m" width="6" height="6" patternUnits="userSpaceOnUse" '
           'patternTransform="rotate(45)"><rect width="2" height="6" fill="#000" fill-opacity=".6"/>'
           '<rect x="3" width="2" height="6" fill="#fff" fill-opacity=".75"/></pattern></defs>',
           f'<rect width="{width}" height="{height}" fill="#fff"/>']
    heading = render("ui.picture.heading", lang, key=h.key or "output", case=case_id,
                     in_slice=in_slice(h.slice_index, lang), height=h.rows, width=h.cols)
    out.append(f'<text x="4" y="14" font-weight="600">{_x(heading)}</text>')
    names = (render("ui.picture.expected", lang), render("ui.picture.yours", lang),
             render("ui.picture.difference", lang))
    for p, (name, kind) in enumerate(zip(names, ("expected", "yours", "difference"), strict=True)):
        x0 = left + p * (pw + gap)
        out.append(f'<text x="{x0}" y="30" font-weight="600">{_x(name)}</text>')
        for j in _ticks(h.col_start, h.cols):
            out.append(f'<text x="{x0 + j * cell + cell / 2:g}" y="{top - 4}" text-anchor="middle" '
                       f'fill="#57606a" font-size="9">{h.col_start + j}</text>')
        out.append(f'<g class="{kind}">')
        for i in range(h.rows):
            for j in range(h.cols):
                k = i * h.cols + j
                fill = _fill(h, kind, k, lo, hi, top_diff, diffs, bad)
                out.append(f'<rect x="{x0 + j * cell}" y="{top + i * cell}" width="{cell}" height="{cell}" '
                           f'fill="{fill}"/>')
        out.append("</g>")
        if kind != "difference" and masked:
            out.append('<g class="masked">' + "".join(
                f'<rect x="{x0 + (k % h.cols) * cell}" y="{top + (k // h.cols) * cell}" width="{cell}" '
                f'height="{cell}" fill="url(#{uid}-m)"/>' for k in sorted(masked)) + "</g>")
        r, c = divmod(at, h.cols)
        out.append(f'<rect class="worst" x="{x0 + c * cell + 1}" y="{top + r * cell + 1}" width="{cell - 2}" '
                   f'height="{cell - 2}" fill="none" stroke="#000" stroke-width="2"/>'
                   f'<rect x="{x0 + c * cell + 2.5}" y="{top + r * cell + 2.5}" width="{cell - 5}" '
                   f'height="{cell - 5}" fill="none" stroke="#fff" stroke-width="1"/>')
        out.append(f'<rect x="{x0}" y="{top}" width="{pw}" height="{ph}" fill="none" stroke="#57606a" '
                   'stroke-width=".5"/>')
        out.append(f'<text x="{x0 + pw / 2:g}" y="{top + ph + 14}" text-anchor="middle" fill="#57606a">'
                   f'{_x(cols_name)} →</text>')
    for i in _ticks(h.row_start, h.rows):
        out.append(f'<text x="{left - 4}" y="{top + i * cell + cell / 2 + 3:g}" text-anchor="end" fill="#57606a" '
                   f'font-size="9">{h.row_start + i}</text>')
    out.append(f'<text transform="translate(14 {top + ph / 2:g}) rotate(-90)" text-anchor="middle" '
               f'fill="#57606a">{_x(rows_name)} →</text>')
    out += _legend(h, lang, uid, legend_y, lo, hi, top_diff, bool(masked))
    out.append("</svg>")
    return "".join(out) + "\n"


def _fill(h: Heatmap, kind: str, k: int, lo: float, hi: float, top: float, diffs: list[float], bad: set[int]) -> str:
    if kind == "difference":
        if h.boolean:
            return DIFFERS if k in bad else "#ffffff"
        return hex_color(difference_rgb(diffs[k], top, k in bad))
    v = h.expected[k] if kind == "expected" else h.got[k]
    if h.boolean:
        return BOOLEAN[bool(v)]
    rgb = value_rgb(v, lo, hi)
    return NOT_FINITE if rgb is None else hex_color(rgb)


def _legend(h: Heatmap, lang: str, uid: str, y: int, lo: float, hi: float, top: float, masked: bool) -> list[str]:
    out = []
    x = 8
    if h.boolean:
        for value in (True, False):
            out.append(f'<rect x="{x}" y="{y}" width="14" height="14" fill="{BOOLEAN[value]}" stroke="#57606a" '
                       f'stroke-width=".5"/><text x="{x + 18}" y="{y + 11}">{value}</text>')
            x += 70
        out.append(f'<rect x="{x}" y="{y}" width="14" height="14" fill="{DIFFERS}"/>'
                   f'<text x="{x + 18}" y="{y + 11}">{_x(render("ui.picture.differs", lang))}</text>')
        return out
    bar = 12
    out.append(f'<text x="{x}" y="{y - 4}" fill="#57606a">{_x(render("ui.picture.scale", lang))}</text>')
    for i in range(bar):
        rgb = _ramp(VIRIDIS, i / (bar - 1))
        out.append(f'<rect x="{x + i * 12}" y="{y}" width="12" height="12" fill="{hex_color(rgb)}"/>')
    out.append(f'<text x="{x}" y="{y + 24}" fill="#57606a">{fmt(lo)}</text>'
               f'<text x="{x + bar * 12}" y="{y + 24}" text-anchor="end" fill="#57606a">{fmt(hi)}</text>')
    x += bar * 12 + 40
    out.append(f'<text x="{x}" y="{y - 4}" fill="#57606a">{_x(render("ui.picture.difference_scale", lang))}</text>')
    for i in range(bar):
        rgb = _ramp(DIFFERENCE, i / (bar - 1))
        out.append(f'<rect x="{x + i * 12}" y="{y}" width="12" height="12" fill="{hex_color(rgb)}" '
                   f'stroke="#d0d7de" stroke-width=".5"/>')
    out.append(f'<text x="{x}" y="{y + 24}" fill="#57606a">0</text>'
               f'<text x="{x + bar * 12}" y="{y + 24}" text-anchor="end" fill="#57606a">{fmt(top)}</text>')
    x += bar * 12 + 40
    if masked:
        out.append(f'<rect x="{x}" y="{y}" width="14" height="14" fill="#21918c"/>'
                   f'<rect x="{x}" y="{y}" width="14" height="14" fill="url(#{uid}-m)"/>'
                   f'<text x="{x + 18}" y="{y + 11}">{_x(render("ui.picture.masked", lang))}</text>')
    out.append(f'<rect x="{x}" y="{y + 24}" width="14" height="14" fill="none" stroke="#000" stroke-width="2"/>'
               f'<text x="{x + 18}" y="{y + 35}">{_x(render("ui.picture.worst", lang))}</text>')
    return out


def data_uri(document: str) -> str:
    """An SVG document as a data: URI (for an <img> where inline SVG would be stripped)."""
    return "data:image/svg+xml;base64," + base64.b64encode(document.encode("utf-8")).decode("ascii")
