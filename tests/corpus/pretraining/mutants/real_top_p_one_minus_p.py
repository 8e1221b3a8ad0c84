# exercise: filter_logits
# mistake: top_p_keeps_one_minus_p
# source: https://github.com/lucidrains/x-transformers/issues/184 (lucidrains/x-transformers#184)
# reported: top_p removed the descending-sorted tokens whose cumulative probability exceeds 1 - thres instead of thres, so top_p = 0.9 kept a 10% nucleus
# file: generation.py
def filter_logits(logits, top_k=0, top_p=1.0):
    out = logits
    if top_k > 0:
        k = min(top_k, logits.size(-1))
        kth = torch.topk(out, k, dim=-1).values[..., -1:]
        out = out.masked_fill(out < kth, float("-inf"))
    if top_p < 1.0:
        probs = torch.softmax(out, dim=-1)
        sorted_probs, order = torch.sort(probs, dim=-1, descending=True)
        mass_before = torch.cumsum(sorted_probs, dim=-1) - sorted_probs
        keep_sorted = mass_before < 1 - top_p
        keep_sorted[..., 0] = True
        last = keep_sorted.sum(dim=-1, keepdim=True) - 1
        threshold = torch.gather(torch.gather(out, -1, order), -1, last)
        out = out.masked_fill(out < threshold, float("-inf"))
    return out if out is not logits else logits.clone()
