"""Attention weights over the encoder's states, and the context vector.

    a = softmax over the source positions of the scores, with padding masked:  a_j = 0 exactly where src_mask is False
    c = Σ_j a_j s_j

The whole input no longer has to pass through one fixed-size vector (the encoder's last state): the decoder reads
every encoder state, weighted by how well each matches its own state.

인코더 상태 전체에 대한 어텐션 가중치와 문맥 벡터. 가중치는 소스 위치 축에 대한 softmax이고, 패딩 위치
(src_mask가 False인 곳)의 가중치는 정확히 0이어야 합니다. 문맥 벡터는 가중치로 인코더 상태들을 더한 가중합입니다.
"""

from __future__ import annotations

import torch


def attention_weights(scores: torch.Tensor, src_mask: torch.Tensor | None = None) -> torch.Tensor:
    """Softmax of the scores over the source positions (the last axis), padding excluded.

    scores (B, S); src_mask (B, S) bool, True on real tokens, False on padding (every row has at least one True),
    or None (no padding). Returns weights (B, S): each row sums to one over its real tokens and padding gets
    exactly 0 (not a tiny number), also when the scores are large.

    scores (B, S)를 소스 위치 축(마지막 축)으로 softmax합니다. src_mask (B, S)는 실제 토큰이 True, 패딩이 False인
    bool 텐서이거나 None입니다. 각 행의 합은 1이고 패딩의 가중치는 정확히 0이어야 합니다 (점수가 커도).
    """
    # TODO: implement (Task 4)
    raise NotImplementedError("Task 4: attention_weights")


def context_vector(weights: torch.Tensor, encoder_states: torch.Tensor) -> torch.Tensor:
    """c = Σ_j a_j s_j for every sequence of the batch.

    weights (B, S), encoder_states (B, S, d_enc) -> context (B, d_enc).

    배치의 각 시퀀스에 대해 가중합 c = Σ_j a_j s_j를 계산합니다. 입력 (B, S)와 (B, S, d_enc), 출력 (B, d_enc).
    """
    # TODO: implement (Task 5)
    raise NotImplementedError("Task 5: context_vector")
