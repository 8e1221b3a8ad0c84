# exercise: masked_softmax
# file: attention.py
def masked_softmax(scores, mask=None, dim=-1):
    if mask is None:
        return scores.softmax(dim)
    weights = scores.masked_fill(mask.logical_not(), -1e9).softmax(dim)
    return weights * mask
