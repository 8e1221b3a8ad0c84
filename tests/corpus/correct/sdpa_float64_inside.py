# exercise: scaled_dot_product_attention
# file: attention.py
def scaled_dot_product_attention(q, k, v, mask=None):
    dtype = q.dtype
    q64, k64, v64 = q.double(), k.double(), v.double()
    scores = q64 @ k64.transpose(-1, -2) * q.size(-1) ** -0.5
    weights = masked_softmax(scores, mask, dim=-1)
    return (weights @ v64).to(dtype), weights.to(dtype)
