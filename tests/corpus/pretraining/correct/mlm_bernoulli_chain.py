# exercise: mlm_mask_tokens
# file: masking.py
def mlm_mask_tokens(tokens, special_mask, *, mask_id, vocab_size, generator, mlm_probability=0.15):
    # the Hugging Face collator's way: chained Bernoulli draws (0.8, then 0.5 of the remaining 0.2)
    labels = tokens.clone()
    probability = torch.full(tokens.shape, mlm_probability, device=tokens.device)
    probability.masked_fill_(special_mask, 0.0)
    selected = torch.bernoulli(probability, generator=generator).bool()
    labels[~selected] = -100
    inputs = tokens.clone()
    replaced = torch.bernoulli(torch.full(tokens.shape, 0.8, device=tokens.device), generator=generator).bool() & selected
    inputs[replaced] = mask_id
    randomised = (torch.bernoulli(torch.full(tokens.shape, 0.5, device=tokens.device), generator=generator).bool()
                  & selected & ~replaced)
    words = torch.randint(vocab_size, tokens.shape, dtype=torch.long, device=tokens.device, generator=generator)
    inputs[randomised] = words[randomised]
    return inputs, labels
