# exercise: scaled_dot_product_attention
# diagnosis: head_layout
# source: https://github.com/hyunwoongko/transformer/blob/09c74b80162ac571584ca29379236e95453fe43b/models/layers/scale_dot_product_attention.py (hyunwoongko/transformer, early version)
# reported: k^T was formed with k.view(batch_size, head, d_tensor, length), which has the right shape but reorders the elements instead of transposing the last two axes
# file: attention.py
def scaled_dot_product_attention(q, k, v, mask=None):
    d_k = q.size(-1)
    *lead, length, d_tensor = k.size()
    k_t = k.reshape(*lead, d_tensor, length)
    scores = q @ k_t / math.sqrt(d_k)
    weights = masked_softmax(scores, mask, dim=-1)
    return weights @ v, weights
