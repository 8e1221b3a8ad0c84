# exercise: nsp_sample
# diagnosis: generator_not_drawn
# source: invented (issue 22: a private generator seeded with generator.initial_seed(); pairs differ from seed to seed like real draws, but the generator given is never drawn from)
# reported: not reported; invented
# file: pairs.py
def nsp_sample(doc_ids, *, generator):
    device = doc_ids.device
    own = torch.Generator(device=device).manual_seed(generator.initial_seed())
    n = doc_ids.numel()
    same_doc = doc_ids[:, None] == doc_ids[None, :]
    index = torch.arange(n, device=device)
    has_next = torch.zeros(n, dtype=torch.bool, device=device)
    has_next[:-1] = doc_ids[1:] == doc_ids[:-1]
    is_next = has_next & (torch.rand(n, generator=own, device=device) < 0.5)
    others = ~same_doc
    count = others.sum(dim=1)
    u = torch.rand(n, generator=own, device=device, dtype=torch.float64)
    r = torch.minimum((u * count).long(), count - 1)
    random_partner = (others.cumsum(dim=1) <= r[:, None]).sum(dim=1)
    return torch.where(is_next, index + 1, random_partner), is_next
