# exercise: split_heads
# file: multihead.py
def split_heads(x, num_heads):
    B, L, D = x.shape
    return x.reshape(B, L, num_heads, D // num_heads).permute(0, 2, 1, 3)


def combine_heads(x):
    B, h, L, d_k = x.shape
    return x.permute(0, 2, 1, 3).contiguous().view(B, L, h * d_k)
