"""Sentence pairs for BERT's next sentence prediction (Devlin et al., 2018, sections 3.1 and A.2).

A pair (A, B) is packed into one sequence with segment (token type) ids:

    input_ids       [CLS] a_1 .. a_n [SEP] b_1 .. b_m [SEP]
    token_type_ids    0    0  ..  0    0    1  ..  1    1

A pair longer than max_len is truncated one token at a time from the end of the currently longer
sentence (from A when both are as long), as BERT's data script does.

For NSP, B is A's real next sentence (IsNext) half of the time, and otherwise (NotNext) a sentence
drawn at random from the other documents.

Shapes: a (n,), b (m,) -> input_ids, token_type_ids (L,), L <= max_len;
        doc_ids (N,) -> partner (N,) long, is_next (N,) bool.
"""

from __future__ import annotations

import torch


def bert_pair_inputs(
    a: torch.Tensor, b: torch.Tensor, *, cls_id: int, sep_id: int, max_len: int
) -> tuple[torch.Tensor, torch.Tensor]:
    """Return ``(input_ids, token_type_ids)`` for ``[CLS] a [SEP] b [SEP]``, truncated to ``max_len``."""
    if max_len < 3:
        raise ValueError(f"max_len={max_len} leaves no room for [CLS], [SEP] and [SEP] (needs max_len >= 3)")
    device = a.device
    # 1. truncate: drop the last token of the longer sentence (of a when equal) until the pair fits
    len_a, len_b = a.numel(), b.numel()
    while len_a + len_b + 3 > max_len:
        if len_a >= len_b:
            len_a -= 1
        else:
            len_b -= 1
    a = a[:len_a].long().to(device)
    b = b[:len_b].long().to(device)
    # 2. pack: [CLS] a [SEP] b [SEP]
    cls = torch.tensor([cls_id], dtype=torch.long, device=device)
    sep = torch.tensor([sep_id], dtype=torch.long, device=device)
    input_ids = torch.cat([cls, a, sep, b, sep])
    # 3. segments: 0 for [CLS] a [SEP], 1 for b [SEP]
    token_type_ids = torch.cat([
        torch.zeros(len_a + 2, dtype=torch.long, device=device),
        torch.ones(len_b + 1, dtype=torch.long, device=device),
    ])
    return input_ids, token_type_ids


def nsp_sample(doc_ids: torch.Tensor, *, generator: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    """Return ``(partner, is_next)``: sentence i is paired with ``partner[i]``.

    is_next[i] is True with probability 0.5 when sentence i + 1 is in the same document (then
    partner[i] = i + 1); otherwise partner[i] is uniform over the sentences of the other documents.
    """
    device = doc_ids.device
    n = doc_ids.numel()
    same_doc = doc_ids[:, None] == doc_ids[None, :]  # (N, N)
    if bool(same_doc.all()):
        raise ValueError("nsp_sample needs sentences from at least two documents")
    index = torch.arange(n, device=device)
    # 1. sentence i has a real next sentence when i + 1 belongs to the same document
    has_next = torch.zeros(n, dtype=torch.bool, device=device)
    has_next[:-1] = doc_ids[1:] == doc_ids[:-1]
    # 2. a fair coin for every sentence; only those with a next sentence can be IsNext
    is_next = has_next & (torch.rand(n, generator=generator, device=device) < 0.5)
    # 3. a uniform sentence of another document: the r-th of the others, r uniform in [0, count)
    others = ~same_doc  # (N, N): True where sentence j is in another document than i
    count = others.sum(dim=1)  # (N,)
    u = torch.rand(n, generator=generator, device=device, dtype=torch.float64)
    r = torch.minimum((u * count).long(), count - 1)  # (N,)
    # the r-th True of row i is the first j whose running count of others exceeds r
    random_partner = (others.cumsum(dim=1) <= r[:, None]).sum(dim=1)
    partner = torch.where(is_next, index + 1, random_partner)
    return partner, is_next
