# exercise: scaled_dot_product_attention
# mistake: attention_softmax_over_queries
# file: attention.py
def scaled_dot_product_attention(q, k, v, mask=None):
    d_k = q.size(-1)
    scores = q @ k.transpose(-2, -1) / math.sqrt(d_k)
    weights = masked_softmax(scores, mask, dim=-2)
    return weights @ v, weights
