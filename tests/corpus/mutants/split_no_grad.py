# exercise: split_heads
# diagnosis: gradient_blocked
# file: multihead.py
def split_heads(x, num_heads):
    B, L, d_model = x.shape
    with torch.no_grad():
        return x.view(B, L, num_heads, d_model // num_heads).transpose(1, 2)
