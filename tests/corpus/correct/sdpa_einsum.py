# exercise: scaled_dot_product_attention
# file: attention.py
import math


def scaled_dot_product_attention(q, k, v, mask=None):
    scores = torch.einsum("...qd,...kd->...qk", q, k) / math.sqrt(q.shape[-1])
    weights = masked_softmax(scores, mask)
    return torch.einsum("...qk,...kd->...qd", weights, v), weights
