# exercise: split_heads
# mistake: split_heads_not_transposed
# file: multihead.py
def split_heads(x, num_heads):
    B, L, d_model = x.shape
    return x.view(B, L, num_heads, d_model // num_heads)
