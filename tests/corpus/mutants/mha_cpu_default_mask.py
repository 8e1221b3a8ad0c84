# exercise: MultiHeadAttention
# diagnosis: default_device
# file: multihead.py
class MultiHeadAttention(nn.Module):
    def __init__(self, d_model, num_heads, dropout=0.0):
        super().__init__()
        if d_model % num_heads != 0:
            raise ValueError("indivisible")
        self.d_model = d_model
        self.num_heads = num_heads
        self.d_k = d_model // num_heads
        self.p = dropout
        self.w_q = nn.Linear(d_model, d_model)
        self.w_k = nn.Linear(d_model, d_model)
        self.w_v = nn.Linear(d_model, d_model)
        self.w_o = nn.Linear(d_model, d_model)
        self.dropout = nn.Dropout(dropout)

    def forward(self, query, key, value, mask=None):
        if mask is None:
            mask = torch.ones(query.shape[1], key.shape[1], dtype=torch.bool)  # always on the CPU
        q = split_heads(self.w_q(query), self.num_heads)
        k = split_heads(self.w_k(key), self.num_heads)
        v = split_heads(self.w_v(value), self.num_heads)
        scores = q @ k.transpose(-2, -1) / self.d_k ** 0.5
        weights = self.dropout(masked_softmax(scores, mask, dim=-1))
        heads = weights @ v
        return self.w_o(combine_heads(heads))
