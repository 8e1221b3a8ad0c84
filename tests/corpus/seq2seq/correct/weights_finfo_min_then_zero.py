# exercise: attention_weights
# file: attention.py
def attention_weights(scores, src_mask=None):
    if src_mask is None:
        return scores.softmax(dim=1)
    low = torch.finfo(scores.dtype).min
    weights = torch.softmax(scores.masked_fill(src_mask.logical_not(), low), dim=1)
    return weights.masked_fill(src_mask.logical_not(), 0.0)
