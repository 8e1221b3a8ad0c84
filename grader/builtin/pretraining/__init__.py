"""The pretraining assignment (BERT's and GPT's pre-training: MLM masking, sentence pairs and NSP, embeddings,
the NSP head, the two objectives, logit filtering, sampling and greedy decoding) as a plug-in.

Registered in pyproject.toml under the ``nlp_grader.assignments`` entry point group. Importing this module is
light; :func:`assignment` imports the spec (and torch) on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from grader.builtin.pretraining.messages import MESSAGES

if TYPE_CHECKING:
    from grader.spec import Assignment

__all__ = ["MESSAGES", "assignment"]


def assignment() -> Assignment:
    from grader.builtin.pretraining.spec import ASSIGNMENT

    return ASSIGNMENT
