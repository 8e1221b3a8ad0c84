# exercise: bert_pair_inputs
# mistake: pair_truncates_front
# source: https://github.com/google-research/bert/blob/master/create_pretraining_data.py (google-research/bert, truncate_seq_pair)
# reported: BERT's pre-training data script deletes from the front of the longer segment half of the time ("to add more randomness"); the contract always removes from the end
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
    a = a[a.numel() - len_a:].long().to(device)
    b = b[b.numel() - len_b:].long().to(device)
    cls = torch.tensor([cls_id], dtype=torch.long, device=device)
    sep = torch.tensor([sep_id], dtype=torch.long, device=device)
    input_ids = torch.cat([cls, a, sep, b, sep])
    token_type_ids = torch.cat([
        torch.zeros(len_a + 2, dtype=torch.long, device=device),
        torch.ones(len_b + 1, dtype=torch.long, device=device),
    ])
    return input_ids, token_type_ids
