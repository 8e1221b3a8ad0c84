# exercise: combine_heads
# diagnosis: head_layout
# source: https://github.com/jadore801120/attention-is-all-you-need-pytorch/issues/7 (jadore801120/attention-is-all-you-need-pytorch#7; same form in hackiey/QAnet-pytorch#2)
# reported: the heads were kept head-major as (n_head * batch, len_q, d_v) and restored with outputs.view(mb_size, len_q, -1), which is not the concatenation of the heads per position
# file: multihead.py
def combine_heads(x):
    B, h, L, d_k = x.shape
    outputs = x.transpose(0, 1).reshape(h * B, L, d_k)  # (n_head * batch, len_q, d_v), as the code held the heads
    return outputs.view(B, L, -1)
