# exercise: split_heads
# mistake: split_heads_reshape_without_transpose
# diagnosis: head_layout
# source: https://github.com/reczoo/FuxiCTR/issues/30 (reczoo/FuxiCTR#30)
# reported: the heads were split with query.view(batch_size * num_heads, -1, attention_dim) without the view to (batch, seq_len, heads, dim) and transpose(1, 2), so each "head" gets a slab of consecutive positions' features
# file: multihead.py
def split_heads(x, num_heads):
    B, L, d_model = x.shape
    return x.view(B, num_heads, -1, d_model // num_heads)
