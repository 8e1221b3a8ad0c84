# exercise: masked_softmax
# mistake: mask_polarity_inverted
# file: attention.py
def masked_softmax(scores, mask=None, dim=-1):
    if mask is None:
        return torch.softmax(scores, dim=dim)
    return torch.softmax(scores.masked_fill(mask, -1e9), dim=dim).masked_fill(mask, 0.0)
