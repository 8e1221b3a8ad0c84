# exercise: scaled_dot_product_attention
# diagnosis: fully_masked_rows
# source: https://github.com/RunpengJ/UCSD_CSE256/blob/0fde815caa42b1fd33e3af4346694069c8048953/CSE256_PA2_FA24/PA2_code/attention.py
# kind: homework
# bug: the CSE256 PA2 attention fills masked scores with float("-inf") (masked_fill(mask == 0, ...)) and calls F.softmax: a row with every key masked becomes NaN
# file: attention.py
import torch.nn.functional as F


def scaled_dot_product_attention(q, k, v, mask=None):
    scaled_scores = torch.matmul(q, k.transpose(-1, -2)) / math.sqrt(q.size(-1))
    if mask is not None:
        scaled_scores = scaled_scores.masked_fill(mask == 0, float("-inf"))
    attention_weights = F.softmax(scaled_scores, dim=-1)
    return torch.matmul(attention_weights, v), attention_weights
