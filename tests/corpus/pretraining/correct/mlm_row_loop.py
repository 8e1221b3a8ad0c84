# exercise: mlm_mask_tokens
# file: masking.py
def mlm_mask_tokens(tokens, special_mask, *, mask_id, vocab_size, generator, mlm_probability=0.15):
    inputs = tokens.clone()
    labels = torch.full_like(tokens, -100)
    for b in range(tokens.size(0)):
        coin = torch.rand(tokens.size(1), generator=generator, device=tokens.device)
        kind = torch.rand(tokens.size(1), generator=generator, device=tokens.device)
        for i in range(tokens.size(1)):
            if special_mask[b, i] or coin[i] >= mlm_probability:
                continue
            labels[b, i] = tokens[b, i]
            if kind[i] < 0.8:
                inputs[b, i] = mask_id
            elif kind[i] < 0.9:
                inputs[b, i] = int(torch.randint(vocab_size, (1,), generator=generator, device=tokens.device))
    return inputs, labels
