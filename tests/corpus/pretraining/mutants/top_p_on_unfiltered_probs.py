# exercise: filter_logits
# mistake: top_p_on_unfiltered_logits
# source: invented (computing the top-p softmax on the original logits instead of on what top-k kept: the mass is measured against the full distribution, so top-p keeps more tokens than the contract)
# reported: not reported; invented
# file: generation.py
def filter_logits(logits, top_k=0, top_p=1.0):
    out = logits
    if top_k > 0:
        k = min(top_k, logits.size(-1))
        kth = torch.topk(out, k, dim=-1).values[..., -1:]
        out = out.masked_fill(out < kth, float("-inf"))
    if top_p < 1.0:
        probs = torch.softmax(logits, dim=-1)
        sorted_probs, order = torch.sort(probs, dim=-1, descending=True)
        mass_before = torch.cumsum(sorted_probs, dim=-1) - sorted_probs
        keep_sorted = mass_before < top_p
        keep_sorted[..., 0] = True
        last = keep_sorted.sum(dim=-1, keepdim=True) - 1
        threshold = torch.gather(torch.gather(logits, -1, order), -1, last)
        out = out.masked_fill(out < threshold, float("-inf"))
    return out if out is not logits else logits.clone()
