# exercise: mlm_mask_tokens
# diagnosis: mask_shared_across_sequences
# source: invented (issue 22: the selection drawn for one sequence, torch.rand(L) < p, and broadcast over the batch, so every sequence is masked at the same places; it scored 10.67/16)
# reported: not reported; invented
# file: masking.py
def mlm_mask_tokens(tokens, special_mask, *, mask_id, vocab_size, generator, mlm_probability=0.15):
    device = tokens.device
    tokens = tokens.long()
    B, L = tokens.shape
    eligible = ~special_mask.bool()
    row = torch.rand(L, generator=generator, device=device) < mlm_probability  # (L,): one row for the batch
    selected = row.expand(B, L) & eligible
    labels = torch.where(selected, tokens, torch.full_like(tokens, IGNORE_INDEX))
    u = torch.rand(tokens.shape, generator=generator, device=device)
    to_mask = selected & (u < 0.8)
    to_random = selected & (u >= 0.8) & (u < 0.9)
    random_tokens = torch.randint(vocab_size, tokens.shape, generator=generator, device=device)
    inputs = tokens.clone()
    inputs = torch.where(to_mask, torch.full_like(tokens, mask_id), inputs)
    inputs = torch.where(to_random, random_tokens, inputs)
    return inputs, labels
