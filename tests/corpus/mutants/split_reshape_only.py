# exercise: split_heads
# mistake: split_heads_reshape_without_transpose
# file: multihead.py
def split_heads(x, num_heads):
    B, L, d_model = x.shape
    return x.reshape(B, num_heads, L, d_model // num_heads)
