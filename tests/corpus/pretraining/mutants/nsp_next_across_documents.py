# exercise: nsp_sample
# diagnosis: next_across_documents
# source: invented (treating the corpus as one list of sentences: the last sentence of a document is paired with the first of the next one as IsNext)
# reported: not reported; invented
# file: pairs.py
def nsp_sample(doc_ids, *, generator):
    device = doc_ids.device
    n = doc_ids.numel()
    same_doc = doc_ids[:, None] == doc_ids[None, :]
    index = torch.arange(n, device=device)
    has_next = index < n - 1
    is_next = has_next & (torch.rand(n, generator=generator, device=device) < 0.5)
    others = ~same_doc
    count = others.sum(dim=1)
    u = torch.rand(n, generator=generator, device=device, dtype=torch.float64)
    r = torch.minimum((u * count).long(), count - 1)
    random_partner = (others.cumsum(dim=1) <= r[:, None]).sum(dim=1)
    partner = torch.where(is_next, index + 1, random_partner)
    return partner, is_next
