# exercise: scaled_dot_product_attention
# mistake: no_sqrt_dk
# file: attention.py
def scaled_dot_product_attention(q, k, v, mask=None):
    d_k = q.size(-1)
    scores = q @ k.transpose(-2, -1)
    weights = masked_softmax(scores, mask, dim=-1)
    return weights @ v, weights
