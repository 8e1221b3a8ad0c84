"""An attentional decoder (Luong et al., 2015, "global attention" with the general score, without input feeding).

One step, given the previous target token y_{t-1}, the previous state h_{t-1} and the encoder's states s:

    e_t = embedding(y_{t-1})                       (B, emb_dim)
    h_t = GRUCell(e_t, h_{t-1})                    (B, hidden_dim)     the new state
    a_t = attention_weights(general score(h_t, s), src_mask)   (B, S)   the new state asks
    c_t = Σ_j a_tj s_j                             (B, enc_dim)
    h̃_t = tanh(W_c [c_t; h_t])                     (B, hidden_dim)     context first, then the state
    log p(y_t) = log_softmax(out(h̃_t))             (B, vocab_size)

h̃_t is not fed back (no input feeding): the next step starts from h_t.

어텐션 디코더 (Luong et al., 2015, general 점수, input feeding 없음). 한 단계에서는 이전 토큰의 임베딩을 GRUCell에
넣어 새 상태 h_t를 만들고, h_t로 인코더 상태들에 어텐션해 문맥 c_t를 구한 뒤, tanh(W_c [c_t; h_t])를 출력층에
넣어 로그 확률을 계산합니다. 다음 단계에는 h̃_t가 아니라 h_t를 넘깁니다.
"""

from __future__ import annotations

import torch
from torch import nn

from .attention import attention_weights, context_vector  # noqa: F401  (use them)
from .scores import GeneralScore  # noqa: F401


class AttentionDecoderStep(nn.Module):
    """One attentional decoder step (the formulas above).

    __init__(vocab_size, emb_dim, hidden_dim, enc_dim) (keep these names):
        embedding: nn.Embedding(vocab_size, emb_dim)
        cell:      nn.GRUCell(emb_dim, hidden_dim)
        attention: GeneralScore(enc_dim, hidden_dim)
        W_c:       nn.Linear(enc_dim + hidden_dim, hidden_dim, bias=False)
        out:       nn.Linear(hidden_dim, vocab_size)
    forward(prev_tokens (B,) long, state (B, hidden_dim), encoder_states (B, S, enc_dim), src_mask (B, S) or None)
        -> (log_probs (B, vocab_size), new_state (B, hidden_dim) = h_t, weights (B, S)).

    한 단계의 어텐션 디코더입니다. 층 이름은 위에 적힌 대로 두세요. 반환값은 (로그 확률 (B, vocab_size),
    새 상태 h_t (B, hidden_dim), 어텐션 가중치 (B, S))입니다.
    """

    def __init__(self, vocab_size: int, emb_dim: int, hidden_dim: int, enc_dim: int) -> None:
        super().__init__()
        # TODO: implement (Task 6)
        raise NotImplementedError("Task 6: AttentionDecoderStep")

    def forward(self, prev_tokens: torch.Tensor, state: torch.Tensor, encoder_states: torch.Tensor,
                src_mask: torch.Tensor | None = None) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        # TODO: implement (Task 6)
        raise NotImplementedError("Task 6: AttentionDecoderStep")


class AttentionDecoder(nn.Module):
    """A whole target sequence with teacher forcing.

    __init__(vocab_size, emb_dim, hidden_dim, enc_dim): step = AttentionDecoderStep(...) (keep this name).
    forward(inputs (B, T) long, state (B, hidden_dim), encoder_states (B, S, enc_dim), src_mask (B, S) or None)
        -> (log_probs (B, T, vocab_size), weights (B, T, S)).
    Step t is fed inputs[:, t] (the gold previous token, never the model's own prediction) and the state step t-1
    returned; the weights of every step are stacked along dim 1 (the alignment matrix of each sentence).

    교사 강요(teacher forcing)로 목표 시퀀스 전체를 디코딩합니다. 층 이름은 step으로 두세요. t번째 단계에는 모델의
    예측이 아니라 inputs[:, t]와 직전 단계가 돌려준 상태를 넣고, 각 단계의 가중치를 dim 1로 쌓아 (B, T, S)를
    돌려줍니다 (문장마다의 정렬 행렬).
    """

    def __init__(self, vocab_size: int, emb_dim: int, hidden_dim: int, enc_dim: int) -> None:
        super().__init__()
        # TODO: implement (Task 7)
        raise NotImplementedError("Task 7: AttentionDecoder")

    def forward(self, inputs: torch.Tensor, state: torch.Tensor, encoder_states: torch.Tensor,
                src_mask: torch.Tensor | None = None) -> tuple[torch.Tensor, torch.Tensor]:
        # TODO: implement (Task 7)
        raise NotImplementedError("Task 7: AttentionDecoder")
