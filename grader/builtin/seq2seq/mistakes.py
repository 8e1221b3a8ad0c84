"""The mistake catalog of the seq2seq assignment: one wrong implementation per known mistake.

Each entry receives the reference and returns a function or module class (with the reference's parameter names)
making exactly one mistake; when a student's failing output equals its output on the same case, the report names it
(``mistake.<id>``). Trusted code: it runs in the grading process only.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

from grader.spec import Mistake

# --- scores ---------------------------------------------------------------------------------------------


class _DotScaled(nn.Module):
    """The Transformer's habit carried over: the dot products divided by √d."""

    def forward(self, h: torch.Tensor, s: torch.Tensor) -> torch.Tensor:
        return torch.einsum("bd,bsd->bs", h, s) / h.size(-1) ** 0.5


def _general(kind: str) -> Any:
    class GeneralScore(nn.Module):
        def __init__(self, enc_dim: int, dec_dim: int) -> None:
            super().__init__()
            self.W = nn.Linear(enc_dim, dec_dim, bias=False)

        def forward(self, h: torch.Tensor, s: torch.Tensor) -> torch.Tensor:
            if kind == "transposed":  # hᵀ Wᵀ s: W applied to the wrong side (square W only)
                return torch.einsum("bd,ed,bse->bs", h, self.W.weight, s)
            return torch.einsum("bd,bsd->bs", h, s)  # "no_weight": the dot score, W never used
    return GeneralScore


def _additive(kind: str) -> Any:
    class AdditiveScore(nn.Module):
        def __init__(self, enc_dim: int, dec_dim: int, attn_dim: int) -> None:
            super().__init__()
            self.W1 = nn.Linear(dec_dim, attn_dim, bias=False)
            self.W2 = nn.Linear(enc_dim, attn_dim, bias=False)
            self.v = nn.Linear(attn_dim, 1, bias=False)

        def forward(self, h: torch.Tensor, s: torch.Tensor) -> torch.Tensor:
            if kind == "swapped":
                energy = torch.tanh(self.W2(h).unsqueeze(1) + self.W1(s))
            else:  # "no_tanh"
                energy = self.W1(h).unsqueeze(1) + self.W2(s)
            return self.v(energy).squeeze(-1)
    return AdditiveScore


DOT = (Mistake("s2s_dot_scaled", lambda ref: _DotScaled),)
GENERAL = (Mistake("s2s_general_transposed", lambda ref: _general("transposed")),
           Mistake("s2s_general_without_w", lambda ref: _general("no_weight")))
ADDITIVE = (Mistake("s2s_additive_no_tanh", lambda ref: _additive("no_tanh")),
            Mistake("s2s_additive_w1_w2_swapped", lambda ref: _additive("swapped")))

# --- weights and context ------------------------------------------------------------------------------------


def _weights(kind: str) -> Any:
    def attention_weights(scores: torch.Tensor, src_mask: torch.Tensor | None = None) -> torch.Tensor:
        if kind == "batch_axis":
            return torch.softmax(scores.masked_fill(~src_mask, float("-inf")) if src_mask is not None else scores, 0)
        if kind == "mask_ignored" or src_mask is None:
            return torch.softmax(scores, -1)
        if kind == "after_softmax":
            return torch.softmax(scores, -1) * src_mask
        return torch.softmax(scores.masked_fill(src_mask, float("-inf")), -1)  # "inverted"
    return attention_weights


WEIGHTS = (Mistake("s2s_softmax_over_batch", lambda ref: _weights("batch_axis")),
           Mistake("s2s_mask_ignored", lambda ref: _weights("mask_ignored")),
           Mistake("s2s_mask_after_softmax", lambda ref: _weights("after_softmax")),
           Mistake("s2s_mask_inverted", lambda ref: _weights("inverted")))


def _context(kind: str) -> Any:
    def context_vector(weights: torch.Tensor, encoder_states: torch.Tensor) -> torch.Tensor:
        if kind == "last_state":
            return encoder_states[:, -1]
        return encoder_states.sum(dim=1)  # "unweighted"
    return context_vector


CONTEXT = (Mistake("s2s_context_last_state", lambda ref: _context("last_state")),
           Mistake("s2s_context_unweighted", lambda ref: _context("unweighted")))

# --- the decoder step ------------------------------------------------------------------------------------------


def _step(ref: Any, kind: str) -> Any:
    class AttentionDecoderStep(nn.Module):
        def __init__(self, vocab_size: int, emb_dim: int, hidden_dim: int, enc_dim: int) -> None:
            super().__init__()
            self.embedding = nn.Embedding(vocab_size, emb_dim)
            self.cell = nn.GRUCell(emb_dim, hidden_dim)
            self.attention = ref.GeneralScore(enc_dim, hidden_dim)
            self.W_c = nn.Linear(enc_dim + hidden_dim, hidden_dim, bias=False)
            self.out = nn.Linear(hidden_dim, vocab_size)

        def forward(self, prev_tokens: torch.Tensor, state: torch.Tensor, encoder_states: torch.Tensor,
                    src_mask: torch.Tensor | None = None) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
            h = self.cell(self.embedding(prev_tokens), state)
            query = state if kind == "previous_state" else h
            weights = ref.attention_weights(self.attention(query, encoder_states),
                                            None if kind == "mask_ignored" else src_mask)
            context = encoder_states[:, -1] if kind == "last_state" else ref.context_vector(weights, encoder_states)
            joined = torch.cat([h, context] if kind == "h_first" else [context, h], dim=-1)
            attentional = self.W_c(joined) if kind == "no_tanh" else torch.tanh(self.W_c(joined))
            return torch.log_softmax(self.out(attentional), dim=-1), h, weights
    return AttentionDecoderStep


def _step_mistake(kind: str) -> Mistake:
    return Mistake(f"s2s_step_{kind}", lambda ref: _step(ref, kind))


STEP = tuple(_step_mistake(kind) for kind in ("previous_state", "mask_ignored", "last_state", "h_first", "no_tanh"))

# --- teacher forcing -----------------------------------------------------------------------------------------


def _decoder(ref: Any, kind: str) -> Any:
    class AttentionDecoder(nn.Module):
        def __init__(self, vocab_size: int, emb_dim: int, hidden_dim: int, enc_dim: int) -> None:
            super().__init__()
            self.step = ref.AttentionDecoderStep(vocab_size, emb_dim, hidden_dim, enc_dim)

        def forward(self, inputs: torch.Tensor, state: torch.Tensor, encoder_states: torch.Tensor,
                    src_mask: torch.Tensor | None = None) -> tuple[torch.Tensor, torch.Tensor]:
            log_probs: list[torch.Tensor] = []
            weights: list[torch.Tensor] = []
            first, token = state, inputs[:, 0]
            for t in range(inputs.size(1)):
                if kind == "own_predictions" and t > 0:
                    token = log_probs[-1].argmax(dim=-1)
                elif kind != "own_predictions":
                    token = inputs[:, t]
                lp, new_state, a = self.step(token, first if kind == "state_reset" else state, encoder_states,
                                             src_mask)
                state = new_state
                log_probs.append(lp)
                weights.append(a)
            return torch.stack(log_probs, dim=1), torch.stack(weights, dim=1)
    return AttentionDecoder


DECODER = (Mistake("s2s_decoder_own_predictions", lambda ref: _decoder(ref, "own_predictions")),
           Mistake("s2s_decoder_state_reset", lambda ref: _decoder(ref, "state_reset")))
