# exercise: causal_lm_loss
# mistake: causal_loss_pad_on_inputs
# source: invented (skipping positions whose input token is padding instead of those whose target is: the last real token's prediction of the first pad is kept and the prediction of the first real token after a pad is dropped)
# reported: not reported; invented
# file: objectives.py
def causal_lm_loss(logits, tokens, pad_id=None):
    shifted_logits = logits[:, :-1]
    targets = tokens[:, 1:]
    if pad_id is not None:
        targets = targets.masked_fill(tokens[:, :-1] == pad_id, IGNORE_INDEX)
    return mlm_loss(shifted_logits, targets)
