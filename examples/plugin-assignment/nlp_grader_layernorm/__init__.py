"""An example assignment plug-in for nlp-grader: layer normalisation.

The entry point (pyproject.toml, group ``nlp_grader.assignments``) names this module. The engine asks it for two
things: ``MESSAGES`` (read without importing torch) and ``assignment()`` (the spec, imported on first use).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from nlp_grader_layernorm.messages import MESSAGES

if TYPE_CHECKING:
    from grader.spec import Assignment

__all__ = ["MESSAGES", "assignment"]


def assignment() -> Assignment:
    from nlp_grader_layernorm.spec import ASSIGNMENT

    return ASSIGNMENT
