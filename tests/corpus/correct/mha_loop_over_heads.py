# exercise: MultiHeadAttention
# file: multihead.py
import math


class MultiHeadAttention(nn.Module):
    def __init__(self, d_model, num_heads, dropout=0.0):
        super().__init__()
        if d_model % num_heads:
            raise ValueError(f"d_model={d_model} is not divisible by num_heads={num_heads}")
        self.h = num_heads
        self.d_k = d_model // num_heads
        self.w_q = nn.Linear(d_model, d_model)
        self.w_k = nn.Linear(d_model, d_model)
        self.w_v = nn.Linear(d_model, d_model)
        self.w_o = nn.Linear(d_model, d_model)
        self.attn_dropout = nn.Dropout(dropout)

    def forward(self, query, key, value, mask=None):
        q, k, v = self.w_q(query), self.w_k(key), self.w_v(value)
        heads = []
        for i in range(self.h):
            part = slice(i * self.d_k, (i + 1) * self.d_k)
            m = None
            if mask is not None:
                m = mask[:, 0] if mask.dim() == 4 and mask.size(1) == 1 else mask
                if mask.dim() == 4 and mask.size(1) != 1:
                    m = mask[:, i]
            scores = q[..., part] @ k[..., part].transpose(-2, -1) / math.sqrt(self.d_k)
            weights = self.attn_dropout(masked_softmax(scores, m))
            heads.append(weights @ v[..., part])
        return self.w_o(torch.cat(heads, dim=-1))
