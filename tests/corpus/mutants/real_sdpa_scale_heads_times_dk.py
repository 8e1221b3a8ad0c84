# exercise: scaled_dot_product_attention
# diagnosis: scale_factor
# source: https://github.com/hyunwoongko/transformer/blob/09c74b80162ac571584ca29379236e95453fe43b/models/layers/scale_dot_product_attention.py (hyunwoongko/transformer, early version)
# reported: the per-head attention unpacked k as [batch, head, length, d_tensor] and divided the scores by sqrt(head * d_tensor) = sqrt(d_model) instead of sqrt(d_tensor)
# file: attention.py
def scaled_dot_product_attention(q, k, v, mask=None):
    batch_size, head, length, d_tensor = k.size()
    d_model = head * d_tensor
    scores = q @ k.transpose(-2, -1) / math.sqrt(d_model)
    weights = masked_softmax(scores, mask, dim=-1)
    return weights @ v, weights
