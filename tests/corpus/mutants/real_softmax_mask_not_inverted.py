# exercise: masked_softmax
# diagnosis: mask_inverted
# source: https://github.com/lucidrains/halonet-pytorch/issues/4 (lucidrains/halonet-pytorch#4, fixed by #6)
# reported: the mask was True on the valid positions, but it was passed unchanged to masked_fill_(mask, -finfo.max), which fills where the mask is True, so the valid positions were pushed to -inf and the attention went to the padding
# file: attention.py
def masked_softmax(scores, mask=None, dim=-1):
    if mask is None:
        return torch.softmax(scores, dim=dim)
    max_neg_value = -torch.finfo(scores.dtype).max
    return torch.softmax(scores.masked_fill(mask, max_neg_value), dim=dim)
