# exercise: filter_logits
# mistake: top_k_drops_ties
# source: invented (scattering the k indices torch.topk returns keeps exactly k entries and drops arbitrary ones among those tied with the k-th; comparing with the k-th value keeps them all)
# reported: not reported; invented
# file: generation.py
def filter_logits(logits, top_k=0, top_p=1.0):
    out = logits
    if top_k > 0:
        k = min(top_k, logits.size(-1))
        values, indices = torch.topk(out, k, dim=-1)
        out = torch.full_like(out, float("-inf")).scatter(-1, indices, values)
    if top_p < 1.0:
        probs = torch.softmax(out, dim=-1)
        sorted_probs, order = torch.sort(probs, dim=-1, descending=True)
        mass_before = torch.cumsum(sorted_probs, dim=-1) - sorted_probs
        keep_sorted = mass_before < top_p
        keep_sorted[..., 0] = True
        last = keep_sorted.sum(dim=-1, keepdim=True) - 1
        threshold = torch.gather(torch.gather(out, -1, order), -1, last)
        out = out.masked_fill(out < threshold, float("-inf"))
    return out if out is not logits else logits.clone()
