"""``grader.check(...)`` in a live Jupyter or Colab kernel (or a script, or a console): the cells this session
ran, graded as a submission, and the result shown under the cell.

The student's definitions are read as *source*, never run here: the cells the kernel executed (IPython's input
history), or what :mod:`inspect` finds of a definition the history holds no source for. grader.cells turns them
into the assignment's files and grader.api.check_cells grades those in the sandbox, exactly as ``grade check``
grades a folder; :class:`NotebookResult` is what the student gets back and sees (HTML in a notebook, text in a
console). A student's mistake is reported, never raised.
"""

from __future__ import annotations

import sys
import traceback
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from grader import clean
from grader.cells import QUIZ_VARIABLE, Cell, NotebookError, collect
from grader.messages import render, resolve_lang
from grader.messages import title as assignment_title
from grader.results import ExerciseResult, GradeResult, Status


def _ipython() -> Any:
    module = sys.modules.get("IPython")
    if module is None:
        return None
    try:
        return module.get_ipython()
    except Exception:  # noqa: BLE001
        return None


def kernel_cells() -> tuple[list[Cell], dict[str, Any]]:
    """The cells this session has run, in order, and the namespace they ran in (``__main__`` outside IPython:
    a script's own file, or what ``inspect`` finds of a console's definitions)."""
    shell = _ipython()
    if shell is not None:
        history = list(getattr(shell.history_manager, "input_hist_raw", []) or [])
        cells = [Cell(f"In [{i}]", src) for i, src in enumerate(history) if isinstance(src, str) and src.strip()]
        return cells, dict(shell.user_ns)
    main = sys.modules.get("__main__")
    namespace = dict(vars(main)) if main is not None else {}
    file = namespace.get("__file__")
    if isinstance(file, str) and Path(file).is_file():
        return [Cell(Path(file).name, Path(file).read_text(encoding="utf-8", errors="replace"))], namespace
    return [], namespace


def _source_of(obj: Any) -> str | None:
    import inspect

    try:
        return inspect.getsource(obj)
    except (OSError, TypeError):
        return None


@dataclass
class NotebookResult:
    """What ``grader.check`` returns: the graded result, shown as HTML in a notebook and as text in a console.

    ``score``, ``max_score``, ``passed``, ``exercises`` (each with its ``id``, ``status``, ``score``) and the
    other fields of :class:`grader.results.GradeResult` are read through; ``error`` says why nothing could be
    graded (a mistyped exercise name, an unknown assignment), and is then also what is shown."""

    result: GradeResult | None
    lang: str
    title: str | None = None
    error: str = ""
    _shown_at: Any = field(default=None, repr=False)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_") or self.__dict__.get("result") is None:
            raise AttributeError(name)
        return getattr(self.__dict__["result"], name)

    @property
    def score(self) -> float:
        return self.result.score if self.result is not None else 0.0

    @property
    def max_score(self) -> float:
        return self.result.max_score if self.result is not None else 0.0

    @property
    def passed(self) -> bool:
        return self.result is not None and self.result.passed

    @property
    def exercises(self) -> tuple[ExerciseResult, ...]:
        return self.result.exercises if self.result is not None else ()

    def html(self) -> str:
        from grader import report

        if self.result is None:
            return f'<div class="nlpg" style="color:#cf222e;font-weight:600">{_escape(self.error)}</div>'
        return report.render("html", self.result, self.lang, report.Options(title=self.title))

    def text(self, width: int | None = None, color: bool = False) -> str:
        from grader import report

        if self.result is None:
            return self.error + "\n"
        return report.render("text", self.result, self.lang, report.Options(title=self.title, width=width, color=color))

    def __repr__(self) -> str:
        if self.result is None:
            return f"<grader result: {self.error}>"
        return (f"<grader result {self.result.assignment}: {self.score:g} / {self.max_score:g}, "
                f"{sum(e.status is Status.PASSED for e in self.exercises)} of {len(self.exercises)} exercise(s) passed>")

    def show(self) -> None:
        """Display the report: HTML in a notebook (text where the front end has no HTML), text in a console."""
        shell = _ipython()
        if shell is not None and type(shell).__name__ != "TerminalInteractiveShell":
            from IPython.display import display

            display({"text/html": self.html(), "text/plain": self.text()}, raw=True)
            self._shown_at = getattr(shell, "execution_count", None)
            return
        from rich.console import Console

        console = Console(highlight=False, soft_wrap=False, force_jupyter=False)
        sys.stdout.write(self.text(width=console.width, color=console.is_terminal))
        sys.stdout.flush()

    def _ipython_display_(self) -> None:
        # shown by grader.check in this very cell: the cell's value is not shown a second time
        shell = _ipython()
        if self._shown_at is not None and shell is not None and self._shown_at == getattr(shell, "execution_count", None):
            return
        self.show()


def _escape(text: str) -> str:
    import html

    return html.escape(clean.text(text), quote=True)


def check(exercise: str | Sequence[str] | None = None, *, assignment: str | None = None, lang: str | None = None,
          hidden: bool | None = None, device: str = "auto", display: bool = True,
          namespace: Mapping[str, Any] | None = None, cells: Sequence[Cell] | None = None,
          **check_options: Any) -> NotebookResult:
    """Grade this notebook's definitions (see :func:`grader.check`)."""
    from grader import api  # torch: imported when a check is asked for, not with grader

    lang = resolve_lang(lang)
    wanted = [exercise] if isinstance(exercise, str) else list(exercise or ())
    try:
        if cells is None or namespace is None:
            live_cells, live_ns = kernel_cells()
            cells = live_cells if cells is None else cells
            namespace = live_ns if namespace is None else namespace
        ns = namespace
        name = api.assignment_of(wanted or [k for k in ns if not k.startswith("_")], assignment)
        spec = api.assignment_spec(name)
        all_cells = list(cells)
        # what the history holds no source for (defined by exec or %run): inspect's, where it has one
        defined = collect(all_cells, lambda n: n in ns).by_name()
        for e in spec.exercises:
            if e.id in ns and e.id not in defined:
                source = _source_of(ns[e.id])
                if source is not None:
                    all_cells.append(Cell(f"{e.id} (inspect)", source))
        quiz = ns.get(QUIZ_VARIABLE) if isinstance(ns.get(QUIZ_VARIABLE), str) else None
        if hidden is None:  # the course repository (a reference at hand) runs the hidden cases too
            hidden = spec.fixtures is None and spec.solutions is not None
        result = api.check_cells(all_cells, origin="notebook", assignment=spec.name, keep=lambda n: n in ns, quiz=quiz,
                                 hidden=hidden, device=device, exercises=wanted, **check_options)
        out = NotebookResult(result, lang, assignment_title(spec.name, spec.title, lang))
    except (api.UsageError, NotebookError) as exc:  # a mistyped name: said, never raised at the student
        out = NotebookResult(None, lang, error=render(exc.message, lang))
    except Exception as exc:  # noqa: BLE001 - the grader's own fault: said as such, with what to report
        detail = clean.text("".join(traceback.format_exception(exc)), 4000)
        out = NotebookResult(None, lang, error=render("fault.grader", lang, error=type(exc).__name__) + "\n" + detail)
    if display:
        out.show()
    return out
