# exercise: MultiHeadAttention
# file: multihead.py
class MultiHeadAttention(nn.Module):
    """Attention computed by torch.nn.attention.flex_attention: the mask goes in as a score_mod (issue 22)."""

    def __init__(self, d_model, num_heads, dropout=0.0):
        super().__init__()
        if d_model % num_heads != 0:
            raise ValueError(f"d_model={d_model} is not divisible by num_heads={num_heads}")
        self.num_heads = num_heads
        self.w_q = nn.Linear(d_model, d_model)
        self.w_k = nn.Linear(d_model, d_model)
        self.w_v = nn.Linear(d_model, d_model)
        self.w_o = nn.Linear(d_model, d_model)
        self.dropout = nn.Dropout(dropout)

    def forward(self, query, key, value, mask=None):
        from torch.nn.attention.flex_attention import flex_attention

        q = split_heads(self.w_q(query), self.num_heads)  # (B, h, Lq, d_k)
        k = split_heads(self.w_k(key), self.num_heads)  # (B, h, Lk, d_k)
        v = split_heads(self.w_v(value), self.num_heads)
        if mask is None:
            out = flex_attention(q, k, v)
        else:
            full = mask.expand(q.shape[0], 1, q.shape[2], k.shape[2])  # (B, 1, Lq, Lk)

            def keep(score, b, h, q_idx, kv_idx):
                return torch.where(full[b, 0, q_idx, kv_idx], score, -float("inf"))

            out = flex_attention(q, k, v, score_mod=keep)
        return self.w_o(combine_heads(out))  # (B, Lq, d_model)
