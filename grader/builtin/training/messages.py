"""Messages of the training assignment (its title, its catalogued mistakes and its judges' findings), in English and
Korean. Both languages have the same keys and placeholders; every key carries the ``tr_`` prefix, which no other
assignment uses.
"""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    "en": {
        "title": "The Transformer, trained",
        # --- mistakes (the catalog's wrong implementations) ---
        "mistake.tr_embeddings_unscaled": "the embeddings match lut(x) without the factor √d_model: the paper multiplies the embedding weights by √d_model (§3.4)",
        "mistake.tr_embeddings_divided": "the embeddings match lut(x) / √d_model: the factor multiplies, it does not divide",
        "mistake.tr_embeddings_scaled_twice": "the embeddings match lut(x) · d_model: the factor √d_model is applied twice",
        "mistake.tr_generator_softmax": "the output matches softmax(proj(x)): the generator returns log-probabilities (log_softmax), which the KL loss expects",
        "mistake.tr_generator_logits": "the output matches proj(x) with no log_softmax: the generator returns log-probabilities",
        "mistake.tr_generator_first_axis": "the output matches log_softmax over the first axis: normalise over the vocabulary, the last axis",
        "mistake.tr_model_no_positions": "the output matches a model without the positional encoding: nothing tells the layers where a token stands",
        "mistake.tr_model_tgt_mask_ignored": "the output matches a decoder that never receives the target mask: each position sees the future (and the padding)",
        "mistake.tr_model_memory_mask_ignored": "the output matches a decoder whose cross-attention ignores the source padding: pass the source mask to the memory too",
        "mistake.tr_masks_diagonal_masked": "the target mask also hides the diagonal: position i may attend to itself (triu with diagonal=1)",
        "mistake.tr_masks_next_visible": "the target mask lets position i see position i + 1: the subsequent mask is off by one",
        "mistake.tr_masks_tgt_padding_ignored": "the target mask is the subsequent mask alone: padding in the target must be hidden too",
        "mistake.tr_masks_inverted": "the masks are inverted: here True means a position may be attended to (torch.nn's own masks use the opposite convention; convert inside the model)",
        "mistake.tr_smoothing_normaliser": "the smoothed mass is spread over V - 1 tokens: the right token and the padding token take none, so it is smoothing / (V - 2)",
        "mistake.tr_smoothing_padding_column": "the padding token keeps some probability in the smoothed target: its column must be 0",
        "mistake.tr_smoothing_padding_rows": "rows whose target is padding still count: zero them so that padding adds nothing to the loss",
        "mistake.tr_smoothing_cross_entropy": "the loss matches the cross-entropy against the smoothed target, not the KL divergence: they differ by the target's entropy",
        "mistake.tr_smoothing_mean": "the loss is averaged over the rows: the contract sums it (the training loop divides by the number of tokens)",
        "mistake.tr_rate_off_by_one": "the rate matches the schedule one step later (step + 1): step 0 counts as step 1, the others as themselves",
        "mistake.tr_rate_no_warmup": "the rate matches d_model^-0.5 · step^-0.5 alone: the warm-up, rising linearly for the first warmup steps, is missing",
        "mistake.tr_rate_warmup_power": "the rate matches warmup^-0.5 in the warm-up term: it is step · warmup^-1.5",
        "mistake.tr_rate_no_factor": "the rate matches the schedule without the factor: multiply by factor",
        "mistake.tr_greedy_first_position": "the output matches decoding that reads the prediction at the first position every step: the next token comes from the last position",
        "mistake.tr_greedy_last_only": "the output matches decoding that feeds only the last token back: the decoder needs everything generated so far",
    },
    "ko": {
        "title": "학습하는 Transformer",
        "mistake.tr_embeddings_unscaled": "임베딩이 √d_model을 곱하지 않은 lut(x)와 같습니다. 논문은 임베딩 가중치에 √d_model을 곱합니다 (§3.4)",
        "mistake.tr_embeddings_divided": "임베딩이 lut(x) / √d_model과 같습니다. √d_model은 나누는 값이 아니라 곱하는 값입니다",
        "mistake.tr_embeddings_scaled_twice": "임베딩이 lut(x) · d_model과 같습니다. √d_model을 두 번 곱했습니다",
        "mistake.tr_generator_softmax": "출력이 softmax(proj(x))와 같습니다. 생성기는 KL 손실이 기대하는 로그 확률(log_softmax)을 돌려줍니다",
        "mistake.tr_generator_logits": "출력이 log_softmax 없는 proj(x)와 같습니다. 생성기는 로그 확률을 돌려줍니다",
        "mistake.tr_generator_first_axis": "출력이 첫 번째 축으로 계산한 log_softmax와 같습니다. 어휘 축, 즉 마지막 축으로 정규화하세요",
        "mistake.tr_model_no_positions": "출력이 위치 인코딩이 없는 모델과 같습니다. 층들은 토큰의 위치를 알 방법이 없습니다",
        "mistake.tr_model_tgt_mask_ignored": "출력이 타깃 마스크를 받지 않는 디코더와 같습니다. 각 위치가 미래(와 패딩)를 봅니다",
        "mistake.tr_model_memory_mask_ignored": "출력이 소스 패딩을 무시하는 교차 어텐션과 같습니다. 소스 마스크를 메모리에도 넘기세요",
        "mistake.tr_masks_diagonal_masked": "타깃 마스크가 대각선까지 가립니다. 위치 i는 자기 자신을 볼 수 있어야 합니다 (diagonal=1인 triu)",
        "mistake.tr_masks_next_visible": "타깃 마스크가 위치 i에 i + 1을 보여 줍니다. 이후 위치 마스크가 한 칸 어긋났습니다",
        "mistake.tr_masks_tgt_padding_ignored": "타깃 마스크가 이후 위치 마스크뿐입니다. 타깃의 패딩도 가려야 합니다",
        "mistake.tr_masks_inverted": "마스크가 반대입니다. 이 과제에서 True는 어텐션할 수 있는 위치를 뜻합니다 (torch.nn의 마스크는 반대 규칙을 쓰므로 모델 안에서 바꾸세요)",
        "mistake.tr_smoothing_normaliser": "나눠 준 확률이 V - 1개 토큰에 퍼져 있습니다. 정답 토큰과 패딩 토큰은 받지 않으므로 smoothing / (V - 2)입니다",
        "mistake.tr_smoothing_padding_column": "평활화한 타깃에서 패딩 토큰이 확률을 받습니다. 패딩 열은 0이어야 합니다",
        "mistake.tr_smoothing_padding_rows": "타깃이 패딩인 행도 손실에 들어갑니다. 그 행을 0으로 만들어 패딩이 손실에 아무것도 더하지 않게 하세요",
        "mistake.tr_smoothing_cross_entropy": "손실이 KL 발산이 아니라 평활화한 타깃과의 교차 엔트로피와 같습니다. 둘은 타깃의 엔트로피만큼 다릅니다",
        "mistake.tr_smoothing_mean": "손실을 행에 대해 평균했습니다. 약속은 합입니다 (토큰 수로 나누는 것은 학습 루프가 합니다)",
        "mistake.tr_rate_off_by_one": "학습률이 한 단계 늦은(step + 1) 스케줄과 같습니다. step 0만 1로 세고 나머지는 그대로 씁니다",
        "mistake.tr_rate_no_warmup": "학습률이 d_model^-0.5 · step^-0.5뿐입니다. 처음 warmup 단계 동안 선형으로 오르는 워밍업이 빠졌습니다",
        "mistake.tr_rate_warmup_power": "워밍업 항에 warmup^-0.5를 썼습니다. step · warmup^-1.5입니다",
        "mistake.tr_rate_no_factor": "학습률이 factor를 곱하지 않은 스케줄과 같습니다. factor를 곱하세요",
        "mistake.tr_greedy_first_position": "출력이 매 단계 첫 번째 위치의 예측을 읽는 디코딩과 같습니다. 다음 토큰은 마지막 위치에서 나옵니다",
        "mistake.tr_greedy_last_only": "출력이 마지막 토큰만 다시 넣는 디코딩과 같습니다. 디코더에는 지금까지 만든 토큰이 모두 필요합니다",
    },
}
