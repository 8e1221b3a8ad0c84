"""nlp-grader: grades students' attention and Transformer code against hidden references."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from grader.version import __version__

if TYPE_CHECKING:
    from grader.notebook import NotebookResult

__all__ = ["__version__", "check"]


def check(exercise: str | Sequence[str] | None = None, /, **options: Any) -> NotebookResult:
    """Grade this notebook's (or script's) definitions: ``grader.check("an_exercise")`` one exercise,
    ``grader.check()`` all of them, ``grader.check("an_exercise", lang="ko")`` in Korean.

    In Jupyter, JupyterLab, VS Code or Colab the report is shown as HTML under the cell (as text in a console),
    and the result is returned: ``.score``, ``.max_score``, ``.passed``, ``.exercises`` (each with its
    ``.status``). The functions and classes are taken as the cells that ran last defined them, with the helpers,
    constants and imports they use, and graded in the sandbox exactly as ``grade check`` grades files. A student's
    mistake is reported, never raised. Options: ``assignment=`` (default: found from the exercise),
    ``lang=`` (en, ko), ``hidden=`` (default: the hidden cases too where the reference is at hand, as in the
    course repository; a student bundle has the visible ones only), ``device=``, ``display=False`` (no report
    shown). See grader.notebook and grader.cells.
    """
    from grader import notebook

    return notebook.check(exercise, **options)
