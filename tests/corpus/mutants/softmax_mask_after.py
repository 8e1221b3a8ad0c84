# exercise: masked_softmax
# mistake: mask_after_softmax
# file: attention.py
def masked_softmax(scores, mask=None, dim=-1):
    weights = torch.softmax(scores, dim=dim)
    return weights if mask is None else weights * mask
