# exercise: bert_pair_inputs
# mistake: pair_last_sep_segment_zero
# source: https://github.com/HHousen/TransformerSum/pull/35 (HHousen/TransformerSum#35)
# reported: the segment flag was toggled at the wrong point around [SEP], so the final [SEP] of the pair got segment 0 instead of the second sentence's segment
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
    token_type_ids = torch.cat([
        torch.zeros(len_a + 2, dtype=torch.long, device=device),
        torch.ones(len_b, dtype=torch.long, device=device),
        torch.zeros(1, dtype=torch.long, device=device),
    ])
    return input_ids, token_type_ids
