"""Plain-text pieces shared by the non-terminal renderers (JUnit, Gradescope, Markdown feedback)."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from grader.messages import render
from grader.results import CaseResult, ExerciseResult, TensorDiff

WIDTH = 80
"""Plain text is read in 80-column terminals, CI logs and e-mails: no line of a diff grid is wider."""


def isolation_words(level: str, lang: str) -> str:
    """The isolation a run reached, in the report's language ("namespaces" is 네임스페이스 in Korean)."""
    key = f"isolation.{level}"
    text = render(key, lang)
    return level if text == key else text


def shows_detail(case: CaseResult, level: str) -> bool:
    """Whether ``case``'s message, diff, traceback and picture may be shown at feedback ``level`` (full, visible or
    summary; see grader.report.feedback): a hidden case's only at ``full``."""
    return level == "full" or (level == "visible" and not case.hidden)


def digits(pairs: Iterable[tuple[float, float]], least: int, most: int = 17) -> int:
    """The fewest significant digits (at least ``least``) that print each differing pair differently:
    a diff that shows "expected 0.0583555, got 0.0583555" hides the very difference it reports."""
    for n in range(least, most + 1):
        if all(f"{e:.{n}g}" != f"{g:.{n}g}" for e, g in pairs if e != g):
            return n
    return most


def grid_digits(d: TensorDiff, least: int) -> int:
    """Digits for a grid: enough to tell every cell beyond the tolerance from its expected value (at most 10)."""
    return digits(((c.expected, c.got) for row in d.grid.cells for c in row if not c.ok), least, most=10)


def worst_values(d: TensorDiff) -> dict[str, str]:
    """The expected and the student's value at the worst element, printed with digits enough to differ."""
    n = digits([(d.expected_at, d.got_at)], 6)
    return {"expected": f"{d.expected_at:.{n}g}", "got": f"{d.got_at:.{n}g}"}


def in_slice(index: Iterable[int], lang: str) -> str:
    """"slice [0, 2], " where the values shown are a slice of a larger tensor; nothing for a 2-D one (it was
    "slice —")."""
    index = list(index)
    return render("ui.slice", lang, index=index) if index else ""


def relative_line(d: TensorDiff) -> bool:
    """Whether a relative difference means anything: not where every failing element is expected to be zero."""
    return d.max_rel > 0


def grid_window(d: TensorDiff, fits: Callable[[int, int], bool]) -> tuple[int, int]:
    """The grid columns [start, stop) to show: as many as ``fits(start, stop)`` allows, around the worst one."""
    n = len(d.grid.cells[0]) if d.grid.cells else 0
    if n == 0:
        return 0, 0
    focus = min(max((d.max_abs_index[-1] if d.max_abs_index else 0) - d.grid.col_start, 0), n - 1)
    for keep in range(n, 1, -1):
        start = max(0, min(focus - keep // 2, n - keep))
        if fits(start, start + keep):
            return start, start + keep
    return focus, focus + 1


def _plain_grid(d: TensorDiff) -> tuple[int, list[str]]:
    """The first column shown and the grid's lines, expected | got, at most WIDTH characters wide when it can be."""
    cells = d.grid.cells
    n = grid_digits(d, 4)
    texts = [[(f"{c.expected:.{n}g}", f"{c.got:.{n}g}", c.ok) for c in row] for row in cells]
    widths = [max(max(len(e), len(g)) for e, g, _ in column) for column in zip(*texts, strict=True)] if texts else []

    def line(row: list[tuple[str, str, bool]], start: int, stop: int) -> str:
        expected = " ".join(row[j][0].rjust(widths[j]) for j in range(start, stop))
        got = " ".join(row[j][1].rjust(widths[j]) + (" " if row[j][2] else "*") for j in range(start, stop))
        return f"  {expected} | {got}"

    start, stop = grid_window(d, lambda a, b: all(len(line(row, a, b)) <= WIDTH for row in texts))
    return start, [line(row, start, stop) for row in texts]


def diff_text(d: TensorDiff, lang: str) -> str:
    if not d.shape:  # a scalar (a loss): its two values say it all; it has no index and no neighbourhood
        return "\n".join([render("ui.diff.scalar", lang, max_abs=d.max_abs, **worst_values(d)),
                          render("ui.diff.tolerance", lang, atol=d.atol, rtol=d.rtol)])
    start, grid = _plain_grid(d)
    lines = [
        render("ui.diff.worst", lang, max_abs=d.max_abs, index=list(d.max_abs_index), **worst_values(d)),
        *([render("ui.diff.rel", lang, max_rel=d.max_rel, index=list(d.max_rel_index))] if relative_line(d) else []),
        render("ui.diff.tolerance", lang, atol=d.atol, rtol=d.rtol),
        render("ui.diff.grid_plain", lang, in_slice=in_slice(d.grid.slice_index, lang), row=d.grid.row_start,
               col=d.grid.col_start + start),
        *grid,
    ]
    return "\n".join(lines)


def case_text(case: CaseResult, lang: str) -> str:
    """What went wrong in one case, as plain text (empty when it passed)."""
    failure = case.failure
    if failure is None or failure.message is None:
        return ""
    parts = [f"[{failure.name}] {render(failure.message, lang)}"]
    if failure.diff is not None:
        parts.append(diff_text(failure.diff, lang))
    if failure.traceback:
        parts += [render("ui.traceback", lang), failure.traceback]
    return "\n".join(parts)


def exercise_notes(exercise: ExerciseResult, lang: str) -> list[str]:
    """Notes and named mistakes of an exercise, as plain lines."""
    lines = [render(n, lang) for n in exercise.notes]
    lines += [render("ui.mistake", lang, message=render(f"mistake.{m.id}", lang)) + f" ({m.id})" for m in exercise.mistakes]
    lines += [render("ui.diagnosis", lang, message=render(d.message, lang)) + f" ({d.id})"
              for d in exercise.diagnoses]
    return lines
