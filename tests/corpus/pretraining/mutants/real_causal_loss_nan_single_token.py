# exercise: causal_lm_loss
# mistake: causal_loss_nan_without_targets
# source: https://github.com/huggingface/transformers/issues/3711 (huggingface/transformers#3711)
# reported: with a single input token there is no next token to predict, and GPT2LMHeadModel returned a NaN loss (an empty mean) for it
# file: objectives.py
def causal_lm_loss(logits, tokens, pad_id=None):
    V = logits.size(-1)
    targets = tokens[:, 1:]
    if pad_id is not None:
        targets = targets.masked_fill(targets == pad_id, IGNORE_INDEX)
    return F.cross_entropy(logits[:, :-1].reshape(-1, V), targets.reshape(-1), ignore_index=IGNORE_INDEX)
