# exercise: attention_weights
# mistake: s2s_mask_inverted
# invented: the mask read as True = padding
# file: attention.py
def attention_weights(scores, src_mask=None):
    if src_mask is not None:
        scores = scores.masked_fill(src_mask, float("-inf"))
    return torch.softmax(scores, dim=-1)
