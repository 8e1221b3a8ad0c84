# exercise: attention_weights
# mistake: s2s_mask_after_softmax
# invented: padding zeroed after the softmax, without renormalising
# file: attention.py
def attention_weights(scores, src_mask=None):
    weights = torch.softmax(scores, dim=-1)
    return weights if src_mask is None else weights * src_mask
