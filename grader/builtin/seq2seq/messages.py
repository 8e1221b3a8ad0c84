"""Messages of the seq2seq assignment (its title, its catalogued mistakes and its probes' diagnoses), in English and
Korean. Both languages have the same keys and placeholders; every key carries the ``s2s_`` prefix, which no other
assignment uses.
"""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    "en": {
        "title": "Attention in seq2seq",
        # --- mistakes (the catalog's wrong implementations) ---
        "mistake.s2s_dot_scaled": "the scores are the dot products divided by √d: Luong's dot score is the plain "
                                  "dot product hᵀs (the scaling belongs to the Transformer's attention)",
        "mistake.s2s_general_transposed": "the scores match hᵀWᵀs: W is applied on the wrong side. Check which "
                                          "vector W maps into the other's space",
        "mistake.s2s_general_without_w": "the scores match the plain dot product: the weight W never takes part",
        "mistake.s2s_additive_no_tanh": "the scores match vᵀ(W1 h + W2 s) with no tanh: without it the score is "
                                        "linear in h and s. Check what is applied before v",
        "mistake.s2s_additive_w1_w2_swapped": "the scores match W1 applied to the encoder's states and W2 to the "
                                              "decoder's state: check which projection gets which input",
        "mistake.s2s_softmax_over_batch": "the weights are normalised over the batch (dim 0): each sequence's "
                                          "weights must sum to one over its own source positions",
        "mistake.s2s_mask_ignored": "padding positions get the weight they would get with no mask: the mask never "
                                    "reaches the softmax",
        "mistake.s2s_mask_inverted": "the weight sits on the padding and the real tokens get none: True in the "
                                     "source mask marks a real token",
        "mistake.s2s_mask_after_softmax": "padding gets 0 but the weights no longer sum to one: the mask is applied "
                                          "after the softmax without renormalising",
        "mistake.s2s_context_last_state": "the context equals the encoder's last state: the weights are not used, "
                                          "so the decoder is back to the fixed-size bottleneck attention removes",
        "mistake.s2s_context_unweighted": "the context is the plain sum of the encoder's states: the weights never "
                                          "multiply them",
        "mistake.s2s_step_previous_state": "the output matches attention whose query is the previous state h_{{t-1}}: "
                                           "in this contract (Luong) the GRUCell runs first and h_t asks",
        "mistake.s2s_step_mask_ignored": "the output matches a step that attends without the source mask: is "
                                         "src_mask passed on to the weights?",
        "mistake.s2s_step_last_state": "the output matches a context taken from the encoder's last state instead "
                                       "of the weighted sum over all its states",
        "mistake.s2s_step_h_first": "the output matches W_c applied to [h; c]: the contract concatenates [c; h], "
                                    "context first",
        "mistake.s2s_step_no_tanh": "the output matches W_c [c; h] without tanh: the attentional state is "
                                    "tanh(W_c [c; h])",
        "mistake.s2s_decoder_own_predictions": "from the second step on, each step is fed the previous step's "
                                               "prediction: teacher forcing feeds the given inputs[:, t]",
        "mistake.s2s_decoder_state_reset": "every step starts from the initial state: the new state each step "
                                           "returns must be carried to the next",
        # --- diagnoses (probes) ---
        "diagnosis.s2s_weights_all_ones": "every weight is 1: the softmax ran over an axis of size 1 (a score "
                                          "shaped (B, S, 1) or (B, 1, S) normalised over the wrong dim)",
        "diagnosis.s2s_weights_batch_axis": "the weights sum to one over the batch (dim 0), not over the source "
                                            "positions: check the dim of the softmax",
        "diagnosis.s2s_padding_ignored": "the weights equal softmax(scores) with no mask: the padding positions "
                                         "still get weight",
        "diagnosis.s2s_padding_weight": "{count} of {total} padding positions get some weight (up to {largest}): "
                                        "a padding score must become -inf before the softmax so that its weight is "
                                        "exactly 0",
        "diagnosis.s2s_weights_not_renormalised": "padding gets 0 but the weights do not sum to one over the real "
                                                  "tokens: mask the scores, not the weights",
        "diagnosis.s2s_additive_activation.none": "the scores match vᵀ(W1 h + W2 s) with no activation: the "
                                                  "additive score has a tanh before v",
        "diagnosis.s2s_additive_activation.relu": "the scores match vᵀ relu(W1 h + W2 s): the additive score uses "
                                                  "tanh",
        "diagnosis.s2s_additive_activation.sigmoid": "the scores match vᵀ sigmoid(W1 h + W2 s): the additive "
                                                     "score uses tanh",
        "diagnosis.s2s_additive_swapped": "the scores match W1 and W2 in each other's place: W1 takes the "
                                          "decoder's state h, W2 the encoder's states s",
        "diagnosis.s2s_query_previous_state": "the output matches attention asked by the state before the GRUCell "
                                              "(h_{{t-1}}); this contract attends with the new state h_t",
        "diagnosis.s2s_context_last_state": "the output matches a context equal to the encoder's last state: the "
                                            "context is the weighted sum over every encoder state",
        "diagnosis.s2s_attentional_order": "the output matches W_c applied to [h; c]; the contract concatenates "
                                           "[c; h]",
        "diagnosis.s2s_attentional_no_tanh": "the output matches the attentional state W_c [c; h] without tanh",
        "diagnosis.s2s_step_mask_ignored": "the output matches the step computed without the source mask: padding "
                                           "positions take part in the context",
        # --- each diagnosis's short name: the instructor's tables (a row per diagnosis, no values to fill in) ---
        "diagnosis.s2s_weights_all_ones.name": "softmax over an axis of size 1",
        "diagnosis.s2s_weights_batch_axis.name": "softmax over the batch axis",
        "diagnosis.s2s_padding_ignored.name": "the padding mask never applied",
        "diagnosis.s2s_padding_weight.name": "padding positions still get some weight",
        "diagnosis.s2s_weights_not_renormalised.name": "the weights masked instead of the scores",
        "diagnosis.s2s_additive_activation.name": "the additive score without its tanh",
        "diagnosis.s2s_additive_swapped.name": "W1 and W2 swapped",
        "diagnosis.s2s_query_previous_state.name": "attention queried with the previous decoder state",
        "diagnosis.s2s_context_last_state.name": "the context is only the encoder's last state",
        "diagnosis.s2s_attentional_order.name": "[h; c] concatenated instead of [c; h]",
        "diagnosis.s2s_attentional_no_tanh.name": "the attentional state without its tanh",
        "diagnosis.s2s_step_mask_ignored.name": "the source mask never applied in the step",
        # --- pictures: what a heatmap's rows and columns are (a 3-d output shows one batch item's slice) ---
        "picture.axes.DotScore.output": "sequence in the batch|source position",
        "picture.axes.GeneralScore.output": "sequence in the batch|source position",
        "picture.axes.AdditiveScore.output": "sequence in the batch|source position",
        "picture.axes.attention_weights.output": "sequence in the batch|source position",
        "picture.axes.context_vector.output": "sequence in the batch|encoder state dimension",
        "picture.axes.AttentionDecoderStep.log_probs": "sequence in the batch|vocabulary entry",
        "picture.axes.AttentionDecoderStep.state": "sequence in the batch|hidden dimension",
        "picture.axes.AttentionDecoderStep.weights": "sequence in the batch|source position",
        "picture.axes.AttentionDecoder.log_probs": "target step|vocabulary entry",
        "picture.axes.AttentionDecoder.weights": "target step|source position",
    },
    "ko": {
        "title": "seq2seq의 어텐션",
        "mistake.s2s_dot_scaled": "점수가 내적을 √d로 나눈 값입니다. Luong의 dot 점수는 그냥 내적 hᵀs입니다 "
                                  "(나누는 것은 Transformer 어텐션의 방식입니다)",
        "mistake.s2s_general_transposed": "점수가 hᵀWᵀs와 같습니다. W를 반대쪽에 곱했습니다. W가 어느 벡터를 다른 "
                                          "벡터의 공간으로 옮기는지 확인하세요",
        "mistake.s2s_general_without_w": "점수가 그냥 내적과 같습니다. 가중치 W가 계산에 쓰이지 않았습니다",
        "mistake.s2s_additive_no_tanh": "점수가 tanh 없는 vᵀ(W1 h + W2 s)와 같습니다. tanh가 없으면 점수는 h와 s에 "
                                        "대해 선형입니다. v 앞에 무엇을 적용하는지 확인하세요",
        "mistake.s2s_additive_w1_w2_swapped": "점수가 W1을 인코더 상태에, W2를 디코더 상태에 적용한 값과 같습니다. "
                                              "어느 투영이 어느 입력을 받는지 확인하세요",
        "mistake.s2s_softmax_over_batch": "가중치를 배치 축(dim 0)으로 정규화했습니다. 각 시퀀스의 가중치는 자기 "
                                          "소스 위치들에 대해 합이 1이어야 합니다",
        "mistake.s2s_mask_ignored": "패딩 위치가 마스크가 없을 때와 똑같은 가중치를 받습니다. 마스크가 softmax까지 "
                                    "전달되지 않았습니다",
        "mistake.s2s_mask_inverted": "가중치가 패딩에 몰리고 실제 토큰은 가중치를 받지 못합니다. 소스 마스크에서 "
                                     "True는 실제 토큰을 뜻합니다",
        "mistake.s2s_mask_after_softmax": "패딩은 0이지만 가중치의 합이 더 이상 1이 아닙니다. softmax 뒤에 마스크를 "
                                          "곱하고 다시 정규화하지 않았습니다",
        "mistake.s2s_context_last_state": "문맥 벡터가 인코더의 마지막 상태와 같습니다. 가중치를 쓰지 않으므로 "
                                          "디코더는 어텐션이 없앤 고정 길이 병목으로 돌아갑니다",
        "mistake.s2s_context_unweighted": "문맥 벡터가 인코더 상태들의 단순 합입니다. 가중치를 곱하지 않았습니다",
        "mistake.s2s_step_previous_state": "출력이 이전 상태 h_{{t-1}}로 질의한 어텐션과 같습니다. 이 과제의 약속"
                                           "(Luong)에서는 GRUCell을 먼저 실행하고 h_t로 질의합니다",
        "mistake.s2s_step_mask_ignored": "출력이 소스 마스크 없이 어텐션한 단계와 같습니다. src_mask를 가중치 "
                                         "계산에 넘겼는지 확인하세요",
        "mistake.s2s_step_last_state": "출력이 인코더 상태 전체의 가중합 대신 인코더의 마지막 상태를 문맥으로 쓴 "
                                       "경우와 같습니다",
        "mistake.s2s_step_h_first": "출력이 W_c를 [h; c]에 적용한 경우와 같습니다. 약속은 문맥을 앞에 둔 "
                                    "[c; h]입니다",
        "mistake.s2s_step_no_tanh": "출력이 tanh 없는 W_c [c; h]와 같습니다. 어텐션 상태는 tanh(W_c [c; h])입니다",
        "mistake.s2s_decoder_own_predictions": "두 번째 단계부터 이전 단계의 예측을 입력으로 넣었습니다. 교사 강요"
                                               "(teacher forcing)는 주어진 inputs[:, t]를 넣습니다",
        "mistake.s2s_decoder_state_reset": "매 단계가 처음 상태에서 시작합니다. 각 단계가 돌려주는 새 상태를 다음 "
                                           "단계로 넘겨야 합니다",
        "diagnosis.s2s_weights_all_ones": "가중치가 모두 1입니다. 크기가 1인 축으로 softmax를 계산했습니다 ((B, S, 1)"
                                          "이나 (B, 1, S) 모양의 점수를 잘못된 dim으로 정규화했습니다)",
        "diagnosis.s2s_weights_batch_axis": "가중치의 합이 소스 위치가 아니라 배치 축(dim 0)에서 1입니다. softmax의 "
                                            "dim을 확인하세요",
        "diagnosis.s2s_padding_ignored": "가중치가 마스크 없는 softmax(scores)와 같습니다. 패딩 위치가 여전히 "
                                         "가중치를 받습니다",
        "diagnosis.s2s_padding_weight": "패딩 위치 {total}개 중 {count}개가 가중치를 받습니다 (최대 {largest}). "
                                        "가중치가 정확히 0이 되려면 softmax 전에 패딩 점수를 -inf로 바꿔야 합니다",
        "diagnosis.s2s_weights_not_renormalised": "패딩은 0이지만 실제 토큰에 대한 가중치의 합이 1이 아닙니다. "
                                                  "가중치가 아니라 점수에 마스크를 적용하세요",
        "diagnosis.s2s_additive_activation.none": "점수가 활성화 함수 없는 vᵀ(W1 h + W2 s)와 같습니다. additive "
                                                  "점수는 v 앞에 tanh가 있습니다",
        "diagnosis.s2s_additive_activation.relu": "점수가 vᵀ relu(W1 h + W2 s)와 같습니다. additive 점수는 tanh를 "
                                                  "씁니다",
        "diagnosis.s2s_additive_activation.sigmoid": "점수가 vᵀ sigmoid(W1 h + W2 s)와 같습니다. additive 점수는 "
                                                     "tanh를 씁니다",
        "diagnosis.s2s_additive_swapped": "점수가 W1과 W2를 서로 바꾼 경우와 같습니다. W1은 디코더 상태 h를, W2는 "
                                          "인코더 상태 s를 받습니다",
        "diagnosis.s2s_query_previous_state": "출력이 GRUCell 이전의 상태(h_{{t-1}})로 질의한 어텐션과 같습니다. "
                                              "이 과제는 새 상태 h_t로 어텐션합니다",
        "diagnosis.s2s_context_last_state": "출력이 인코더의 마지막 상태를 문맥으로 쓴 경우와 같습니다. 문맥 "
                                            "벡터는 모든 인코더 상태의 가중합입니다",
        "diagnosis.s2s_attentional_order": "출력이 W_c를 [h; c]에 적용한 경우와 같습니다. 약속은 [c; h]입니다",
        "diagnosis.s2s_attentional_no_tanh": "출력이 tanh 없는 어텐션 상태 W_c [c; h]와 같습니다",
        "diagnosis.s2s_step_mask_ignored": "출력이 소스 마스크 없이 계산한 단계와 같습니다. 패딩 위치가 문맥에 "
                                           "섞여 들어갑니다",
        # --- 진단마다 짧은 이름: 교수자의 표 (진단마다 한 줄, 채울 값이 없습니다) ---
        "diagnosis.s2s_weights_all_ones.name": "크기가 1인 축에서 softmax를 계산함",
        "diagnosis.s2s_weights_batch_axis.name": "배치 축에서 softmax를 계산함",
        "diagnosis.s2s_padding_ignored.name": "패딩 마스크를 적용하지 않음",
        "diagnosis.s2s_padding_weight.name": "패딩 위치에 가중치가 남음",
        "diagnosis.s2s_weights_not_renormalised.name": "점수가 아니라 가중치에 마스크를 적용함",
        "diagnosis.s2s_additive_activation.name": "additive 점수에 tanh를 쓰지 않음",
        "diagnosis.s2s_additive_swapped.name": "W1과 W2가 뒤바뀜",
        "diagnosis.s2s_query_previous_state.name": "이전 디코더 상태로 어텐션을 계산함",
        "diagnosis.s2s_context_last_state.name": "문맥 벡터로 인코더의 마지막 상태만 씀",
        "diagnosis.s2s_attentional_order.name": "[c; h] 대신 [h; c]로 이어 붙임",
        "diagnosis.s2s_attentional_no_tanh.name": "어텐션 상태에 tanh가 없음",
        "diagnosis.s2s_step_mask_ignored.name": "디코더 단계에서 소스 마스크를 적용하지 않음",
        "picture.axes.DotScore.output": "배치 안의 시퀀스|소스 위치",
        "picture.axes.GeneralScore.output": "배치 안의 시퀀스|소스 위치",
        "picture.axes.AdditiveScore.output": "배치 안의 시퀀스|소스 위치",
        "picture.axes.attention_weights.output": "배치 안의 시퀀스|소스 위치",
        "picture.axes.context_vector.output": "배치 안의 시퀀스|인코더 상태의 차원",
        "picture.axes.AttentionDecoderStep.log_probs": "배치 안의 시퀀스|어휘 항목",
        "picture.axes.AttentionDecoderStep.state": "배치 안의 시퀀스|은닉 차원",
        "picture.axes.AttentionDecoderStep.weights": "배치 안의 시퀀스|소스 위치",
        "picture.axes.AttentionDecoder.log_probs": "타깃 단계|어휘 항목",
        "picture.axes.AttentionDecoder.weights": "타깃 단계|소스 위치",
    },
}
