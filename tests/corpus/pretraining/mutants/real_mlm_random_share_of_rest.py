# exercise: mlm_mask_tokens
# diagnosis: mlm_split.random_of_rest
# source: https://github.com/huggingface/transformers/pull/17377 (huggingface/transformers#17377; same proposal in #21629 and #10332)
# reported: the PR changed the collator's random-word draw from bernoulli(0.5) to bernoulli(0.1) among the positions not turned into [MASK], which replaces only 0.2 x 0.1 = 2% of the selected tokens (18% stay unchanged) instead of 10%
# file: masking.py
def mlm_mask_tokens(tokens, special_mask, *, mask_id, vocab_size, generator, mlm_probability=0.15):
    device = tokens.device
    tokens = tokens.long()
    eligible = ~special_mask.bool()
    selected = (torch.rand(tokens.shape, generator=generator, device=device) < mlm_probability) & eligible
    labels = torch.where(selected, tokens, torch.full_like(tokens, IGNORE_INDEX))
    u = torch.rand(tokens.shape, generator=generator, device=device)
    to_mask = selected & (u < 0.8)
    to_random = selected & ~to_mask & (torch.rand(tokens.shape, generator=generator, device=device) < 0.1)
    random_tokens = torch.randint(vocab_size, tokens.shape, generator=generator, device=device)
    inputs = tokens.clone()
    inputs = torch.where(to_mask, torch.full_like(tokens, mask_id), inputs)
    inputs = torch.where(to_random, random_tokens, inputs)
    return inputs, labels
