# exercise: bert_pair_inputs
# mistake: pair_max_len_unchecked
# source: invented (without the check, max_len < 3 silently returns a pair longer than max_len: the three special tokens never fit)
# reported: not reported; invented
# file: pairs.py
def bert_pair_inputs(a, b, *, cls_id, sep_id, max_len):
    device = a.device
    len_a, len_b = a.numel(), b.numel()
    while len_a + len_b + 3 > max_len and len_a + len_b > 0:
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
        torch.ones(len_b + 1, dtype=torch.long, device=device),
    ])
    return input_ids, token_type_ids
