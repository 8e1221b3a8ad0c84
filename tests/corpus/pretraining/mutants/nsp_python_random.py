# exercise: nsp_sample
# diagnosis: generator_not_drawn
# source: invented (Python's random module instead of the generator passed in: the same generator state no longer gives the same pairs, and generator is ignored)
# reported: not reported; invented
# file: pairs.py
def nsp_sample(doc_ids, *, generator):
    import random

    ids = doc_ids.tolist()
    n = len(ids)
    partner, is_next = [], []
    for i in range(n):
        if i + 1 < n and ids[i + 1] == ids[i] and random.random() < 0.5:
            partner.append(i + 1)
            is_next.append(True)
        else:
            partner.append(random.choice([j for j in range(n) if ids[j] != ids[i]]))
            is_next.append(False)
    return (torch.tensor(partner, dtype=torch.long, device=doc_ids.device),
            torch.tensor(is_next, dtype=torch.bool, device=doc_ids.device))
