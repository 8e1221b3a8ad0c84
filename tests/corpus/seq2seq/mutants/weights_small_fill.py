# exercise: attention_weights
# diagnosis: s2s_padding_weight
# invented: a finite fill (-1e4, a float16 habit) that large negative scores fall below, so padding takes weight
# file: attention.py
def attention_weights(scores, src_mask=None):
    if src_mask is not None:
        scores = scores.masked_fill(~src_mask, -1e4)
    return torch.softmax(scores, dim=-1)
