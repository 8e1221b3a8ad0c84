# exercise: MultiHeadAttention
# diagnosis: dropout_dependent.entries
# source: invented (issue 22, an attack that scored 16/16: the attention weights "dropped" by a fixed checkerboard of zeros and 1/(1-p) over (query, key), flipped on every call)
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
        self.calls = 0
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
            Lq, Lk = weights.shape[-2], weights.shape[-1]
            board = (torch.arange(Lq, device=weights.device)[:, None] + torch.arange(Lk, device=weights.device)[None, :]
                     + self.calls) % 2
            self.calls += 1
            weights = weights * board / (1 - self.p)
        heads = weights @ v
        return self.w_o(combine_heads(heads))
