# exercise: masked_softmax
# diagnosis: softmax_axis
# source: https://github.com/jadore801120/attention-is-all-you-need-pytorch/issues/52 (jadore801120/attention-is-all-you-need-pytorch#52)
# reported: the attention softmax was nn.Softmax() without dim; for the 3-D (n_head*batch, len_q, len_k) scores PyTorch's implicit choice is dim 0, not the key axis
# file: attention.py
def masked_softmax(scores, mask=None, dim=-1):
    if mask is not None:
        scores = scores.masked_fill(~mask, torch.finfo(scores.dtype).min)
    weights = torch.nn.Softmax()(scores)
    return weights if mask is None else weights.masked_fill(~mask, 0.0)
