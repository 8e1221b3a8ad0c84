# exercise: scaled_dot_product_attention
# visible: no (a tensor made on the default device shows only where inputs live elsewhere: the hidden meta-device cases and GPU runs)
# file: attention.py
def scaled_dot_product_attention(q, k, v, mask=None):
    if mask is None:
        mask = torch.ones(q.shape[-2], k.shape[-2], dtype=torch.bool)  # always on the CPU
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.size(-1))
    weights = masked_softmax(scores, mask)
    return weights @ v, weights
