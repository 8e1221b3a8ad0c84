# exercise: attention_weights
# file: attention.py
def attention_weights(scores, src_mask=None):
    if src_mask is None:
        src_mask = torch.ones_like(scores, dtype=torch.bool)
    shifted = scores - scores.masked_fill(~src_mask, float("-inf")).amax(dim=-1, keepdim=True)
    e = torch.where(src_mask, shifted.exp(), torch.zeros_like(scores))
    return e / e.sum(dim=-1, keepdim=True)
