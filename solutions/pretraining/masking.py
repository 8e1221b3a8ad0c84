"""BERT's masked language model inputs (Devlin et al., 2018, section 3.1 and appendix A.1).

Every position that is not a special token ([CLS], [SEP], padding) is selected independently with
probability p = mlm_probability (0.15 in the paper). A selected position is then shown as

    [MASK]             with probability 0.8
    a random token     with probability 0.1   (uniform over the whole vocabulary [0, vocab_size))
    the original token with probability 0.1

and only selected positions are predicted: their label is the original token, every other label is
-100, the index that cross-entropy ignores.

Shapes: tokens, special_mask, inputs, labels: (B, L).
"""

from __future__ import annotations

import torch

IGNORE_INDEX = -100


def mlm_mask_tokens(
    tokens: torch.Tensor,
    special_mask: torch.Tensor,
    *,
    mask_id: int,
    vocab_size: int,
    generator: torch.Generator,
    mlm_probability: float = 0.15,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Return ``(inputs, labels)``, both (B, L) long; ``tokens`` is left unchanged.

    All randomness is drawn from ``generator`` (never from the global random state).
    """
    device = tokens.device
    tokens = tokens.long()
    eligible = ~special_mask.bool()
    # 1. select each eligible position independently with probability mlm_probability
    selected = (torch.rand(tokens.shape, generator=generator, device=device) < mlm_probability) & eligible
    labels = torch.where(selected, tokens, torch.full_like(tokens, IGNORE_INDEX))
    # 2. split the selected positions 80 / 10 / 10 with one uniform draw per position
    u = torch.rand(tokens.shape, generator=generator, device=device)
    to_mask = selected & (u < 0.8)
    to_random = selected & (u >= 0.8) & (u < 0.9)
    random_tokens = torch.randint(vocab_size, tokens.shape, generator=generator, device=device)
    # 3. build the inputs from a copy; the remaining selected positions keep their token
    inputs = tokens.clone()
    inputs = torch.where(to_mask, torch.full_like(tokens, mask_id), inputs)
    inputs = torch.where(to_random, random_tokens, inputs)
    return inputs, labels
