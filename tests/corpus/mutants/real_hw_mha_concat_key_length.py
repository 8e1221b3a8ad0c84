# exercise: MultiHeadAttention
# source: https://github.com/RunpengJ/UCSD_CSE256/blob/0fde815caa42b1fd33e3af4346694069c8048953/CSE256_PA2_FA24/PA2_code/attention.py
# kind: homework
# bug: the heads are joined with attention.view(batch_size, seq_length, d_model) where seq_length = key.size(1): wrong (a view error) as soon as the queries and the keys differ in length
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
        self.dropout = nn.Dropout(dropout)

    def forward(self, query, key, value, mask=None):
        batch_size, seq_length = key.size(0), key.size(1)
        q = split_heads(self.w_q(query), self.num_heads)
        k = split_heads(self.w_k(key), self.num_heads)
        v = split_heads(self.w_v(value), self.num_heads)
        scaled_scores = torch.matmul(q, k.transpose(-1, -2)) / math.sqrt(self.d_k)
        attention_weights = self.dropout(masked_softmax(scaled_scores, mask, dim=-1))
        attention = torch.matmul(attention_weights, v).transpose(1, 2).contiguous()
        return self.w_o(attention.view(batch_size, seq_length, self.d_model))
