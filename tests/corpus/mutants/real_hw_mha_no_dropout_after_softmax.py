# exercise: MultiHeadAttention
# diagnosis: dropout_missing
# source: https://github.com/ctmeeeee/Transformer-from-scratch/blob/74d632debc26ea8f74040ce31854b5573271e2d5/model/multihead_attention.py
# kind: homework
# bug: MultiheadAttention(d_model, n_heads) takes no dropout and its ScaledDotProductAttention() drops nothing: the attention weights are never dropped in train mode
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
        q, k, v = self.w_q(query), self.w_k(key), self.w_v(value)
        q, k, v = split_heads(q, self.num_heads), split_heads(k, self.num_heads), split_heads(v, self.num_heads)
        score = (q @ k.transpose(2, 3)) / math.sqrt(self.d_k)
        out = masked_softmax(score, mask, dim=-1) @ v
        return self.w_o(combine_heads(out))
