# exercise: scaled_dot_product_attention
# diagnosis: softmax_axis
# source: https://github.com/FudanNLP/fastNLP/issues/254 (FudanNLP/fastNLP#254)
# reported: DotAttention used nn.Softmax(dim=2); right for 3-D scores, but with 4-D (batch, head, len_q, len_k) scores it normalises over the queries; it should be dim=-1
# file: attention.py
def scaled_dot_product_attention(q, k, v, mask=None):
    d_k = q.size(-1)
    scores = q @ k.transpose(-2, -1) / math.sqrt(d_k)
    weights = masked_softmax(scores, mask, dim=2)
    return weights @ v, weights
