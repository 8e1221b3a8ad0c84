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


def _empty_mean(ref: Any) -> Any:
    def mlm_loss(logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        # cross_entropy's own mean divides by the kept targets: 0 / 0 = NaN when there are none
        return nn.functional.cross_entropy(logits.reshape(-1, logits.size(-1)), labels.reshape(-1), ignore_index=-100)
    return mlm_loss


def _causal_empty_mean(ref: Any) -> Any:
    def causal_lm_loss(logits: torch.Tensor, tokens: torch.Tensor, pad_id: int | None = None) -> torch.Tensor:
        targets = tokens[:, 1:]
        if pad_id is not None:
            targets = targets.masked_fill(targets == pad_id, -100)
        return _empty_mean(ref)(logits[:, :-1], targets)
    return causal_lm_loss


def _causal_pad_on_inputs(ref: Any) -> Any:
    def causal_lm_loss(logits: torch.Tensor, tokens: torch.Tensor, pad_id: int | None = None) -> torch.Tensor:
        targets = tokens[:, 1:]
        if pad_id is not None:  # skips the positions whose input is padding, not those whose target is
            targets = targets.masked_fill(tokens[:, :-1] == pad_id, -100)
        return ref.mlm_loss(logits[:, :-1], targets)
    return causal_lm_loss


CAUSAL_LM_LOSS = (
    Mistake("causal_loss_not_shifted", lambda ref: _causal(ref, 0)),
    Mistake("causal_loss_shifted_twice", lambda ref: _causal(ref, 2)),
    Mistake("causal_loss_nan_without_targets", _causal_empty_mean),
    Mistake("causal_loss_pad_on_inputs", _causal_pad_on_inputs),
)
MLM_LOSS = (
    Mistake("mlm_loss_mean_over_all_positions", _mean_over_all),
    Mistake("mlm_loss_nan_without_targets", _empty_mean),
)

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


def _filter(kind: str) -> Any:
    def filter_logits(logits: torch.Tensor, top_k: int = 0, top_p: float = 1.0) -> torch.Tensor:
        out = logits
        if top_k > 0:
            k = min(top_k, logits.size(-1))
            if kind == "topk_indices":  # exactly k entries: some of those tied with the k-th go
                values, indices = torch.topk(out, k, dim=-1)
                out = torch.full_like(out, float("-inf")).scatter(-1, indices, values)
            else:
                kth = torch.topk(out, k, dim=-1).values[..., -1:]
                out = out.masked_fill(out < kth, float("-inf"))
        if top_p < 1.0:
            source = logits if kind == "unfiltered_probs" else out  # top-p's mass measured on the unfiltered logits
            probs = torch.softmax(source, dim=-1)
            sorted_probs, order = torch.sort(probs, dim=-1, descending=True)
            keep = torch.cumsum(sorted_probs, dim=-1) - sorted_probs < top_p
            keep[..., 0] = True
            last = keep.sum(dim=-1, keepdim=True) - 1
            threshold = torch.gather(torch.gather(source, -1, order), -1, last)
            out = out.masked_fill(out < threshold, float("-inf"))
        return out if out is not logits else logits.clone()
    return filter_logits


FILTER_LOGITS = (
    Mistake("top_p_drops_crossing_token", lambda ref: _top_p("drops_crossing")),
    Mistake("top_p_keeps_one_minus_p", lambda ref: _top_p("one_minus_p")),
    Mistake("top_k_drops_ties", lambda ref: _filter("topk_indices")),
    Mistake("top_p_on_unfiltered_logits", lambda ref: _filter("unfiltered_probs")),
)

# --- greedy decoding ------------------------------------------------------------------------------


def _greedy(kind: str) -> Any:
    def greedy_decode(model: Any, prompt: torch.Tensor, max_new_tokens: int, eos_id: int | None = None) -> torch.Tensor:
        ids = prompt
        finished = torch.zeros(prompt.size(0), dtype=torch.bool, device=prompt.device)
        if kind == "eos_in_prompt" and eos_id is not None:  # an eos_id in the prompt counts as finished
            finished = (prompt == eos_id).any(dim=1)
        with torch.no_grad():
            for _ in range(max_new_tokens):
                if kind == "eos_in_prompt" and eos_id is not None and bool(finished.all()):
                    break
                next_token = model(ids)[:, -1].argmax(dim=-1)
                if kind == "eos_in_prompt" and eos_id is not None:
                    next_token = torch.where(finished, torch.full_like(next_token, eos_id), next_token)
                    finished = finished | (next_token == eos_id)
                ids = torch.cat([ids, next_token[:, None]], dim=1)  # "ignores_eos": every step, eos or not
        return ids
    return greedy_decode


GREEDY_DECODE = (
    Mistake("greedy_ignores_eos", lambda ref: _greedy("ignores_eos")),
    Mistake("greedy_eos_in_prompt_ends", lambda ref: _greedy("eos_in_prompt")),
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


def _truncated(kind: str) -> Any:
    def bert_pair_inputs(a: torch.Tensor, b: torch.Tensor, *, cls_id: int, sep_id: int,
                         max_len: int) -> tuple[torch.Tensor, torch.Tensor]:
        if max_len < 3 and kind != "max_len_unchecked":
            raise ValueError(f"max_len={max_len} is too small")
        len_a, len_b = a.numel(), b.numel()
        while len_a + len_b + 3 > max_len and len_a + len_b > 0:
            if len_a > len_b or (len_a == len_b and kind != "b_on_ties"):
                len_a -= 1
            else:
                len_b -= 1
        if kind == "front":  # the tokens dropped from the front, not the end
            a, b = a[a.numel() - len_a:], b[b.numel() - len_b:]
        else:
            a, b = a[:len_a], b[:len_b]
        one = torch.ones(1, dtype=torch.long, device=a.device)
        input_ids = torch.cat([one * cls_id, a.long(), one * sep_id, b.long(), one * sep_id])
        segments = torch.cat([torch.zeros(len_a + 2, dtype=torch.long, device=a.device),
                              torch.ones(len_b + 1, dtype=torch.long, device=a.device)])
        return input_ids, segments
    return bert_pair_inputs


BERT_PAIR_INPUTS = (
    Mistake("pair_single_segment", lambda ref: _pair(ref, "single_segment")),
    Mistake("pair_last_sep_segment_zero", lambda ref: _pair(ref, "last_sep_zero")),
    Mistake("pair_truncates_b_on_ties", lambda ref: _truncated("b_on_ties")),
    Mistake("pair_truncates_front", lambda ref: _truncated("front")),
    Mistake("pair_max_len_unchecked", lambda ref: _truncated("max_len_unchecked")),
)

# --- embeddings -----------------------------------------------------------------------------------


class _Embeddings(nn.Module):
    """BertEmbeddings with one change: ``segments`` False ignores token_type_ids, ``offset`` numbers positions
    from it (RoBERTa's padding_idx + 1 = 2), clamped to the table."""

    segments, offset = True, 0

    def __init__(self, vocab_size: int, d_model: int, max_len: int, num_segments: int = 2,
                 dropout: float = 0.0) -> None:
        super().__init__()
        self.token = nn.Embedding(vocab_size, d_model)
        self.position = nn.Embedding(max_len, d_model)
        self.segment = nn.Embedding(num_segments, d_model)
        self.norm = nn.LayerNorm(d_model)
        self.dropout = nn.Dropout(dropout)

    def forward(self, input_ids: torch.Tensor, token_type_ids: torch.Tensor | None = None) -> torch.Tensor:
        length = input_ids.size(1)
        positions = torch.arange(self.offset, length + self.offset, device=input_ids.device)
        positions = positions.clamp(max=self.position.num_embeddings - 1)
        if token_type_ids is None or not self.segments:
            token_type_ids = torch.zeros_like(input_ids)
        x = self.token(input_ids) + self.position(positions) + self.segment(token_type_ids)
        return self.dropout(self.norm(x))


class _EmbeddingsWithoutSegments(_Embeddings):
    segments = False


class _EmbeddingsOffsetPositions(_Embeddings):
    offset = 2


BERT_EMBEDDINGS = (
    Mistake("embeddings_segments_ignored", lambda ref: _EmbeddingsWithoutSegments),
    Mistake("embeddings_positions_offset", lambda ref: _EmbeddingsOffsetPositions),
)

# --- NSP head -------------------------------------------------------------------------------------


class _NSPHeadNoTanh(nn.Module):
    def __init__(self, d_model: int) -> None:
        super().__init__()
        self.pooler = nn.Linear(d_model, d_model)
        self.classifier = nn.Linear(d_model, 2)

    def forward(self, hidden: torch.Tensor) -> torch.Tensor:
        return self.classifier(self.pooler(hidden[:, 0]))


class _NSPHeadLastToken(_NSPHeadNoTanh):
    def forward(self, hidden: torch.Tensor) -> torch.Tensor:
        return self.classifier(torch.tanh(self.pooler(hidden[:, -1])))  # GPT's last token, not BERT's [CLS]


NSP_HEAD = (
    Mistake("nsp_pooler_without_tanh", lambda ref: _NSPHeadNoTanh),
    Mistake("nsp_head_last_token", lambda ref: _NSPHeadLastToken),
)
