# exercise: masked_softmax
# diagnosis: mask_not_zeroing
# source: https://github.com/NTMC-Community/MatchZoo-py/issues/163 (NTMC-Community/MatchZoo-py#163)
# reported: the attention module filled the masked similarities with -1e-7 before the softmax; the reporter asked whether it should be -1e7, since a tiny negative number leaves the masked positions with about the same weight as a zero score
# file: attention.py
def masked_softmax(scores, mask=None, dim=-1):
    if mask is None:
        return torch.softmax(scores, dim=dim)
    return torch.softmax(scores.masked_fill(~mask, -1e-7), dim=dim)
