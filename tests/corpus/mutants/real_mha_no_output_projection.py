# exercise: MultiHeadAttention
# mistake: missing_output_projection
# diagnosis: unused_parameter
# source: https://github.com/hyunwoongko/transformer/blob/10c0a9d72672c558964c8a8ec518ef2b93144ca3/models/layers/multi_head_attention.py (hyunwoongko/transformer, early version)
# reported: MultiHeadAttention projected q, k, v, attended and concatenated the heads, and returned the concatenation; there was no output projection W_O at all
# file: multihead.py
class MultiHeadAttention(nn.Module):
    def __init__(self, d_model, num_heads, dropout=0.0):
        super().__init__()
        if d_model % num_heads != 0:
            raise ValueError(f"d_model={d_model} is not divisible by num_heads={num_heads}")
        self.d_model = d_model
        self.num_heads = num_heads
        self.d_k = d_model // num_heads
        self.w_q = nn.Linear(d_model, d_model)
        self.w_k = nn.Linear(d_model, d_model)
        self.w_v = nn.Linear(d_model, d_model)
        self.w_o = nn.Linear(d_model, d_model)
        self.dropout = nn.Dropout(dropout)

    def forward(self, query, key, value, mask=None):
        q, k, v = self.w_q(query), self.w_k(key), self.w_v(value)
        q, k, v = split_heads(q, self.num_heads), split_heads(k, self.num_heads), split_heads(v, self.num_heads)
        scores = q @ k.transpose(-2, -1) / self.d_k**0.5
        weights = self.dropout(masked_softmax(scores, mask, dim=-1))
        return combine_heads(weights @ v)
