"""The training assignment (the whole Transformer, trained: √d_model-scaled embeddings tied to the generator, the
generator, the encoder–decoder, the batch masks, label smoothing, the learning-rate schedule, greedy decoding) as a
plug-in.

Registered in pyproject.toml under the ``nlp_grader.assignments`` entry point group. Importing this module is
light; :func:`assignment` imports the spec (and torch) on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from grader.builtin.training.messages import MESSAGES

if TYPE_CHECKING:
    from grader.spec import Assignment

__all__ = ["MESSAGES", "assignment"]


def assignment() -> Assignment:
    from grader.builtin.training.spec import ASSIGNMENT

    return ASSIGNMENT
