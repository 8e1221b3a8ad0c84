# exercise: masked_softmax
# file: attention.py
def masked_softmax(scores, mask=None, dim=-1):
    if mask is not None:
        scores.masked_fill_(~mask, torch.finfo(scores.dtype).min)  # edits the caller's tensor
    weights = torch.softmax(scores, dim=dim)
    return weights if mask is None else weights.masked_fill(~mask, 0.0)
