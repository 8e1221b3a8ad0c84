# exercise: scaled_dot_product_attention
# mistake: attention_mask_polarity
# file: attention.py
def scaled_dot_product_attention(q, k, v, mask=None):
    d_k = q.size(-1)
    scores = q @ k.transpose(-2, -1) / math.sqrt(d_k)
    weights = masked_softmax(scores, None if mask is None else ~mask, dim=-1)
    return weights @ v, weights
