"""The mistake catalog of the pretraining assignment: one wrong implementation per known mistake.

Only the deterministic exercises have one (a stochastic exercise's mistakes are named by its judges). Each
entry receives the reference and returns a function or module class making exactly one mistake; when a
student's failing output equals its output on the same case, the report names it (``mistake.<id>``).
Most come from bugs reported in public implementations (see the corpus mutants that carry them).
Trusted code: it runs in the grading process only.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

from grader.spec import Mistake

# --- losses ---------------------------------------------------------------------------------------


def _causal(ref: Any, shift: int) -> Any:
    def causal_lm_loss(logits: torch.Tensor, tokens: torch.Tensor, pad_id: int | None = None) -> torch.Tensor:
        length = tokens.size(1)
        targets = tokens[:, shift:]
        predicted = logits[:, : length - shift]
        if pad_id is not None:
            targets = targets.masked_fill(targets == pad_id, -100)
        return ref.mlm_loss(predicted, targets)
    return causal_lm_loss


def _mean_over_all(ref: Any) -> Any:
    def mlm_loss(logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        losses = nn.functional.cross_entropy(logits.reshape(-1, logits.size(-1)), labels.reshape(-1),
                                             ignore_index=-100, reduction="none")
        return losses.sum() / labels.numel()
    return mlm_loss


CAUSAL_LM_LOSS = (
    Mistake("causal_loss_not_shifted", lambda ref: _causal(ref, 0)),
    Mistake("causal_loss_shifted_twice", lambda ref: _causal(ref, 2)),
)
MLM_LOSS = (Mistake("mlm_loss_mean_over_all_positions", _mean_over_all),)

# --- top-p ----------------------------------------------------------------------------------------


def _top_p(kind: str) -> Any:
    def filter_logits(logits: torch.Tensor, top_k: int = 0, top_p: float = 1.0) -> torch.Tensor:
        out = logits
        if top_k > 0:
            kth = torch.topk(out, min(top_k, logits.size(-1)), dim=-1).values[..., -1:]
            out = out.masked_fill(out < kth, float("-inf"))
        if top_p < 1.0:
            probs = torch.softmax(out, dim=-1)
            sorted_probs, order = torch.sort(probs, dim=-1, descending=True)
            cumulative = torch.cumsum(sorted_probs, dim=-1)
            if kind == "drops_crossing":  # the token that crosses top_p goes too
                keep = cumulative <= top_p
            else:  # "one_minus_p": the nucleus holds 1 - top_p of the mass
                keep = cumulative - sorted_probs < 1 - top_p
            keep[..., 0] = True
            last = keep.sum(dim=-1, keepdim=True) - 1
            threshold = torch.gather(torch.gather(out, -1, order), -1, last)
            out = out.masked_fill(out < threshold, float("-inf"))
        return out if out is not logits else logits.clone()
    return filter_logits


FILTER_LOGITS = (
    Mistake("top_p_drops_crossing_token", lambda ref: _top_p("drops_crossing")),
    Mistake("top_p_keeps_one_minus_p", lambda ref: _top_p("one_minus_p")),
)

# --- sentence pairs -------------------------------------------------------------------------------


def _pair(ref: Any, kind: str) -> Any:
    def bert_pair_inputs(a: torch.Tensor, b: torch.Tensor, *, cls_id: int, sep_id: int,
                         max_len: int) -> tuple[torch.Tensor, torch.Tensor]:
        input_ids, segments = ref.bert_pair_inputs(a, b, cls_id=cls_id, sep_id=sep_id, max_len=max_len)
        if kind == "single_segment":
            return input_ids, torch.zeros_like(segments)
        segments = segments.clone()
        segments[-1] = 0  # "last_sep_zero": the closing [SEP] counted with the first sentence
        return input_ids, segments
    return bert_pair_inputs


BERT_PAIR_INPUTS = (
    Mistake("pair_single_segment", lambda ref: _pair(ref, "single_segment")),
    Mistake("pair_last_sep_segment_zero", lambda ref: _pair(ref, "last_sep_zero")),
)

# --- NSP head -------------------------------------------------------------------------------------


class _NSPHeadNoTanh(nn.Module):
    def __init__(self, d_model: int) -> None:
        super().__init__()
        self.pooler = nn.Linear(d_model, d_model)
        self.classifier = nn.Linear(d_model, 2)

    def forward(self, hidden: torch.Tensor) -> torch.Tensor:
        return self.classifier(self.pooler(hidden[:, 0]))


NSP_HEAD = (Mistake("nsp_pooler_without_tanh", lambda ref: _NSPHeadNoTanh),)
