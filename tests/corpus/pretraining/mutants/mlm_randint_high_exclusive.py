# exercise: mlm_mask_tokens
# diagnosis: random_token_never_drawn
# source: invented (google-research/bert draws the random word with Python's inclusive rng.randint(0, len(vocab_words) - 1); ported to torch.randint, whose upper bound is exclusive, the last id is never drawn)
# reported: not reported; invented
# file: masking.py
def mlm_mask_tokens(tokens, special_mask, *, mask_id, vocab_size, generator, mlm_probability=0.15):
    device = tokens.device
    tokens = tokens.long()
    eligible = ~special_mask.bool()
    selected = (torch.rand(tokens.shape, generator=generator, device=device) < mlm_probability) & eligible
    labels = torch.where(selected, tokens, torch.full_like(tokens, IGNORE_INDEX))
    u = torch.rand(tokens.shape, generator=generator, device=device)
    to_mask = selected & (u < 0.8)
    to_random = selected & (u >= 0.8) & (u < 0.9)
    random_tokens = torch.randint(0, vocab_size - 1, tokens.shape, generator=generator, device=device)
    inputs = tokens.clone()
    inputs = torch.where(to_mask, torch.full_like(tokens, mask_id), inputs)
    inputs = torch.where(to_random, random_tokens, inputs)
    return inputs, labels
