# exercise: nsp_sample
# diagnosis: partner_any_document
# source: https://github.com/codertimo/BERT-pytorch/issues/86 (codertimo/BERT-pytorch#86; same family: NVIDIA/DeepLearningExamples#421)
# reported: get_random_line draws the NotNext sentence from the whole corpus, so it can be the same line or another sentence of the same document
# file: pairs.py
def nsp_sample(doc_ids, *, generator):
    device = doc_ids.device
    n = doc_ids.numel()
    index = torch.arange(n, device=device)
    has_next = torch.zeros(n, dtype=torch.bool, device=device)
    has_next[:-1] = doc_ids[1:] == doc_ids[:-1]
    is_next = has_next & (torch.rand(n, generator=generator, device=device) < 0.5)
    random_partner = torch.randint(n, (n,), generator=generator, device=device)
    partner = torch.where(is_next, index + 1, random_partner)
    return partner, is_next
