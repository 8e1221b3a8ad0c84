"""Decoding a GPT-style model: logit filtering (top-k, top-p), sampling and greedy decoding.

    top-k:  keep the k largest logits (and every logit tied with the k-th), set the rest to -inf
    top-p:  on softmax(kept logits), keep tokens from the most likely down until their mass reaches p
            (the token that crosses p included, and every token tied with the last kept one)
    sample: next ~ Categorical(softmax(logits / T));  T = 0 means argmax
    greedy: next = argmax(model(ids)[:, -1]), appended one token at a time

Shapes: logits (..., V) for filtering, (B, V) for sampling; prompt (B, L) -> (B, L + steps).
"""

from __future__ import annotations

from collections.abc import Callable

import torch


def filter_logits(logits: torch.Tensor, top_k: int = 0, top_p: float = 1.0) -> torch.Tensor:
    """Return a copy of ``logits`` with the filtered entries set to -inf: top-k first, then top-p."""
    out = logits
    # 1. top-k: everything below the k-th largest value goes (ties with it stay)
    if top_k > 0:
        k = min(top_k, logits.size(-1))
        kth = torch.topk(out, k, dim=-1).values[..., -1:]  # (..., 1)
        out = out.masked_fill(out < kth, float("-inf"))
    # 2. top-p on the distribution that top-k left
    if top_p < 1.0:
        probs = torch.softmax(out, dim=-1)
        sorted_probs, order = torch.sort(probs, dim=-1, descending=True)
        mass_before = torch.cumsum(sorted_probs, dim=-1) - sorted_probs  # mass of the more likely tokens
        keep_sorted = mass_before < top_p
        keep_sorted[..., 0] = True  # the most likely token always stays
        # the smallest kept logit; every entry at least as large (ties included) stays
        last = keep_sorted.sum(dim=-1, keepdim=True) - 1  # (..., 1)
        threshold = torch.gather(torch.gather(out, -1, order), -1, last)  # (..., 1)
        out = out.masked_fill(out < threshold, float("-inf"))
    return out if out is not logits else logits.clone()


def sample_next(logits: torch.Tensor, *, generator: torch.Generator, temperature: float = 1.0) -> torch.Tensor:
    """Draw one token per row from softmax(logits / temperature); temperature 0 is argmax. (B, V) -> (B,)."""
    if temperature == 0:
        return logits.argmax(dim=-1)
    probs = torch.softmax(logits / temperature, dim=-1)  # (B, V)
    return torch.multinomial(probs, num_samples=1, generator=generator).squeeze(-1)  # (B,)


def greedy_decode(
    model: Callable[[torch.Tensor], torch.Tensor],
    prompt: torch.Tensor,
    max_new_tokens: int,
    eos_id: int | None = None,
) -> torch.Tensor:
    """Append the most likely next token up to ``max_new_tokens`` times; finished rows repeat ``eos_id``."""
    ids = prompt
    finished = torch.zeros(prompt.size(0), dtype=torch.bool, device=prompt.device)  # (B,)
    with torch.no_grad():
        for _ in range(max_new_tokens):
            # 1. one model call per step; the last position predicts the next token
            next_token = model(ids)[:, -1].argmax(dim=-1)  # (B,)
            if eos_id is not None:
                # 2. a row that has produced eos keeps producing it
                next_token = torch.where(finished, torch.full_like(next_token, eos_id), next_token)
                finished = finished | (next_token == eos_id)
            ids = torch.cat([ids, next_token[:, None]], dim=1)  # (B, L + step)
            # 3. stop once every row is done
            if eos_id is not None and bool(finished.all()):
                break
    return ids
