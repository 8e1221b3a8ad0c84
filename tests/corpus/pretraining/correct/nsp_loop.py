# exercise: nsp_sample
# file: pairs.py
def nsp_sample(doc_ids, *, generator):
    n = doc_ids.numel()
    docs = doc_ids.tolist()
    partner = torch.empty(n, dtype=torch.long, device=doc_ids.device)
    is_next = torch.zeros(n, dtype=torch.bool, device=doc_ids.device)
    for i in range(n):
        if i + 1 < n and docs[i + 1] == docs[i] and float(torch.rand(1, generator=generator, device=doc_ids.device)) < 0.5:
            is_next[i] = True
            partner[i] = i + 1
            continue
        others = [j for j in range(n) if docs[j] != docs[i]]
        pick = int(torch.randint(len(others), (1,), generator=generator, device=doc_ids.device))
        partner[i] = others[pick]
    return partner, is_next
