"""Pre-training losses: BERT's masked LM and GPT's causal (next-token) LM.

    MLM:    loss = mean over {i : labels_i != -100} of  -log softmax(logits_i)[labels_i]
    causal: loss = mean over t of  -log softmax(logits_t)[tokens_{t+1}]      (targets equal to pad_id skipped)

The causal loss is shifted: the logits at position t predict the token at t + 1. When no target is
left, a loss is exactly 0.0 (not the NaN an empty mean gives), with a zero gradient.

Shapes: logits (B, L, V), labels and tokens (B, L) long -> a scalar (0-dim tensor).

사전 학습 손실: BERT 의 MLM 과 GPT 의 다음 토큰 예측(인과적 LM). 인과적 손실은 한 칸 밀려 있어,
위치 t 의 로짓이 t + 1 의 토큰을 예측합니다. 남은 정답이 하나도 없으면 손실은 NaN 이 아니라
정확히 0.0 이고 기울기도 0 입니다.
"""

from __future__ import annotations

import torch


def mlm_loss(logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    """Mean cross-entropy over the positions whose label is not -100.

        loss = (1 / |S|) Σ_{i ∈ S} -log softmax(logits_i)[labels_i],   S = {i : labels_i != -100}

    Args:
        logits: (B, L, V); labels: (B, L) long, -100 where there is nothing to predict.
    Returns:
        a scalar; exactly 0.0 with a finite (zero) gradient when S is empty; finite for logits of ±1e4.

    레이블이 -100 이 아닌 위치들의 평균 교차 엔트로피. 입력 logits (B, L, V), labels (B, L).
    그런 위치가 없으면 NaN 이 아니라 정확히 0.0(기울기도 유한한 0)을 돌려줍니다. ±1e4 같은 큰
    로짓에서도 유한해야 합니다. 반환: 스칼라.
    """
    # TODO: implement (Task 6)
    raise NotImplementedError("Task 6: mlm_loss")


def causal_lm_loss(logits: torch.Tensor, tokens: torch.Tensor, pad_id: int | None = None) -> torch.Tensor:
    """Next-token cross-entropy: logits[:, :-1] predict tokens[:, 1:].

        loss = mean over {(b, t) : tokens[b, t+1] != pad_id} of -log softmax(logits[b, t])[tokens[b, t+1]]

    Args:
        logits: (B, L, V); tokens: (B, L) long; pad_id: targets equal to it are skipped (None: none are).
    Returns:
        a scalar; exactly 0.0 with a zero gradient when no target is left (e.g. L = 1).

    다음 토큰 교차 엔트로피: logits[:, :-1] 이 tokens[:, 1:] 을 예측합니다. 정답이 pad_id 인 위치는
    건너뜁니다. 남은 정답이 없으면(L = 1 포함) 정확히 0.0 을 돌려줍니다. 반환: 스칼라.
    """
    # TODO: implement (Task 7)
    raise NotImplementedError("Task 7: causal_lm_loss")
