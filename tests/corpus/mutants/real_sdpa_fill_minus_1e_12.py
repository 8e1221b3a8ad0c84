# exercise: scaled_dot_product_attention
# diagnosis: mask_not_zeroing
# source: https://github.com/hyunwoongko/transformer/issues/10 (hyunwoongko/transformer#10)
# reported: ScaleDotProductAttention filled the masked scores with -e where e=1e-12, i.e. almost 0 instead of -inf, so masked positions keep their share of the softmax
# file: attention.py
def scaled_dot_product_attention(q, k, v, mask=None, e=1e-12):
    d_k = q.size(-1)
    score = q @ k.transpose(-2, -1) / math.sqrt(d_k)
    if mask is not None:
        score = score.masked_fill(mask == 0, -e)
    score = torch.softmax(score, dim=-1)
    return score @ v, score
