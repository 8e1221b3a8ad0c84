"""What a renderer may be told besides the result and the language (every format's module reads it: its own
module, so that none of them imports the package face that imports them)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Options:
    """What a renderer may need besides the result and the language; each uses the fields that concern it."""

    title: str | None = None
    """The assignment's title in the report's language (text, html)."""
    execution_time: float = 0.0
    """Seconds the grading took (gradescope)."""
    hidden_visibility: str = "after_published"
    """When students see the hidden cases (gradescope)."""
    name: str = ""
    """The submission's name (markdown's heading; html's caption when given)."""
    left_out: Sequence[str] = ()
    """The submission's files that were not graded (markdown)."""
    width: int | None = None
    """Columns of the terminal (text; default 80)."""
    color: bool = False
    """Terminal colours and styles (text)."""
    pictures: str = ""
    """The folder where each picture of a failing case was written as ``<exercise>.svg`` (text prints its path;
    markdown links it), relative to where the report is read; empty: none was written."""
    feedback: str = "visible"
    """What a student is shown of a failing case: full, visible or summary (gradescope, markdown; see
    grader.report.feedback)."""
    every: bool = False
    """Every failing exercise in full (text; else the first in full and one line for each of the others)."""
