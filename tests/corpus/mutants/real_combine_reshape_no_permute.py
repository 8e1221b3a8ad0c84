# exercise: combine_heads
# mistake: combine_heads_without_transpose
# diagnosis: head_layout
# source: https://github.com/jsbaan/transformer-from-scratch/pull/6 (jsbaan/transformer-from-scratch#6, reported in #4)
# reported: after attention the (batch, heads, seq_len, dim) values were reshaped to (batch, seq_len, heads*dim) without permute(0, 2, 1, 3), mixing different positions into one token's output
# file: multihead.py
def combine_heads(x):
    B, h, L, d_k = x.shape
    return x.reshape(B, L, h * d_k)
