# exercise: mlm_mask_tokens
# diagnosis: draws_repeat
# source: invented (a private generator seeded from the tokens "so that the masking is reproducible": every call masks the same positions, whatever generator it is given)
# reported: not reported; invented
# file: masking.py
def mlm_mask_tokens(tokens, special_mask, *, mask_id, vocab_size, generator, mlm_probability=0.15):
    device = tokens.device
    tokens = tokens.long()
    own = torch.Generator(device=device).manual_seed(int(tokens.sum()))
    eligible = ~special_mask.bool()
    selected = (torch.rand(tokens.shape, generator=own, device=device) < mlm_probability) & eligible
    labels = torch.where(selected, tokens, torch.full_like(tokens, IGNORE_INDEX))
    u = torch.rand(tokens.shape, generator=own, device=device)
    to_mask = selected & (u < 0.8)
    to_random = selected & (u >= 0.8) & (u < 0.9)
    random_tokens = torch.randint(vocab_size, tokens.shape, generator=own, device=device)
    inputs = tokens.clone()
    inputs = torch.where(to_mask, torch.full_like(tokens, mask_id), inputs)
    inputs = torch.where(to_random, random_tokens, inputs)
    return inputs, labels
