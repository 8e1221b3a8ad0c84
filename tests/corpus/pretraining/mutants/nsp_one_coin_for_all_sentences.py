# exercise: nsp_sample
# diagnosis: coin_shared_across_sentences
# source: invented (issue 22, an attack that scored 10/10: one coin, torch.rand((1,), generator=g) < 0.5, per call, used for every sentence; the pooled IsNext share still lands near 50%)
# reported: not reported; invented
# file: pairs.py
def nsp_sample(doc_ids, *, generator):
    device = doc_ids.device
    n = doc_ids.numel()
    same_doc = doc_ids[:, None] == doc_ids[None, :]
    if bool(same_doc.all()):
        raise ValueError("nsp_sample needs sentences from at least two documents")
    index = torch.arange(n, device=device)
    has_next = torch.zeros(n, dtype=torch.bool, device=device)
    has_next[:-1] = doc_ids[1:] == doc_ids[:-1]
    coin = torch.rand((1,), generator=generator, device=device) < 0.5  # one coin for the whole call
    is_next = has_next & coin
    others = ~same_doc
    count = others.sum(dim=1)
    u = torch.rand(n, generator=generator, device=device, dtype=torch.float64)
    r = torch.minimum((u * count).long(), count - 1)
    random_partner = (others.cumsum(dim=1) <= r[:, None]).sum(dim=1)
    partner = torch.where(is_next, index + 1, random_partner)
    return partner, is_next
