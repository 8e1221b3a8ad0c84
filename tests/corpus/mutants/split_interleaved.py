# exercise: split_heads
# mistake: split_heads_interleaved
# file: multihead.py
def split_heads(x, num_heads):
    B, L, d_model = x.shape
    return x.view(B, L, d_model // num_heads, num_heads).permute(0, 3, 1, 2)
