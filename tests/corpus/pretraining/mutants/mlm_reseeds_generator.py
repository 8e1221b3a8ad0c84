# exercise: mlm_mask_tokens
# diagnosis: draws_from_initial_seed
# source: invented (issue 22: the generator given is re-seeded with its own seed "so that the masking is reproducible"; it is drawn from, but the result is a function of generator.initial_seed(), not of its state)
# reported: not reported; invented
# file: masking.py
def mlm_mask_tokens(tokens, special_mask, *, mask_id, vocab_size, generator, mlm_probability=0.15):
    generator.manual_seed(generator.initial_seed())
    device = tokens.device
    tokens = tokens.long()
    eligible = ~special_mask.bool()
    selected = (torch.rand(tokens.shape, generator=generator, device=device) < mlm_probability) & eligible
    labels = torch.where(selected, tokens, torch.full_like(tokens, IGNORE_INDEX))
    u = torch.rand(tokens.shape, generator=generator, device=device)
    random_tokens = torch.randint(vocab_size, tokens.shape, generator=generator, device=device)
    inputs = torch.where(selected & (u < 0.8), torch.full_like(tokens, mask_id), tokens)
    inputs = torch.where(selected & (u >= 0.8) & (u < 0.9), random_tokens, inputs)
    return inputs, labels
