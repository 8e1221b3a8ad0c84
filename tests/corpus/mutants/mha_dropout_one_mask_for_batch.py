# exercise: MultiHeadAttention
# diagnosis: dropout_dependent.rows
# source: invented (one dropout mask drawn for a single sequence, (h, Lq, Lk), and broadcast over the batch: every sequence loses the same attention weights)
# reported: not reported; invented
# file: multihead.py
class MultiHeadAttention(nn.Module):
    def __init__(self, d_model, num_heads, dropout=0.0):
        super().__init__()
        if d_model % num_heads != 0:
            raise ValueError(f"d_model={d_model} is not divisible by num_heads={num_heads}")
        self.d_model = d_model
        self.num_heads = num_heads
        self.d_k = d_model // num_heads
        self.p = dropout
        self.w_q = nn.Linear(d_model, d_model)
        self.w_k = nn.Linear(d_model, d_model)
        self.w_v = nn.Linear(d_model, d_model)
        self.w_o = nn.Linear(d_model, d_model)

    def forward(self, query, key, value, mask=None):
        q = split_heads(self.w_q(query), self.num_heads)
        k = split_heads(self.w_k(key), self.num_heads)
        v = split_heads(self.w_v(value), self.num_heads)
        scores = q @ k.transpose(-2, -1) / self.d_k ** 0.5
        weights = masked_softmax(scores, mask, dim=-1)
        if self.training and self.p > 0:
            keep = torch.rand(weights.shape[1:], device=weights.device) >= self.p  # (h, Lq, Lk): one for the batch
            weights = weights * keep / (1 - self.p)
        heads = weights @ v
        return self.w_o(combine_heads(heads))
