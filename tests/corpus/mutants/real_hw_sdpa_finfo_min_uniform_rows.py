# exercise: scaled_dot_product_attention
# diagnosis: fully_masked_rows
# source: https://github.com/ThanThor1/BaiTapLonNLPNhom3/blob/e37f15026b3ccae772232048d6baf7820906028f/Bài1/model/ScaledDotProductAttention.py
# kind: homework
# bug: scores.masked_fill(~mask, finfo.min) then F.softmax with no zeroing afterwards: a row whose every key is masked comes out uniform instead of all zeros
# file: attention.py
import torch.nn.functional as F


def scaled_dot_product_attention(q, k, v, mask=None):
    d_head = q.size(-1)
    scores = torch.matmul(q, k.transpose(-2, -1)) / math.sqrt(d_head)
    if mask is not None:
        if mask.dtype != torch.bool:
            mask = mask.to(torch.bool)
        scores = scores.masked_fill(~mask, torch.finfo(scores.dtype).min)
    attn_weights = F.softmax(scores, dim=-1)
    return torch.matmul(attn_weights, v), attn_weights
