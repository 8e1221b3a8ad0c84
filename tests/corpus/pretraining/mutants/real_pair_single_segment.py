# exercise: bert_pair_inputs
# mistake: pair_single_segment
# source: https://github.com/huggingface/transformers/pull/17082 (huggingface/transformers#17082, fixes #15735; same effect in #263)
# reported: DebertaTokenizer gave every token of a sentence pair token type 0, so the second sentence never got segment 1
# file: pairs.py
def bert_pair_inputs(a, b, *, cls_id, sep_id, max_len):
    if max_len < 3:
        raise ValueError(f"max_len={max_len} leaves no room for [CLS], [SEP] and [SEP] (needs max_len >= 3)")
    device = a.device
    len_a, len_b = a.numel(), b.numel()
    while len_a + len_b + 3 > max_len:
        if len_a >= len_b:
            len_a -= 1
        else:
            len_b -= 1
    a = a[:len_a].long().to(device)
    b = b[:len_b].long().to(device)
    cls = torch.tensor([cls_id], dtype=torch.long, device=device)
    sep = torch.tensor([sep_id], dtype=torch.long, device=device)
    input_ids = torch.cat([cls, a, sep, b, sep])
    token_type_ids = torch.zeros(len_a + len_b + 3, dtype=torch.long, device=device)
    return input_ids, token_type_ids
