"""BERT's masked language model inputs (Devlin et al., 2018, section 3.1 and appendix A.1).

Each position that is not a special token is selected independently with probability
p = mlm_probability (0.15 in the paper). A selected position is shown to the model as

    [MASK]               with probability 0.8
    a random token       with probability 0.1   (uniform over [0, vocab_size))
    the original token   with probability 0.1

Only the selected positions are predicted: their label is the original token; every other label is
-100, the index the cross-entropy loss ignores.

Shapes: tokens, special_mask, inputs, labels: (B, L).

BERT 의 마스크드 언어 모델(MLM) 입력 만들기. 특수 토큰이 아닌 위치를 각각 독립적으로 확률 p 로
고르고, 고른 위치는 80% 는 [MASK], 10% 는 어휘 전체에서 균등하게 뽑은 무작위 토큰, 10% 는 원래
토큰 그대로 보여 줍니다. 레이블은 고른 위치에서만 원래 토큰이고 나머지는 -100 입니다.
"""

from __future__ import annotations

import torch


def mlm_mask_tokens(
    tokens: torch.Tensor,
    special_mask: torch.Tensor,
    *,
    mask_id: int,
    vocab_size: int,
    generator: torch.Generator,
    mlm_probability: float = 0.15,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Mask tokens for MLM.

        selected_i ~ Bernoulli(mlm_probability), independently, only where special_mask_i is False
        inputs_i   = mask_id (prob. 0.8) | uniform token in [0, vocab_size) (0.1) | tokens_i (0.1)   if selected_i
                   = tokens_i                                                                       otherwise
        labels_i   = tokens_i if selected_i else -100

    Args:
        tokens: (B, L) long token ids. Do not modify it.
        special_mask: (B, L) bool, True at [CLS], [SEP], padding: never selected.
        mask_id: the id of [MASK]; vocab_size: V, random tokens come from [0, V).
        generator: a torch.Generator. Draw every random number from it (e.g.
            ``torch.rand(shape, generator=generator, device=tokens.device)``), never from the
            global random state: the same generator state must give the same result.
    Returns:
        (inputs, labels), both (B, L) long, on tokens' device.

    MLM 용 마스킹. 특수 토큰이 아닌 위치를 각각 독립적으로 확률 mlm_probability 로 고릅니다
    (한 시퀀스에서 정확히 15% 를 고정 개수로 고르는 것이 아닙니다). 고른 위치는 확률 0.8 로
    mask_id, 0.1 로 [0, vocab_size) 에서 균등하게 뽑은 토큰, 0.1 로 원래 토큰이 됩니다.
    labels 는 고른 위치에서 원래 토큰, 나머지는 -100 입니다. tokens 를 바꾸지 말고, 모든 난수는
    generator 에서 뽑으세요(같은 generator 상태면 같은 결과). 반환: (inputs, labels), 둘 다
    (B, L) long.
    """
    # TODO: implement (Task 1)
    raise NotImplementedError("Task 1: mlm_mask_tokens")
