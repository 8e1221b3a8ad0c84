# exercise: masked_softmax
# diagnosis: mask_not_zeroing
# source: https://github.com/georg-wolflein/good-features/pull/1 (georg-wolflein/good-features#1)
# reported: the masked attention multiplied the scores by the binary mask before the softmax; a masked score becomes 0, and the softmax still gives it weight exp(0)
# file: attention.py
def masked_softmax(scores, mask=None, dim=-1):
    if mask is None:
        return torch.softmax(scores, dim=dim)
    return torch.softmax(scores * mask, dim=dim)
