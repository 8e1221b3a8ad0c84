# exercise: filter_logits
# mistake: top_p_drops_crossing_token
# source: https://github.com/rasbt/reasoning-from-scratch/issues/164 (rasbt/reasoning-from-scratch#164; same in Biohub/esm#360, fishaudio/fish-speech#1171, thu-nics/C2C#21)
# reported: top_p_filter kept the sorted tokens with cumulative probability <= top_p, dropping the token that crosses top_p, so the nucleus holds less than top_p of the mass
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
        keep_sorted = torch.cumsum(sorted_probs, dim=-1) <= top_p
        keep_sorted[..., 0] = True
        last = keep_sorted.sum(dim=-1, keepdim=True) - 1
        threshold = torch.gather(torch.gather(out, -1, order), -1, last)
        out = out.masked_fill(out < threshold, float("-inf"))
    return out if out is not logits else logits.clone()
