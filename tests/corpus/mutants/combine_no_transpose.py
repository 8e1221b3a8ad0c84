# exercise: combine_heads
# mistake: combine_heads_without_transpose
# file: multihead.py
def combine_heads(x):
    B, h, L, d_k = x.shape
    return x.reshape(B, L, h * d_k)
