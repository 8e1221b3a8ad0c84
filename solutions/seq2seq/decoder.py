"""An attentional decoder step (Luong et al., 2015, without input feeding) and teacher-forced decoding (reference)."""

from __future__ import annotations

import torch
from torch import nn

from .attention import attention_weights, context_vector
from .scores import GeneralScore


class AttentionDecoderStep(nn.Module):
    """One step: embed y_{t-1}; h_t = GRUCell(e, h_{t-1}); a = weights(general score(h_t, s), mask);
    c = Σ a_j s_j; h̃ = tanh(W_c [c; h_t]); log p = log_softmax(out(h̃)). Returns (log p, h_t, a)."""

    def __init__(self, vocab_size: int, emb_dim: int, hidden_dim: int, enc_dim: int) -> None:
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, emb_dim)
        self.cell = nn.GRUCell(emb_dim, hidden_dim)
        self.attention = GeneralScore(enc_dim, hidden_dim)
        self.W_c = nn.Linear(enc_dim + hidden_dim, hidden_dim, bias=False)
        self.out = nn.Linear(hidden_dim, vocab_size)

    def forward(self, prev_tokens: torch.Tensor, state: torch.Tensor, encoder_states: torch.Tensor,
                src_mask: torch.Tensor | None = None) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        h = self.cell(self.embedding(prev_tokens), state)  # (B, H)
        weights = attention_weights(self.attention(h, encoder_states), src_mask)  # (B, S)
        context = context_vector(weights, encoder_states)  # (B, E)
        attentional = torch.tanh(self.W_c(torch.cat([context, h], dim=-1)))  # (B, H)
        return torch.log_softmax(self.out(attentional), dim=-1), h, weights


class AttentionDecoder(nn.Module):
    """Teacher forcing: step t is fed inputs[:, t] (the gold previous token), whatever was predicted."""

    def __init__(self, vocab_size: int, emb_dim: int, hidden_dim: int, enc_dim: int) -> None:
        super().__init__()
        self.step = AttentionDecoderStep(vocab_size, emb_dim, hidden_dim, enc_dim)

    def forward(self, inputs: torch.Tensor, state: torch.Tensor, encoder_states: torch.Tensor,
                src_mask: torch.Tensor | None = None) -> tuple[torch.Tensor, torch.Tensor]:
        log_probs, weights = [], []
        for t in range(inputs.size(1)):
            lp, state, a = self.step(inputs[:, t], state, encoder_states, src_mask)
            log_probs.append(lp)
            weights.append(a)
        return torch.stack(log_probs, dim=1), torch.stack(weights, dim=1)  # (B, T, V), (B, T, S)
