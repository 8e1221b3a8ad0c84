# exercise: MultiHeadAttention
# diagnosis: dropout_missing
# source: https://github.com/ZZZZ-HH/YiDong-KuaiRand/blob/93cc1c9fc53f99a6c2d2fdccf6a206a31f6d1f97/TransformerEncoder/Multi_Head_Self_Attention.py
# kind: homework
# bug: the self-attention has no nn.Dropout: softmax(scores) goes straight into the product with the values, in train mode as in eval mode
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
        b, lq, _ = query.shape
        lk = key.shape[1]
        queries = self.w_q(query).view(b, lq, self.num_heads, self.d_k).transpose(1, 2)
        keys = self.w_k(key).view(b, lk, self.num_heads, self.d_k).transpose(1, 2)
        values = self.w_v(value).view(b, lk, self.num_heads, self.d_k).transpose(1, 2)
        scores = torch.matmul(queries, keys.transpose(-2, -1)) / math.sqrt(self.d_k)
        attention_weights = masked_softmax(scores, mask, dim=-1)
        output = torch.matmul(attention_weights, values)
        output = output.transpose(1, 2).contiguous().view(b, lq, self.d_model)
        return self.w_o(output)
