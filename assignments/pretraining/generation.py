"""Decoding a GPT-style model: logit filtering (top-k, top-p), sampling and greedy decoding.

    top-k:   keep the k largest logits (and every logit tied with the k-th); the rest become -inf
    top-p:   on softmax of what top-k kept, keep tokens from the most likely down until their mass
             reaches p (the token that crosses p included, and every token tied with the last kept)
    sample:  next ~ Categorical(softmax(logits / T)),  T = 0 means argmax
    greedy:  next = argmax(model(ids)[:, -1]), appended one token at a time

Shapes: logits (..., V) for filtering and (B, V) for sampling; prompt (B, L) -> (B, L + steps).

GPT 방식 모델의 디코딩: 로짓 거르기(top-k, top-p), 샘플링, 탐욕적(greedy) 디코딩.
"""

from __future__ import annotations

from collections.abc import Callable

import torch


def filter_logits(logits: torch.Tensor, top_k: int = 0, top_p: float = 1.0) -> torch.Tensor:
    """Top-k, then top-p filtering; filtered entries become -inf.

        top-k (k > 0):  keep x_j >= (k-th largest of x)
        top-p (p < 1):  q = softmax(x after top-k), sorted in descending order q_(1) >= q_(2) >= ...;
                        keep q_(j) while q_(1) + ... + q_(j-1) < p  (the crossing token is kept),
                        then also every entry tied with the last kept one
        the most likely token is always kept

    Args:
        logits: (..., V). Do not modify it.
    Returns:
        a new tensor of the same shape and dtype.

    먼저 top-k, 그다음 top-p 로 로짓을 거르고, 걸러진 자리는 -inf 로 둡니다. top-k(k > 0)는 가장 큰
    k 개와 k 번째 값과 같은 값을 모두 남깁니다. top-p(p < 1)는 top-k 가 남긴 로짓의 softmax 에서
    확률이 큰 순서로 토큰을 남기다가 누적 확률이 p 에 이르면 멈춥니다(p 를 넘기게 만든 토큰은 남기고,
    마지막으로 남긴 토큰과 같은 값도 모두 남김). 가장 가능성 높은 토큰은 항상 남습니다. 입력을
    바꾸지 말고 같은 모양의 새 텐서를 돌려주세요.
    """
    # TODO: implement (Task 8)
    raise NotImplementedError("Task 8: filter_logits")


def sample_next(logits: torch.Tensor, *, generator: torch.Generator, temperature: float = 1.0) -> torch.Tensor:
    """Sample one token per row.

        next_b ~ Categorical(softmax(logits_b / temperature));   temperature == 0: next_b = argmax(logits_b)

    Args:
        logits: (B, V). generator: draw every random number from it (e.g.
            ``torch.multinomial(probs, 1, generator=generator)``).
    Returns:
        (B,) long.

    행마다 토큰 하나를 softmax(logits / temperature) 에서 뽑습니다. temperature == 0 이면 argmax 입니다.
    모든 난수는 generator 에서 뽑으세요. 입력 (B, V) -> 출력 (B,) long.
    """
    # TODO: implement (Task 9)
    raise NotImplementedError("Task 9: sample_next")


def greedy_decode(
    model: Callable[[torch.Tensor], torch.Tensor],
    prompt: torch.Tensor,
    max_new_tokens: int,
    eos_id: int | None = None,
) -> torch.Tensor:
    """Greedy decoding.

        repeat at most max_new_tokens times:
            next = argmax(model(ids)[:, -1])          (one model call per step)
            ids  = concat(ids, next)
        a row that has generated eos_id goes on with eos_id (an eos_id already in the prompt does
        not count); stop early once every row has generated it.

    Args:
        model: maps ids (B, L) long to logits (B, L, V). prompt: (B, L) long.
    Returns:
        (B, L + steps) long, steps <= max_new_tokens.

    탐욕적 디코딩. 최대 max_new_tokens 번, 매 단계 모델을 한 번 불러 마지막 위치 로짓의 argmax 를
    덧붙입니다. eos_id 를 생성한 행은 그 뒤로 eos_id 를 이어 붙이고(프롬프트에 있던 eos_id 는 세지
    않음), 모든 행이 eos_id 를 생성하면 일찍 멈춥니다. 반환: (B, L + 단계 수) long.
    """
    # TODO: implement (Task 10)
    raise NotImplementedError("Task 10: greedy_decode")
