"""Plain-text pieces shared by the non-terminal renderers (JUnit, Gradescope, Markdown feedback)."""

from __future__ import annotations

from grader.messages import render
from grader.results import CaseResult, ExerciseResult, TensorDiff


def diff_text(d: TensorDiff, lang: str) -> str:
    lines = [
        render("ui.diff.worst", lang, max_abs=d.max_abs, index=list(d.max_abs_index), expected=d.expected_at, got=d.got_at),
        render("ui.diff.rel", lang, max_rel=d.max_rel, index=list(d.max_rel_index)),
        render("ui.diff.tolerance", lang, atol=d.atol, rtol=d.rtol),
        render("ui.diff.grid_plain", lang, slice=list(d.grid.slice_index), row=d.grid.row_start, col=d.grid.col_start),
    ]
    for row in d.grid.cells:
        expected = " ".join(f"{c.expected:>9.4g}" for c in row)
        got = " ".join(f"{c.got:>9.4g}{' ' if c.ok else '*'}" for c in row)
        lines.append(f"  {expected}  |  {got}")
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
    return lines
