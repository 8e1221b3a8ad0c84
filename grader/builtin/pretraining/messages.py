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
        "pretraining.check.mlm_split": "선택된 위치 {selected}개 중 {mask}%가 mask_id, {random}%가 다른 토큰, {kept}%가 원래 토큰을 보입니다. 기대값은 각각 {exp_mask}%, {exp_random}%, {exp_kept}%입니다([MASK] 80%, 무작위 토큰 10%, 그대로 10%. 무작위 토큰이 우연히 mask_id나 원래 토큰과 같을 수도 있습니다)",
        "pretraining.check.mlm_random_not_uniform": "무작위로 바꾼 토큰이 [0, {vocab_size})에서 균등하지 않습니다. 바꾼 토큰 {total}개 중 토큰 {token}이 {count}번 나왔는데 기대값은 약 {expected}번입니다(올바른 구현이면 {low}~{high}번). 어휘 전체에서 뽑으세요. 예를 들어 torch.randint(vocab_size, ...)의 상한은 포함되지 않습니다",
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
        "pretraining.check.nsp_next_rate": "{draws}번 추출하는 동안, 같은 문서에 다음 문장이 있는 문장 {total}개 중 {observed}%에서 is_next가 True입니다. 기대값은 50%입니다(올바른 구현이면 [{low}%, {high}%]). 그런 문장마다 공정한 동전을 던지세요",
        "pretraining.check.nsp_partner_not_uniform": "NotNext 짝이 다른 문서들의 문장에서 균등하게 뽑히지 않습니다. {draws}번 추출한 NotNext 쌍 {total}개에서 문장 {index}가 {count}번 뽑혔는데 기대값은 약 {expected}번입니다(올바른 구현이면 {low}~{high}번). 다른 문서의 모든 문장이 같은 확률이어야 합니다. 문서를 먼저 고르고 그 안에서 문장을 고르면 짧은 문서의 문장이 더 자주 뽑힙니다",
        "diagnosis.coin_shared_across_sentences": "문장마다 동전을 따로 던지지 않습니다. 다음 문장이 있는 이웃한 문장 {pairs}쌍 중 {observed}%가 같은 is_next를 받았는데, 공정한 동전을 독립적으로 던지면 {expected}%입니다(올바른 구현이면 [{low}%, {high}%]). 호출 전체에 동전 하나를 쓰지 말고 문장마다 하나씩(N개짜리 텐서로) 던지세요",
        "diagnosis.partner_shared_across_sentences": "NotNext 짝을 문장마다 따로 뽑지 않습니다. 한 번의 호출에서 이웃한 NotNext 문장 {pairs}쌍 중 {observed}%가 같은 짝을 받았는데, 독립적으로 뽑으면 {expected}%입니다(올바른 구현이면 [{low}%, {high}%]). 호출 전체에 난수 하나를 쓰지 말고 문장마다 하나씩 뽑으세요",
        # --- sample_next ---
        "pretraining.check.sample_range": "뽑은 토큰 {count}개가 [0, {vocab_size}) 범위 밖입니다. 예: {draw}번째 추출에서 {row}행이 {got}",
        "pretraining.check.sample_not_argmax": "온도가 0이면 결과는 로짓의 argmax 여야 합니다. {draw}번째 추출에서 {row}행이 토큰 {got}을 냈는데({count}번 이런 경우가 있음) 가장 큰 로짓은 {expected}에 있습니다",
        "diagnosis.uniform_shared_across_rows": "행마다 따로 뽑지 않습니다. 한 번의 호출에서 로짓이 같은 행 {pairs}쌍 중 {observed}%가 같은 토큰을 뽑았는데, 독립적으로 뽑으면 {expected}%입니다(올바른 구현이면 [{low}%, {high}%]). 배치 전체에 균등 난수 하나를 쓰지 말고 행마다 하나씩(또는 multinomial 표본 하나씩) 뽑으세요",
        "pretraining.check.sample_distribution": "{row}행: 토큰 {token}이 {draws}번 중 {count}번 뽑혔습니다({observed}%). softmax(logits / {temperature})에 따르면 {expected}%이어야 합니다(올바른 구현이면 [{low}%, {high}%]). 로짓을 온도로 나누는지, 그리고 확률에 따라 뽑는지 확인하세요",
    },
}
