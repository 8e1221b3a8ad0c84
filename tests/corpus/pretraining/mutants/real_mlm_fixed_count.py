# exercise: mlm_mask_tokens
# diagnosis: fixed_count_masking
# source: https://github.com/google-research/bert/blob/master/create_pretraining_data.py (google-research/bert, create_masked_lm_predictions)
# reported: BERT's data script shuffles the candidate positions and takes num_to_predict = round(len(tokens) * masked_lm_prob) of them, a fixed count per sequence rather than an independent 15% draw per position
# file: masking.py
def mlm_mask_tokens(tokens, special_mask, *, mask_id, vocab_size, generator, mlm_probability=0.15):
    device = tokens.device
    tokens = tokens.long()
    eligible = ~special_mask.bool()
    selected = torch.zeros_like(eligible)
    for b in range(tokens.size(0)):
        candidates = eligible[b].nonzero().flatten()
        order = candidates[torch.randperm(candidates.numel(), generator=generator, device=device)]
        selected[b, order[: max(1, round(tokens.size(1) * mlm_probability))]] = True
    labels = torch.where(selected, tokens, torch.full_like(tokens, IGNORE_INDEX))
    u = torch.rand(tokens.shape, generator=generator, device=device)
    to_mask = selected & (u < 0.8)
    to_random = selected & (u >= 0.8) & (u < 0.9)
    random_tokens = torch.randint(vocab_size, tokens.shape, generator=generator, device=device)
    inputs = tokens.clone()
    inputs = torch.where(to_mask, torch.full_like(tokens, mask_id), inputs)
    inputs = torch.where(to_random, random_tokens, inputs)
    return inputs, labels
