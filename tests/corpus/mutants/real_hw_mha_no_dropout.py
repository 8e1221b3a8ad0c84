# exercise: MultiHeadAttention
# diagnosis: dropout_missing
# source: https://github.com/RunpengJ/UCSD_CSE256/blob/0fde815caa42b1fd33e3af4346694069c8048953/CSE256_PA2_FA24/PA2_code/attention.py
# kind: homework
# bug: the CSE256 PA2 attention never drops out its weights: the softmax goes straight into the product with V, so train and eval mode agree
# file: multihead.py
import math


class MultiHeadAttention(nn.Module):
    def __init__(self, d_model, num_heads, dropout=0.0):
        super().__init__()
        if d_model % num_heads != 0:
            raise ValueError("d_model must be divisible by num_heads")
        self.d_model = d_model
        self.num_heads = num_heads
        self.d_k = d_model // num_heads
        self.w_q = nn.Linear(d_model, d_model)
        self.w_k = nn.Linear(d_model, d_model)
        self.w_v = nn.Linear(d_model, d_model)
        self.w_o = nn.Linear(d_model, d_model)

    def forward(self, query, key, value, mask=None):
        q = split_heads(self.w_q(query), self.num_heads)
        k = split_heads(self.w_k(key), self.num_heads)
        v = split_heads(self.w_v(value), self.num_heads)
        scores = torch.matmul(q, k.transpose(-1, -2)) / math.sqrt(self.d_k)
        attention_weights = masked_softmax(scores, mask, dim=-1)
        return self.w_o(combine_heads(torch.matmul(attention_weights, v)))
