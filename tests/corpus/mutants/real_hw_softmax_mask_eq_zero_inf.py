# exercise: masked_softmax
# mistake: fully_masked_rows_nan
# source: https://github.com/ZZZZ-HH/YiDong-KuaiRand/blob/93cc1c9fc53f99a6c2d2fdccf6a206a31f6d1f97/TransformerEncoder/Multi_Head_Self_Attention.py
# kind: homework
# bug: scores.masked_fill(mask == 0, float('-inf')) then F.softmax: correct where a row keeps a position, NaN where every position of the row is masked
# file: attention.py
import torch.nn.functional as F


def masked_softmax(scores, mask=None, dim=-1):
    if mask is not None:
        scores = scores.masked_fill(mask == 0, float("-inf"))
    return F.softmax(scores, dim=dim)
