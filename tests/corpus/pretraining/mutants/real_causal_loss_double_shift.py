# exercise: causal_lm_loss
# mistake: causal_loss_shifted_twice
# source: https://github.com/huggingface/transformers/pull/37830 (huggingface/transformers#37830; same in #47394, GitForCausalLM)
# reported: JetMoeForCausalLM shifted the logits and labels and then passed them to a loss function that shifts again, training position t to predict token t + 2
# file: objectives.py
def causal_lm_loss(logits, tokens, pad_id=None):
    shifted_logits = logits[:, :-1][:, :-1]
    targets = tokens[:, 1:][:, 1:]
    if pad_id is not None:
        targets = targets.masked_fill(targets == pad_id, IGNORE_INDEX)
    return mlm_loss(shifted_logits, targets)
