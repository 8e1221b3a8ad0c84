"""The transformer assignment (attention, multi-head attention, the encoder and decoder layers) as a plug-in.

Registered in pyproject.toml under the ``nlp_grader.assignments`` entry point group, like any third-party
assignment. Importing this module is light; :func:`assignment` imports the spec (and torch) on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from grader.builtin.transformer.messages import MESSAGES

if TYPE_CHECKING:
    from grader.spec import Assignment

__all__ = ["MESSAGES", "assignment"]


def assignment() -> Assignment:
    from grader.builtin.transformer.spec import ASSIGNMENT

    return ASSIGNMENT
