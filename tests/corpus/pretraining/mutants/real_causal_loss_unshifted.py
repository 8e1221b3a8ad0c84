# exercise: causal_lm_loss
# mistake: causal_loss_not_shifted
# source: https://github.com/huggingface/transformers/issues/27517 (huggingface/transformers#27517; same in #30105, #404 and macrocosm-os/pretraining#64)
# reported: MBartForCausalLM computed the loss of logits against the labels at the same positions, without shifting, so the model learned to copy its input instead of predicting the next token
# file: objectives.py
def causal_lm_loss(logits, tokens, pad_id=None):
    targets = tokens
    if pad_id is not None:
        targets = targets.masked_fill(targets == pad_id, IGNORE_INDEX)
    return mlm_loss(logits, targets)
