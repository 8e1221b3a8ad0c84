# exercise: bert_pair_inputs
# file: pairs.py
def bert_pair_inputs(a, b, *, cls_id, sep_id, max_len):
    if max_len < 3:
        raise ValueError("max_len must be at least 3")
    budget = max_len - 3
    n, m = a.numel(), b.numel()
    if n + m > budget:
        # removing from the longer one (a on ties) levels both at about budget / 2: a keeps the floor
        short = min(n, m)
        if short <= budget // 2:
            n, m = (n, budget - n) if n == short else (budget - m, m)
        else:
            n, m = budget // 2, budget - budget // 2
    device = a.device
    special = lambda t: torch.tensor([t], dtype=torch.long, device=device)  # noqa: E731
    ids = torch.cat([special(cls_id), a[:n].long(), special(sep_id), b[:m].long().to(device), special(sep_id)])
    types = (torch.arange(n + m + 3, device=device) >= n + 2).long()
    return ids, types
