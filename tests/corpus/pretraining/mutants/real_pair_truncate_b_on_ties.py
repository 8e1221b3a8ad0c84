# exercise: bert_pair_inputs
# mistake: pair_truncates_b_on_ties
# source: https://github.com/google-research/bert/blob/master/run_classifier.py (google-research/bert, _truncate_seq_pair)
# reported: BERT's fine-tuning helper pops from tokens_a only when it is strictly longer (else from tokens_b), so on equal lengths it shortens b; the contract shortens a
# file: pairs.py
def bert_pair_inputs(a, b, *, cls_id, sep_id, max_len):
    if max_len < 3:
        raise ValueError(f"max_len={max_len} leaves no room for [CLS], [SEP] and [SEP] (needs max_len >= 3)")
    device = a.device
    len_a, len_b = a.numel(), b.numel()
    while len_a + len_b + 3 > max_len:
        if len_a > len_b:
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
