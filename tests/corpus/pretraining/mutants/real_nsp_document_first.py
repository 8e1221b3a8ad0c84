# exercise: nsp_sample
# diagnosis: partner_document_first
# source: https://github.com/google-research/bert/blob/master/create_pretraining_data.py (google-research/bert, create_instances_from_document)
# reported: for a random next segment, BERT's data script picks a random document first and then a start inside it, so sentences of short documents are drawn more often than those of long ones
# file: pairs.py
def nsp_sample(doc_ids, *, generator):
    device = doc_ids.device
    n = doc_ids.numel()
    docs = doc_ids.unique()
    if docs.numel() < 2:
        raise ValueError("nsp_sample needs sentences from at least two documents")
    index = torch.arange(n, device=device)
    has_next = torch.zeros(n, dtype=torch.bool, device=device)
    has_next[:-1] = doc_ids[1:] == doc_ids[:-1]
    is_next = has_next & (torch.rand(n, generator=generator, device=device) < 0.5)
    random_partner = torch.empty(n, dtype=torch.long, device=device)
    for i in range(n):
        other = docs[docs != doc_ids[i]]
        doc = other[torch.randint(other.numel(), (1,), generator=generator, device=device)]
        members = (doc_ids == doc).nonzero().flatten()
        random_partner[i] = members[torch.randint(members.numel(), (1,), generator=generator, device=device)]
    partner = torch.where(is_next, index + 1, random_partner)
    return partner, is_next
