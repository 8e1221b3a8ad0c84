"""Sentence pairs for BERT's next sentence prediction (Devlin et al., 2018, sections 3.1 and A.2).

A pair (A, B) becomes one sequence, with a segment (token type) id for every token:

    input_ids       [CLS] a_1 .. a_n [SEP] b_1 .. b_m [SEP]
    token_type_ids    0    0  ..  0    0    1  ..  1    1

For NSP, B is A's real next sentence half of the time (IsNext), and otherwise a sentence drawn at
random from another document (NotNext).

Shapes: a (n,), b (m,) -> input_ids, token_type_ids (L,) with L <= max_len;
        doc_ids (N,) -> partner (N,) long, is_next (N,) bool.

BERT 의 다음 문장 예측(NSP)을 위한 문장 쌍. 두 문장을 [CLS] A [SEP] B [SEP] 한 시퀀스로 묶고,
세그먼트 id 로 A 쪽(0)과 B 쪽(1)을 구분합니다. NSP 에서 B 는 절반은 A 의 실제 다음 문장(IsNext),
나머지는 다른 문서에서 무작위로 뽑은 문장(NotNext)입니다.
"""

from __future__ import annotations

import torch


def bert_pair_inputs(
    a: torch.Tensor, b: torch.Tensor, *, cls_id: int, sep_id: int, max_len: int
) -> tuple[torch.Tensor, torch.Tensor]:
    """Pack two sentences: ``[CLS] a [SEP] b [SEP]``.

        input_ids      = [cls_id] + a + [sep_id] + b + [sep_id]
        token_type_ids = 0 for [CLS], a and the first [SEP];  1 for b and the last [SEP]

    If the pair is longer than max_len, remove one token at a time from the end of whichever of a, b
    is currently longer (from a when they are as long) until it fits.

    Args:
        a: (n,) long; b: (m,) long.
        max_len: the longest allowed sequence; max_len < 3 raises ValueError.
    Returns:
        (input_ids, token_type_ids), both (L,) long on a's device, L = min(n + m + 3, max_len) after truncation.

    두 문장을 ``[CLS] a [SEP] b [SEP]`` 로 묶습니다. token_type_ids 는 [CLS], a, 첫 [SEP] 이 0,
    b 와 마지막 [SEP] 이 1 입니다. max_len 보다 길면, 그 순간 더 긴 쪽(길이가 같으면 a)의 끝에서
    토큰을 하나씩 지워 맞춥니다. max_len < 3 이면 ValueError 를 일으킵니다. 반환: 둘 다 (L,) long,
    a 와 같은 장치.
    """
    # TODO: implement (Task 2)
    raise NotImplementedError("Task 2: bert_pair_inputs")


def nsp_sample(doc_ids: torch.Tensor, *, generator: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    """Choose an NSP partner for every sentence.

        has_next_i = (i + 1 < N) and doc_ids[i + 1] == doc_ids[i]
        is_next_i  ~ Bernoulli(0.5) if has_next_i, else False            (independently for each i)
        partner_i  = i + 1 if is_next_i, else uniform over {j : doc_ids[j] != doc_ids[i]}

    Args:
        doc_ids: (N,) long, the document of each sentence; sentences are in order and grouped by
            document; there are at least two documents.
        generator: draw every random number from it, never from the global random state.
    Returns:
        (partner, is_next): (N,) long and (N,) bool.

    모든 문장에 NSP 짝을 정합니다. 다음 문장이 같은 문서에 있는 문장 i 는 각각 독립적으로 확률 0.5 로
    is_next[i] = True 이고, 그때 partner[i] = i + 1 입니다. 그렇지 않으면(문서의 마지막 문장은 항상)
    is_next[i] = False 이고 partner[i] 는 다른 문서들의 문장 가운데 균등하게 뽑습니다(같은 문서의
    문장은 안 됩니다). 모든 난수는 generator 에서 뽑으세요. 반환: (N,) long, (N,) bool.
    """
    # TODO: implement (Task 3)
    raise NotImplementedError("Task 3: nsp_sample")
