"""Messages of the pretraining assignment (its title, and what its judges in statistics.py say), in English and
Korean.

Both languages have the same keys and the same placeholders. Percentages are given without the % sign in
the params; ``draw`` is the 0-based index of the draw (the generator seeded seed + draw).
"""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    "en": {
        "title": "Pre-training BERT and GPT",
        # --- any stochastic exercise ---
        "pretraining.check.draw_shape": "{output}: every draw should have shape {expected}, got {got}",
        "pretraining.check.draw_dtype": "{output}: expected dtype {expected}, got {got}",
        # --- mlm_mask_tokens ---
        "pretraining.check.mlm_label_values": "{count} labels are neither -100 nor the original token, e.g. in draw {draw} at {index}: label {got} where the token is {expected}. A selected position is labelled with its original token; every other position with -100 (the index cross-entropy ignores)",
        "pretraining.check.mlm_special_selected": "{count} special positions (special_mask True) were selected (their label is not -100), e.g. in draw {draw} at {index}; special tokens must never be selected",
        "pretraining.check.mlm_unselected_changed": "{count} positions that were not selected (label -100) changed in inputs, e.g. in draw {draw} at {index}: {got} instead of {expected}. Only selected positions may change",
        "pretraining.check.mlm_bad_replacement": "{count} selected positions show a value that is neither mask_id ({mask_id}), the original token, nor a token of [0, {vocab_size}), e.g. {got} in draw {draw} at {index}",
        "pretraining.check.mlm_selection_rate": "{selected} of {eligible} eligible positions were selected over {draws} draws ({observed}%); each eligible position should be selected with probability {expected}%, and a correct implementation lands in [{low}%, {high}%] (except with probability below one in a million)",
        "pretraining.check.mlm_split": "among {selected} selected positions, {mask}% show mask_id, {random}% another token and {kept}% their original token; expected {exp_mask}%, {exp_random}% and {exp_kept}% (80% [MASK], 10% a random token, 10% unchanged, where a random token can also happen to be mask_id or the original)",
        "pretraining.check.mlm_random_not_uniform": "the random replacement tokens are not uniform over [0, {vocab_size}): token {token} appeared {count} times among {total} replacements, about {expected} expected (a correct implementation gives {low} to {high}). Draw them from the whole vocabulary, e.g. torch.randint(vocab_size, ...), whose upper bound is exclusive",
        "mistake.causal_loss_not_shifted": "the loss matches logits and tokens at the same positions: position t is "
                                           "scored on token t, which it already sees. Check which token each "
                                           "position's logits should predict",
        "mistake.causal_loss_shifted_twice": "the loss matches position t with token t + 2: the shift seems to happen "
                                             "twice (once here, once more in a helper or a loss that shifts by itself)",
        "mistake.mlm_loss_mean_over_all_positions": "the loss is averaged over every position, ignored ones included, "
                                                    "so it shrinks when fewer positions are selected. Check what the "
                                                    "sum is divided by",
        "mistake.top_p_drops_crossing_token": "the nucleus stops before the token whose probability carries the "
                                              "cumulative mass past top_p, so it holds less than top_p. Check the "
                                              "condition on the cumulative sum",
        "mistake.top_p_keeps_one_minus_p": "the nucleus holds about 1 − top_p of the mass instead of top_p. Check the "
                                           "threshold the cumulative sum is compared with",
        "mistake.pair_single_segment": "every token gets segment 0: the second sentence (and its [SEP]) should be "
                                       "told apart from the first",
        "mistake.pair_last_sep_segment_zero": "the closing [SEP] gets the first sentence's segment. Check where the "
                                              "second segment ends",
        "mistake.nsp_pooler_without_tanh": "the outputs match a pooler without its activation: check what is applied "
                                           "to the pooler's linear layer before the classifier",
        "mistake.mlm_loss_nan_without_targets": "the loss is NaN when no position is selected: the mean over no "
                                                "position is 0 / 0. cross_entropy's own mean divides by the number "
                                                "of counted positions; when there are none, the loss should be 0",
        "mistake.causal_loss_nan_without_targets": "the loss is NaN when nothing is left to predict (one token, or "
                                                   "only padding after the first): the mean over no target is 0 / 0. "
                                                   "When there is no target, the loss should be 0",
        "mistake.causal_loss_pad_on_inputs": "positions are skipped where the input token is padding, not where "
                                             "the target is: the prediction of the first pad is kept. Check which "
                                             "tokens are compared with pad_id",
        "mistake.top_k_drops_ties": "top-k keeps exactly k entries, so some logits equal to the k-th one are "
                                    "dropped. Every logit tied with the k-th stays: compare with the k-th value "
                                    "instead of keeping the indices torch.topk returns",
        "mistake.top_p_on_unfiltered_logits": "top-p measures the mass on the logits as given, not on what top-k "
                                              "kept, so it keeps other tokens than the contract. Check which "
                                              "logits the softmax of the top-p step is computed on",
        "mistake.greedy_ignores_eos": "decoding goes on after eos_id: a finished sequence gets other tokens after "
                                      "its eos, and the loop runs max_new_tokens steps even when every sequence is "
                                      "done. Check what happens once a sequence has produced eos_id",
        "mistake.greedy_eos_in_prompt_ends": "a sequence whose prompt contains eos_id is treated as finished from "
                                             "the start. Only a generated eos_id ends a sequence: check where "
                                             "finished is first set",
        "mistake.pair_truncates_b_on_ties": "when both sentences are as long, a token is removed from the second "
                                            "one; the contract removes it from the first. Check the comparison of "
                                            "the two lengths",
        "mistake.pair_truncates_front": "truncation removes tokens from the start of a sentence; the contract "
                                        "removes them from the end. Check which tokens are kept",
        "mistake.pair_max_len_unchecked": "with max_len too small for [CLS] and two [SEP] (max_len < 3), a "
                                          "sequence longer than max_len is returned instead of raising ValueError",
        "mistake.embeddings_segments_ignored": "the outputs match embeddings that ignore token_type_ids: every "
                                               "token gets segment 0's embedding. Check that the segment ids given "
                                               "are used",
        "mistake.embeddings_positions_offset": "the outputs match positions numbered from 2 (RoBERTa's "
                                               "padding_idx + 1) instead of 0. Check the position ids",
        "mistake.nsp_head_last_token": "the outputs match a head that reads the last position's hidden state: "
                                       "BERT's classifier reads the [CLS] token, at position 0",
        "diagnosis.mlm_ignore_label": "{count} labels are {value}, neither -100 nor the original token: {value} seems to mark the positions that were not selected. Label them -100, the index cross_entropy ignores by default (older BERT code used -1)",
        "diagnosis.special_mask_ignored": "{count} of {total} special positions (special_mask True: [CLS], [SEP], padding) were selected, {observed}%, about the rate of any other position ({expected}%): the selection does not leave them out. Special tokens must never be selected",
        "diagnosis.random_token_never_drawn": "token {token} never appeared among {total} random replacements, where about {expected} were expected: the range the random tokens are drawn from leaves it out. Draw from the whole vocabulary, [0, {vocab_size}); torch.randint(low, high) never returns high",
        "diagnosis.mlm_split.random_of_rest": "among {selected} selected positions, {mask}% show mask_id, {random}% another token and {kept}% their original token: this fits 80% [MASK], 2% random and 18% unchanged, the random 10% taken of the 20% left after [MASK] instead of all selected positions. The split is 80%, 10% and 10% of the selected positions (e.g. one uniform number per position: below 0.8 [MASK], from 0.8 to 0.9 random)",
        "diagnosis.mlm_split.mask_only": "among {selected} selected positions, {mask}% show mask_id, {random}% another token and {kept}% their original token: every selected position is replaced by [MASK]. The contract keeps 10% unchanged and gives 10% a random token",
        "diagnosis.mlm_split.no_random": "among {selected} selected positions, {mask}% show mask_id, {random}% another token and {kept}% their original token: this fits 80% [MASK] and 20% unchanged, with no random token. The contract gives 10% of the selected positions a random token",
        "diagnosis.next_across_documents": "is_next is True for {count} of {total} last sentences of a document ({observed}%), about as often as for any other sentence: the sentence after it is taken as its next one although it begins another document. A sentence whose next one is in another document can only get a NotNext partner",
        "diagnosis.partner_any_document": "{count} of {total} NotNext partners ({observed}%) come from the sentence's own document, about the share that drawing from every sentence gives ({expected}%): the partner seems drawn from the whole corpus. Draw it from the other documents' sentences only",
        "diagnosis.partner_document_first": "NotNext partners follow the sizes of the documents: sentence {index} was chosen {count} times among {total} NotNext pairs over {draws} draws, about {expected} expected, and the counts fit picking a document first, then a sentence in it (which favours sentences of short documents). Every sentence of another document must be equally likely: draw the sentence directly",
        "diagnosis.dropout_before_norm": "in train mode the output has no zeros, yet it differs from the eval-mode output, and each of its rows is a LayerNorm's output (mean 0 and variance 1 before the norm's weight and bias): dropout seems to act before the LayerNorm, which rescales what survived. Dropout is the last thing the embeddings apply",
        "diagnosis.masked_into_tokens": "after the call, {count} positions of the tokens passed in hold what the returned inputs show there (mask_id or a random token): the masking wrote into the caller's tensor. An assignment such as inputs = tokens makes no copy; start from tokens.clone()",
        "diagnosis.fixed_count_masking": "the number of selected positions in a sequence hardly varies over {draws} draws (standard deviation {observed_sd} per sequence; independent selection gives about {expected_sd}): it looks like a fixed number, round(p · n), is chosen per sequence, as BERT's original data script does. The contract selects each eligible position independently with probability {p}, so the count varies from draw to draw",
        "pretraining.check.mlm_positions_dependent": "neighbouring positions are not selected independently: of {pairs} pairs of neighbouring eligible positions, {observed}% are both selected or both left, where independent draws give {expected}% (a correct implementation lands in [{low}%, {high}%]). Select each position by its own random draw, not by a pattern over the positions",
        "pretraining.check.mlm_split_dependent": "the 80/10/10 choice is not made separately for each selected position: of {pairs} pairs of selected positions in one call, {observed}% got the same choice ([MASK], random token or unchanged), where independent draws give {expected}% (a correct implementation lands in [{low}%, {high}%]). Draw one uniform number per position (a tensor of the tokens' shape), not one for the whole batch",
        "diagnosis.mask_shared_across_sequences": "the sequences of the batch get the same selection: of {pairs} pairs of positions at the same place in neighbouring sequences, {observed}% are both selected or both left, where independent draws give {expected}% (a correct implementation lands in [{low}%, {high}%]). Draw the selection in the shape of the whole batch, (B, L), not one row reused or broadcast for every sequence",
        "diagnosis.draws_dependent": "calls with different generators do not draw independently: of {pairs} pairs of results of two calls at the same place, {observed}% are equal, where independent draws give {expected}% (a correct implementation lands in [{low}%, {high}%]). Every random value must come from the generator passed in, so that another generator state gives new, independent draws",
        "diagnosis.draws_repeat": "draws {first} and {second} are identical although their generators were seeded differently ({repeated} of the {draws} draws repeat an earlier one): the result depends on too little of the generator's randomness, if on it at all. Look for a fixed seed, a seed computed from the inputs, a random source other than generator (Python's random, NumPy), or a single random number drawn for the whole call",
        "diagnosis.generator_not_drawn": "{calls} of {total} calls left the generator passed in exactly as it was: nothing was drawn from it. Every random value must come from that generator (generator=generator in torch.rand, torch.randint, torch.multinomial, …); a torch.Generator of your own (even one seeded with generator.initial_seed()), Python's random, NumPy, torch's global generator or a value computed from the seed are not draws from it",
        "diagnosis.draws_from_initial_seed": "a generator seeded like the first draw's but moved along its stream before the call gave exactly the first draw's result again, where a real draw from it is another, independent one: the result follows the generator's seed (generator.initial_seed()), not its state. Draw from the generator as it is given; do not re-seed it (generator.manual_seed(generator.initial_seed())) or compute the result from its seed",
        # --- nsp_sample ---
        "pretraining.check.nsp_partner_range": "{count} partners are not sentence indices in [0, {n}), e.g. {got} for sentence {index} in draw {draw}",
        "pretraining.check.nsp_next_across_documents": "is_next is True {count} times for the last sentence of a document, e.g. sentence {index} in draw {draw}: its next sentence belongs to another document, so it can only get a NotNext partner",
        "pretraining.check.nsp_next_wrong_partner": "{count} sentences have is_next True but a partner other than the next sentence, e.g. sentence {index} in draw {draw} has partner {got}; when is_next is True the partner is i + 1",
        "pretraining.check.nsp_partner_same_document": "{count} NotNext partners come from the sentence's own document, e.g. sentence {index} in draw {draw} is paired with {got}; a NotNext partner is drawn from the other documents' sentences",
        "pretraining.check.nsp_next_rate": "is_next is True for {observed}% of the {total} sentences (over {draws} draws) that have a next sentence in their document; expected 50% (a correct implementation lands in [{low}%, {high}%]). Flip a fair coin for each such sentence",
        "pretraining.check.nsp_partner_not_uniform": "NotNext partners are not uniform over the other documents' sentences: sentence {index} was chosen {count} times among {total} NotNext pairs over {draws} draws, about {expected} expected (a correct implementation gives {low} to {high}). Every sentence of another document must be equally likely; picking a document first and then a sentence in it favours sentences of short documents",
        "diagnosis.coin_shared_across_sentences": "the sentences do not get their own coins: of {pairs} pairs of neighbouring sentences that have a next sentence, {observed}% got the same is_next, where independent fair coins give {expected}% (a correct implementation lands in [{low}%, {high}%]). Flip one coin per sentence (a tensor of N draws), not one for the whole call",
        "diagnosis.partner_shared_across_sentences": "the NotNext partners are not drawn separately for each sentence: of {pairs} pairs of neighbouring NotNext sentences in one call, {observed}% got the same partner, where independent draws give {expected}% (a correct implementation lands in [{low}%, {high}%]). Draw one random number per sentence, not one for the whole call",
        # --- sample_next ---
        "pretraining.check.sample_range": "{count} drawn tokens are not in [0, {vocab_size}), e.g. {got} for row {row} in draw {draw}",
        "pretraining.check.sample_not_argmax": "with temperature 0 the result is the argmax of the logits; row {row} gave token {got} in draw {draw} ({count} such draws), while the largest logit is at {expected}",
        "diagnosis.uniform_shared_across_rows": "the rows do not get their own draws: of {pairs} pairs of rows with equal logits in one call, {observed}% drew the same token, where independent draws give {expected}% (a correct implementation lands in [{low}%, {high}%]). Draw one uniform number (or one multinomial sample) per row, not one shared by the whole batch",
        "pretraining.check.sample_distribution": "row {row}: token {token} was drawn {count} times in {draws} draws ({observed}%); softmax(logits / {temperature}) gives it {expected}% (a correct implementation lands in [{low}%, {high}%]). Check the temperature (divide the logits by it) and that the draw follows the probabilities",
        # --- each diagnosis's short name: the instructor's tables (a row per diagnosis, no values to fill in) ---
        "diagnosis.mlm_ignore_label.name": "unselected positions not labelled -100",
        "diagnosis.special_mask_ignored.name": "special tokens can be selected",
        "diagnosis.random_token_never_drawn.name": "random tokens not drawn from the whole vocabulary",
        "diagnosis.mlm_split.name": "the 80/10/10 split is wrong",
        "diagnosis.next_across_documents.name": "the next sentence taken from another document",
        "diagnosis.partner_any_document.name": "NotNext partners drawn from the same document too",
        "diagnosis.partner_document_first.name": "NotNext partners drawn document first",
        "diagnosis.dropout_before_norm.name": "dropout before the LayerNorm",
        "diagnosis.masked_into_tokens.name": "the masking overwrites the caller's tokens",
        "diagnosis.fixed_count_masking.name": "a fixed number of positions selected per sequence",
        "diagnosis.mask_shared_across_sequences.name": "one selection for every sequence",
        "diagnosis.draws_dependent.name": "draws not independent across generators",
        "diagnosis.draws_repeat.name": "different seeds give the same draw",
        "diagnosis.generator_not_drawn.name": "nothing drawn from the generator passed in",
        "diagnosis.draws_from_initial_seed.name": "the result follows the generator's seed, not its state",
        "diagnosis.coin_shared_across_sentences.name": "one coin flip for all sentences",
        "diagnosis.partner_shared_across_sentences.name": "one NotNext draw for all sentences",
        "diagnosis.uniform_shared_across_rows.name": "one random draw for all rows",
    },
    "ko": {
        "title": "BERT와 GPT의 사전 학습",
        # --- any stochastic exercise ---
        "pretraining.check.draw_shape": "{output}: 매 추출 결과의 모양은 {expected}이어야 하는데 {got}입니다",
        "pretraining.check.draw_dtype": "{output}: dtype이 {expected}이어야 하는데 {got}입니다",
        # --- mlm_mask_tokens ---
        "pretraining.check.mlm_label_values": "레이블 {count}개가 -100도 원래 토큰도 아닙니다. 예: {draw}번째 추출의 {index} 위치에서 토큰은 {expected} 인데 레이블이 {got}입니다. 선택된 위치의 레이블은 원래 토큰이고, 나머지 위치는 모두 -100(교차 엔트로피가 무시하는 값)입니다",
        "pretraining.check.mlm_special_selected": "특수 위치(special_mask가 True) {count}개가 선택되었습니다(레이블이 -100이 아님). 예: {draw}번째 추출의 {index} 위치. 특수 토큰은 절대 선택하면 안 됩니다",
        "pretraining.check.mlm_unselected_changed": "선택되지 않은 위치(레이블 -100) {count}개의 inputs 값이 바뀌었습니다. 예: {draw}번째 추출의 {index} 위치가 {expected}가 아니라 {got}입니다. 바뀔 수 있는 것은 선택된 위치뿐입니다",
        "pretraining.check.mlm_bad_replacement": "선택된 위치 {count}개가 mask_id({mask_id})도, 원래 토큰도, [0, {vocab_size}) 범위의 토큰도 아닌 값을 보입니다. 예: {draw}번째 추출의 {index} 위치에 {got}",
        "pretraining.check.mlm_selection_rate": "{draws}번 추출하는 동안 대상 위치 {eligible}개 중 {selected}개가 선택되었습니다({observed}%). 대상 위치는 각각 확률 {expected}%로 선택되어야 하며, 올바른 구현이라면 [{low}%, {high}%] 안에 들어옵니다(벗어날 확률은 백만분의 일 미만)",
        "pretraining.check.mlm_split": "선택된 위치 {selected}개 중 {mask}%가 mask_id, {random}%가 다른 토큰, {kept}%가 원래 토큰을 보입니다. 기댓값은 각각 {exp_mask}%, {exp_random}%, {exp_kept}%입니다([MASK] 80%, 무작위 토큰 10%, 그대로 10%. 무작위 토큰이 우연히 mask_id나 원래 토큰과 같을 수도 있습니다)",
        "pretraining.check.mlm_random_not_uniform": "무작위로 바꾼 토큰이 [0, {vocab_size})에서 균등하지 않습니다. 바꾼 토큰 {total}개 중 토큰 {token}이 {count}번 나왔는데 기댓값은 약 {expected}번입니다(올바른 구현이면 {low}~{high}번). 어휘 전체에서 뽑으세요. 예를 들어 torch.randint(vocab_size, ...)의 상한은 포함되지 않습니다",
        "mistake.causal_loss_not_shifted": "손실이 같은 위치의 로짓과 토큰을 짝지어 계산됩니다. 위치 t가 이미 보고 "
                                           "있는 토큰 t로 채점되는 셈입니다. 각 위치의 로짓이 어느 토큰을 예측해야 "
                                           "하는지 확인하세요",
        "mistake.causal_loss_shifted_twice": "손실이 위치 t와 토큰 t + 2를 짝짓습니다. 한 칸 미는 작업이 두 번 "
                                             "일어나는 것으로 보입니다(여기서 한 번, 스스로 미는 보조 함수나 손실 "
                                             "함수에서 또 한 번)",
        "mistake.mlm_loss_mean_over_all_positions": "무시해야 할 위치까지 포함한 모든 위치로 평균을 내고 있어서, 선택된 "
                                                    "위치가 적을수록 손실이 작아집니다. 합을 무엇으로 나누는지 "
                                                    "확인하세요",
        "mistake.top_p_drops_crossing_token": "누적 확률이 top_p를 넘어서게 만드는 토큰 앞에서 멈추므로, 남는 "
                                              "확률 질량이 top_p보다 작습니다. 누적합에 거는 조건을 확인하세요",
        "mistake.top_p_keeps_one_minus_p": "남는 확률 질량이 top_p가 아니라 약 1 − top_p입니다. 누적합과 비교하는 "
                                           "기준값을 확인하세요",
        "mistake.pair_single_segment": "모든 토큰의 세그먼트가 0입니다. 두 번째 문장(과 그 [SEP])은 첫 문장과 "
                                       "구분되어야 합니다",
        "mistake.pair_last_sep_segment_zero": "마지막 [SEP]이 첫 문장의 세그먼트를 받았습니다. 두 번째 세그먼트가 "
                                              "어디서 끝나는지 확인하세요",
        "mistake.nsp_pooler_without_tanh": "활성화 함수 없는 풀러와 출력이 같습니다. 분류기로 넘기기 전에 풀러의 "
                                           "선형 층 출력에 무엇을 적용하는지 확인하세요",
        "mistake.mlm_loss_nan_without_targets": "선택된 위치가 하나도 없으면 손실이 NaN입니다. 위치가 없을 때의 "
                                                "평균은 0 / 0이기 때문입니다. cross_entropy의 기본 평균은 계산에 "
                                                "들어간 위치 수로 나눕니다. 그런 위치가 없으면 손실은 0이어야 "
                                                "합니다",
        "mistake.causal_loss_nan_without_targets": "예측할 토큰이 남지 않으면(토큰이 하나뿐이거나 첫 토큰 뒤가 "
                                                   "모두 패딩이면) 손실이 NaN입니다. 목표가 없을 때의 평균은 0 / "
                                                   "0이기 때문입니다. 목표가 없으면 손실은 0이어야 합니다",
        "mistake.causal_loss_pad_on_inputs": "목표 토큰이 아니라 입력 토큰이 패딩인 위치를 건너뜁니다. 그래서 첫 "
                                             "패딩을 예측하는 위치가 남습니다. 어떤 토큰을 pad_id와 비교하는지 "
                                             "확인하세요",
        "mistake.top_k_drops_ties": "top-k가 정확히 k개만 남겨서, k번째 값과 같은 로짓 일부가 버려집니다. "
                                    "k번째 값과 같은 로짓은 모두 남아야 합니다. torch.topk가 돌려준 인덱스를 "
                                    "남기지 말고 k번째 값과 비교하세요",
        "mistake.top_p_on_unfiltered_logits": "top-p가 top-k를 거친 로짓이 아니라 처음 받은 로짓으로 확률 질량을 "
                                              "재므로, 규약과 다른 토큰이 남습니다. top-p 단계의 softmax를 어떤 "
                                              "로짓으로 계산하는지 확인하세요",
        "mistake.greedy_ignores_eos": "eos_id가 나온 뒤에도 디코딩이 계속됩니다. 끝난 시퀀스의 eos 뒤에 다른 "
                                      "토큰이 붙고, 모든 시퀀스가 끝나도 루프가 max_new_tokens번 돕니다. "
                                      "시퀀스가 eos_id를 만든 다음에 무엇을 하는지 확인하세요",
        "mistake.greedy_eos_in_prompt_ends": "프롬프트에 eos_id가 있는 시퀀스를 처음부터 끝난 것으로 봅니다. "
                                             "시퀀스를 끝내는 것은 생성된 eos_id뿐입니다. finished를 처음에 "
                                             "어떻게 정하는지 확인하세요",
        "mistake.pair_truncates_b_on_ties": "두 문장의 길이가 같을 때 두 번째 문장에서 토큰을 지웁니다. 규약은 "
                                            "첫 문장에서 지웁니다. 두 길이를 비교하는 조건을 확인하세요",
        "mistake.pair_truncates_front": "문장을 자를 때 앞쪽 토큰을 지웁니다. 규약은 끝에서 지웁니다. 어떤 "
                                        "토큰을 남기는지 확인하세요",
        "mistake.pair_max_len_unchecked": "max_len이 [CLS]와 [SEP] 두 개도 담지 못할 만큼 작을 때(max_len < 3) "
                                          "ValueError를 발생시키지 않고 max_len보다 긴 시퀀스를 돌려줍니다",
        "mistake.embeddings_segments_ignored": "token_type_ids를 무시하는 임베딩과 출력이 같습니다. 모든 토큰이 "
                                               "세그먼트 0의 임베딩을 받습니다. 받은 세그먼트 번호를 쓰는지 "
                                               "확인하세요",
        "mistake.embeddings_positions_offset": "위치 번호를 0이 아니라 2(RoBERTa의 padding_idx + 1)부터 매긴 것과 "
                                               "출력이 같습니다. 위치 번호를 확인하세요",
        "mistake.nsp_head_last_token": "마지막 위치의 은닉 상태를 읽는 헤드와 출력이 같습니다. BERT의 분류기는 "
                                       "0번 위치의 [CLS] 토큰을 읽습니다",
        "diagnosis.mlm_ignore_label": "레이블 {count}개가 -100도 원래 토큰도 아닌 {value}입니다. {value}(으)로 선택되지 않은 위치를 표시한 것으로 보입니다. 그런 위치의 레이블은 cross_entropy가 기본으로 무시하는 -100이어야 합니다(예전 BERT 코드는 -1을 썼습니다)",
        "diagnosis.special_mask_ignored": "특수 위치(special_mask가 True인 [CLS], [SEP], 패딩) {total}개 중 {count}개({observed}%)가 선택되었습니다. 다른 위치의 선택 확률({expected}%)과 비슷하므로, 선택할 때 특수 위치를 빼지 않는 것으로 보입니다. 특수 토큰은 절대 선택하면 안 됩니다",
        "diagnosis.random_token_never_drawn": "무작위로 바꾼 토큰 {total}개 중 토큰 {token}이(가) 한 번도 나오지 않았습니다(기댓값은 약 {expected}번). 무작위 토큰을 뽑는 범위에서 이 토큰이 빠져 있습니다. 어휘 전체 [0, {vocab_size})에서 뽑으세요. torch.randint(low, high)는 high를 돌려주지 않습니다",
        "diagnosis.mlm_split.random_of_rest": "선택된 위치 {selected}개 중 {mask}%가 mask_id, {random}%가 다른 토큰, {kept}%가 원래 토큰을 보입니다. [MASK] 80%, 무작위 2%, 그대로 18%와 맞습니다. 무작위 10%를 선택된 위치 전체가 아니라 [MASK]를 뺀 나머지 20%에서 정한 셈입니다. 선택된 위치의 80%, 10%, 10%로 나누세요(예: 위치마다 균등 난수 하나를 뽑아 0.8 미만은 [MASK], 0.8 이상 0.9 미만은 무작위)",
        "diagnosis.mlm_split.mask_only": "선택된 위치 {selected}개 중 {mask}%가 mask_id, {random}%가 다른 토큰, {kept}%가 원래 토큰을 보입니다. 선택된 위치를 모두 [MASK]로 바꿉니다. 규약은 10%를 그대로 두고 10%에 무작위 토큰을 넣습니다",
        "diagnosis.mlm_split.no_random": "선택된 위치 {selected}개 중 {mask}%가 mask_id, {random}%가 다른 토큰, {kept}%가 원래 토큰을 보입니다. [MASK] 80%, 그대로 20%와 맞고 무작위 토큰이 없습니다. 규약은 선택된 위치의 10%에 무작위 토큰을 넣습니다",
        "diagnosis.next_across_documents": "문서의 마지막 문장 {total}개 중 {count}개({observed}%)에서 is_next가 True입니다. 다른 문장과 비슷한 비율이므로, 다른 문서를 시작하는 다음 문장을 그 문장의 다음 문장으로 본 것입니다. 다음 문장이 다른 문서에 있으면 NotNext 짝만 받을 수 있습니다",
        "diagnosis.partner_any_document": "NotNext 짝 {total}개 중 {count}개({observed}%)가 그 문장과 같은 문서에서 나왔습니다. 모든 문장에서 뽑을 때의 비율({expected}%)과 비슷하므로, 짝을 말뭉치 전체에서 뽑는 것으로 보입니다. 다른 문서들의 문장에서만 뽑으세요",
        "diagnosis.partner_document_first": "NotNext 짝이 문서의 크기를 따릅니다. {draws}번 추출한 NotNext 쌍 {total}개에서 문장 {index}이(가) {count}번 뽑혔는데 기댓값은 약 {expected}번이고, 횟수가 문서를 먼저 고르고 그 안에서 문장을 고르는 방식과 맞습니다(짧은 문서의 문장이 더 자주 뽑힘). 다른 문서의 모든 문장이 같은 확률이어야 하니 문장을 바로 뽑으세요",
        "diagnosis.dropout_before_norm": "학습 모드의 출력에 0이 하나도 없는데 평가 모드의 출력과 다르고, 각 행이 LayerNorm의 출력입니다(norm의 weight와 bias를 되돌리면 평균 0, 분산 1). dropout이 LayerNorm 앞에서 적용되어 남은 값이 LayerNorm에서 다시 정규화되는 것으로 보입니다. 임베딩에서 dropout은 마지막에 적용해야 합니다",
        "diagnosis.masked_into_tokens": "호출이 끝난 뒤, 인자로 받은 tokens의 위치 {count}곳에 돌려준 inputs의 값(mask_id나 무작위 토큰)이 들어 있습니다. 마스킹이 호출한 쪽의 텐서에 그대로 쓰였습니다. inputs = tokens 같은 대입은 복사본을 만들지 않으니 tokens.clone()에서 시작하세요",
        "diagnosis.fixed_count_masking": "한 시퀀스에서 선택되는 위치의 개수가 {draws}번 추출하는 동안 거의 달라지지 않습니다(시퀀스별 표준편차 {observed_sd}, 독립적으로 고르면 약 {expected_sd}). BERT의 원래 데이터 스크립트처럼 시퀀스마다 round(p · n) 개를 고정해서 고르는 것으로 보입니다. 과제의 규약은 대상 위치마다 독립적으로 확률 {p}로 고르는 것이므로, 개수가 추출마다 달라져야 합니다",
        "pretraining.check.mlm_positions_dependent": "이웃한 위치가 독립적으로 선택되지 않습니다. 이웃한 대상 위치 {pairs}쌍 중 {observed}%가 둘 다 선택되거나 둘 다 남았는데, 독립적으로 뽑으면 {expected}%입니다(올바른 구현이면 [{low}%, {high}%]). 위치 위에 무늬를 정하지 말고 위치마다 따로 뽑은 난수로 선택하세요",
        "pretraining.check.mlm_split_dependent": "80/10/10 선택을 선택된 위치마다 따로 하지 않습니다. 한 번의 호출에서 선택된 위치 {pairs}쌍 중 {observed}%가 같은 처리([MASK], 무작위 토큰, 그대로)를 받았는데, 독립적으로 뽑으면 {expected}%입니다(올바른 구현이면 [{low}%, {high}%]). 배치 전체에 난수 하나를 쓰지 말고 위치마다 균등 난수를 하나씩(토큰과 같은 모양의 텐서로) 뽑으세요",
        "diagnosis.mask_shared_across_sequences": "배치의 시퀀스들이 똑같이 선택됩니다. 이웃한 시퀀스에서 같은 자리에 있는 위치 {pairs}쌍 중 {observed}%가 둘 다 선택되거나 둘 다 남았는데, 독립적으로 뽑으면 {expected}%입니다(올바른 구현이면 [{low}%, {high}%]). 한 행을 뽑아 모든 시퀀스에 다시 쓰거나 브로드캐스트하지 말고, 배치 전체의 모양 (B, L)로 뽑으세요",
        "diagnosis.draws_dependent": "생성기가 다른 호출끼리 독립적으로 뽑지 않습니다. 두 호출의 같은 자리 결과 {pairs}쌍 중 {observed}%가 같은데, 독립적으로 뽑으면 {expected}%입니다(올바른 구현이면 [{low}%, {high}%]). 무작위 값은 모두 인자로 받은 generator에서 뽑아서, 생성기 상태가 다르면 새로운 독립적인 값이 나오게 하세요",
        "diagnosis.draws_repeat": "생성기를 서로 다른 시드로 초기화했는데 {first}번째 추출과 {second}번째 추출의 결과가 똑같습니다({draws}번 중 {repeated}번이 앞의 결과를 되풀이함). 결과가 인자로 받은 generator의 난수에 거의, 또는 전혀 의존하지 않습니다. 고정된 시드, 입력에서 계산한 시드, generator가 아닌 난수원(파이썬의 random, NumPy)을 쓰거나 호출 전체에 난수 하나만 뽑지 않았는지 확인하세요",
        "diagnosis.generator_not_drawn": "호출 {total}번 중 {calls}번은 인자로 받은 generator의 상태를 전혀 바꾸지 않았습니다. 즉 그 생성기에서 아무것도 뽑지 않았습니다. 무작위 값은 모두 그 생성기에서 뽑아야 합니다(torch.rand, torch.randint, torch.multinomial 등에 generator=generator를 넘기세요). 직접 만든 torch.Generator(generator.initial_seed()로 초기화했더라도), 파이썬의 random, NumPy, torch의 전역 생성기에서 뽑거나 시드로 값을 계산하는 것은 그 생성기에서 뽑는 것이 아닙니다",
        "diagnosis.draws_from_initial_seed": "첫 번째 추출과 같은 시드로 초기화한 뒤 호출 전에 스트림을 앞으로 진행시킨 생성기를 주었는데도 첫 번째 추출과 똑같은 결과가 나왔습니다. 생성기에서 실제로 뽑는다면 다른, 독립적인 결과가 나와야 합니다. 결과가 생성기의 상태가 아니라 시드(generator.initial_seed())를 따릅니다. 받은 생성기에서 그대로 뽑고, 생성기를 다시 초기화하거나(generator.manual_seed(generator.initial_seed())) 시드로 결과를 계산하지 마세요",
        # --- nsp_sample ---
        "pretraining.check.nsp_partner_range": "짝 {count}개가 [0, {n}) 범위의 문장 번호가 아닙니다. 예: {draw}번째 추출에서 문장 {index}의 짝이 {got}입니다",
        "pretraining.check.nsp_next_across_documents": "문서의 마지막 문장에 is_next가 True인 경우가 {count}번 있습니다. 예: {draw}번째 추출의 문장 {index}. 그다음 문장은 다른 문서에 속하므로 NotNext 짝만 받을 수 있습니다",
        "pretraining.check.nsp_next_wrong_partner": "is_next가 True 인데 짝이 다음 문장이 아닌 경우가 {count}번 있습니다. 예: {draw}번째 추출에서 문장 {index}의 짝이 {got}입니다. is_next가 True이면 짝은 i + 1입니다",
        "pretraining.check.nsp_partner_same_document": "NotNext 짝 {count}개가 그 문장과 같은 문서에서 나왔습니다. 예: {draw}번째 추출에서 문장 {index}의 짝이 {got}입니다. NotNext 짝은 다른 문서들의 문장에서 뽑아야 합니다",
        "pretraining.check.nsp_next_rate": "{draws}번 추출하는 동안, 같은 문서에 다음 문장이 있는 문장 {total}개 중 {observed}%에서 is_next가 True입니다. 기댓값은 50%입니다(올바른 구현이면 [{low}%, {high}%]). 그런 문장마다 공정한 동전을 던지세요",
        "pretraining.check.nsp_partner_not_uniform": "NotNext 짝이 다른 문서들의 문장에서 균등하게 뽑히지 않습니다. {draws}번 추출한 NotNext 쌍 {total}개에서 문장 {index}가 {count}번 뽑혔는데 기댓값은 약 {expected}번입니다(올바른 구현이면 {low}~{high}번). 다른 문서의 모든 문장이 같은 확률이어야 합니다. 문서를 먼저 고르고 그 안에서 문장을 고르면 짧은 문서의 문장이 더 자주 뽑힙니다",
        "diagnosis.coin_shared_across_sentences": "문장마다 동전을 따로 던지지 않습니다. 다음 문장이 있는 이웃한 문장 {pairs}쌍 중 {observed}%가 같은 is_next를 받았는데, 공정한 동전을 독립적으로 던지면 {expected}%입니다(올바른 구현이면 [{low}%, {high}%]). 호출 전체에 동전 하나를 쓰지 말고 문장마다 하나씩(N개짜리 텐서로) 던지세요",
        "diagnosis.partner_shared_across_sentences": "NotNext 짝을 문장마다 따로 뽑지 않습니다. 한 번의 호출에서 이웃한 NotNext 문장 {pairs}쌍 중 {observed}%가 같은 짝을 받았는데, 독립적으로 뽑으면 {expected}%입니다(올바른 구현이면 [{low}%, {high}%]). 호출 전체에 난수 하나를 쓰지 말고 문장마다 하나씩 뽑으세요",
        # --- sample_next ---
        "pretraining.check.sample_range": "뽑은 토큰 {count}개가 [0, {vocab_size}) 범위 밖입니다. 예: {draw}번째 추출에서 {row}행이 {got}",
        "pretraining.check.sample_not_argmax": "온도가 0이면 결과는 로짓의 argmax 여야 합니다. {draw}번째 추출에서 {row}행이 토큰 {got}을 냈는데({count}번 이런 경우가 있음) 가장 큰 로짓은 {expected}에 있습니다",
        "diagnosis.uniform_shared_across_rows": "행마다 따로 뽑지 않습니다. 한 번의 호출에서 로짓이 같은 행 {pairs}쌍 중 {observed}%가 같은 토큰을 뽑았는데, 독립적으로 뽑으면 {expected}%입니다(올바른 구현이면 [{low}%, {high}%]). 배치 전체에 균등 난수 하나를 쓰지 말고 행마다 하나씩(또는 multinomial 표본 하나씩) 뽑으세요",
        "pretraining.check.sample_distribution": "{row}행: 토큰 {token}이 {draws}번 중 {count}번 뽑혔습니다({observed}%). softmax(logits / {temperature})에 따르면 {expected}%이어야 합니다(올바른 구현이면 [{low}%, {high}%]). 로짓을 온도로 나누는지, 그리고 확률에 따라 뽑는지 확인하세요",
        # --- 진단마다 짧은 이름: 교수자의 표 (진단마다 한 줄, 채울 값이 없습니다) ---
        "diagnosis.mlm_ignore_label.name": "선택되지 않은 위치의 레이블이 -100이 아님",
        "diagnosis.special_mask_ignored.name": "특수 토큰도 선택됨",
        "diagnosis.random_token_never_drawn.name": "무작위 토큰을 어휘 전체에서 뽑지 않음",
        "diagnosis.mlm_split.name": "80/10/10 비율이 틀림",
        "diagnosis.next_across_documents.name": "다른 문서의 문장을 다음 문장으로 씀",
        "diagnosis.partner_any_document.name": "NotNext 짝을 같은 문서에서도 뽑음",
        "diagnosis.partner_document_first.name": "NotNext 짝을 뽑을 때 문서부터 고름",
        "diagnosis.dropout_before_norm.name": "LayerNorm 앞에서 dropout을 적용함",
        "diagnosis.masked_into_tokens.name": "호출한 쪽의 tokens를 덮어씀",
        "diagnosis.fixed_count_masking.name": "시퀀스마다 정해진 개수만 선택함",
        "diagnosis.mask_shared_across_sequences.name": "시퀀스마다 따로 선택하지 않음",
        "diagnosis.draws_dependent.name": "생성기가 달라도 독립적으로 뽑지 않음",
        "diagnosis.draws_repeat.name": "시드가 달라도 같은 결과가 나옴",
        "diagnosis.generator_not_drawn.name": "인자로 받은 generator에서 뽑지 않음",
        "diagnosis.draws_from_initial_seed.name": "결과가 생성기의 상태가 아니라 시드를 따름",
        "diagnosis.coin_shared_across_sentences.name": "문장마다 동전을 따로 던지지 않음",
        "diagnosis.partner_shared_across_sentences.name": "NotNext 짝을 문장마다 따로 뽑지 않음",
        "diagnosis.uniform_shared_across_rows.name": "행마다 따로 뽑지 않음",
    },
}
