# exercise: masked_softmax
# file: attention.py
def masked_softmax(scores, mask=None, dim=-1):
    if mask is None:
        mask = torch.ones_like(scores, dtype=torch.bool)
    mask = mask.expand_as(scores)
    very_negative = torch.full_like(scores, torch.finfo(scores.dtype).min)
    shifted = torch.where(mask, scores, very_negative)
    shifted = shifted - shifted.amax(dim=dim, keepdim=True)
    e = torch.exp(shifted) * mask
    total = e.sum(dim=dim, keepdim=True)
    return e / torch.where(total > 0, total, torch.ones_like(total))
