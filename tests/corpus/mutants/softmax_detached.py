# exercise: masked_softmax
# diagnosis: gradient_blocked
# file: attention.py
def masked_softmax(scores, mask=None, dim=-1):
    if mask is not None:
        scores = scores.masked_fill(~mask, torch.finfo(scores.dtype).min)
    weights = torch.softmax(scores, dim=dim).detach()  # cuts the graph: no gradient flows back
    return weights if mask is None else weights.masked_fill(~mask, 0.0)
