# exercise: mlm_mask_tokens
# diagnosis: mlm_ignore_label
# source: invented (pytorch-pretrained-BERT, before transformers 2.0, marked ignored MLM labels with -1; the contract and cross_entropy's default ignore_index use -100)
# reported: not reported; invented
# file: masking.py
def mlm_mask_tokens(tokens, special_mask, *, mask_id, vocab_size, generator, mlm_probability=0.15):
    device = tokens.device
    tokens = tokens.long()
    eligible = ~special_mask.bool()
    selected = (torch.rand(tokens.shape, generator=generator, device=device) < mlm_probability) & eligible
    labels = torch.where(selected, tokens, torch.full_like(tokens, -1))
    u = torch.rand(tokens.shape, generator=generator, device=device)
    to_mask = selected & (u < 0.8)
    to_random = selected & (u >= 0.8) & (u < 0.9)
    random_tokens = torch.randint(vocab_size, tokens.shape, generator=generator, device=device)
    inputs = tokens.clone()
    inputs = torch.where(to_mask, torch.full_like(tokens, mask_id), inputs)
    inputs = torch.where(to_random, random_tokens, inputs)
    return inputs, labels
