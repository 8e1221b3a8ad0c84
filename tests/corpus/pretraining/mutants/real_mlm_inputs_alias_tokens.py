# exercise: mlm_mask_tokens
# diagnosis: masked_into_tokens
# source: https://github.com/huggingface/transformers/pull/8621 (huggingface/transformers#8621, fixes #8619)
# reported: a clone was removed from DataCollatorForLanguageModeling by mistake, so masking wrote into the caller's input tensor
# file: masking.py
def mlm_mask_tokens(tokens, special_mask, *, mask_id, vocab_size, generator, mlm_probability=0.15):
    device = tokens.device
    eligible = ~special_mask.bool()
    selected = (torch.rand(tokens.shape, generator=generator, device=device) < mlm_probability) & eligible
    labels = torch.where(selected, tokens, torch.full_like(tokens, IGNORE_INDEX))
    u = torch.rand(tokens.shape, generator=generator, device=device)
    to_mask = selected & (u < 0.8)
    to_random = selected & (u >= 0.8) & (u < 0.9)
    random_tokens = torch.randint(vocab_size, tokens.shape, generator=generator, device=device)
    inputs = tokens
    inputs[to_mask] = mask_id
    inputs[to_random] = random_tokens[to_random]
    return inputs, labels
