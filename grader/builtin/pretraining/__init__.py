"""The pretraining assignment (BERT's and GPT's pre-training: MLM masking, sentence pairs and NSP, embeddings,
the NSP head, the two objectives, logit filtering, sampling and greedy decoding) as a plug-in.

Registered in pyproject.toml under the ``nlp_grader.assignments`` entry point group. Importing this module is
light; :func:`assignment` imports the spec (and torch) on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from grader.builtin.pretraining import messages as _judges

if TYPE_CHECKING:
    from grader.spec import Assignment

__all__ = ["MESSAGES", "assignment"]

TITLES = {"en": "Pre-training BERT and GPT", "ko": "BERT 와 GPT 의 사전 학습"}

MESSAGES: dict[str, dict[str, str]] = {lang: {"title": TITLES[lang], **_judges.MESSAGES[lang]} for lang in TITLES}
"""The assignment's title, and what its judges, mistakes and diagnoses say (messages.py)."""


def assignment() -> Assignment:
    from grader.builtin.pretraining.spec import ASSIGNMENT

    return ASSIGNMENT
