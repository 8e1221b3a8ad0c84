"""The seq2seq assignment (attention in an RNN encoder–decoder: the dot, general and
additive scores, masked weights, the context vector, an attentional decoder step, teacher forcing) as a plug-in.

Registered in pyproject.toml under the ``nlp_grader.assignments`` entry point group. Importing this module is
light; :func:`assignment` imports the spec (and torch) on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from grader.builtin.seq2seq.messages import MESSAGES

if TYPE_CHECKING:
    from grader.spec import Assignment

__all__ = ["MESSAGES", "assignment"]


def assignment() -> Assignment:
    from grader.builtin.seq2seq.spec import ASSIGNMENT

    return ASSIGNMENT
