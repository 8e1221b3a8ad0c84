# exercise: scaled_dot_product_attention
# diagnosis: softmax_axis
# source: https://github.com/hyunwoongko/transformer/blob/09c74b80162ac571584ca29379236e95453fe43b/models/layers/scale_dot_product_attention.py (hyunwoongko/transformer, early version; cf. jadore801120/attention-is-all-you-need-pytorch#19)
# reported: the attention's softmax was nn.Softmax() with no dim; PyTorch's implicit choice is dim 0 for 3-D and dim 1 (the heads) for 4-D scores, never the key axis
# file: attention.py
def scaled_dot_product_attention(q, k, v, mask=None):
    d_k = q.size(-1)
    scores = q @ k.transpose(-2, -1) / math.sqrt(d_k)
    if mask is not None:
        scores = scores.masked_fill(~mask, torch.finfo(scores.dtype).min)
    weights = torch.nn.Softmax()(scores)
    if mask is not None:
        weights = weights.masked_fill(~mask, 0.0)
    return weights @ v, weights
