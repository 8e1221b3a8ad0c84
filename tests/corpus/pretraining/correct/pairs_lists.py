# exercise: bert_pair_inputs
# file: pairs.py
def bert_pair_inputs(a, b, *, cls_id, sep_id, max_len):
    if max_len < 3:
        raise ValueError(f"max_len={max_len} is too small for [CLS] a [SEP] b [SEP]")
    first, second = a.tolist(), b.tolist()
    while len(first) + len(second) + 3 > max_len:
        (first if len(first) >= len(second) else second).pop()
    ids = [cls_id, *first, sep_id, *second, sep_id]
    types = [0] * (len(first) + 2) + [1] * (len(second) + 1)
    return (torch.tensor(ids, dtype=torch.long, device=a.device),
            torch.tensor(types, dtype=torch.long, device=a.device))
