# exercise: MultiHeadAttention
# mistake: scaled_by_sqrt_d_model
# diagnosis: scale_factor
# source: https://github.com/omihub777/ViT-CIFAR/pull/11 (omihub777/ViT-CIFAR#11, closes #9; same form in chelsea0x3b/dfdx#171 and brightmart/bert_language_understanding#9)
# reported: MultiHeadSelfAttention divided the scores by sqrt(feats), the full embedding width, instead of sqrt(feats // head), the per-head width
# file: multihead.py
class MultiHeadAttention(nn.Module):
    def __init__(self, d_model, num_heads, dropout=0.0):
        super().__init__()
        if d_model % num_heads != 0:
            raise ValueError(f"d_model={d_model} is not divisible by num_heads={num_heads}")
        self.d_model = d_model
        self.num_heads = num_heads
        self.d_k = d_model // num_heads
        self.sqrt_d = d_model**0.5
        self.w_q = nn.Linear(d_model, d_model)
        self.w_k = nn.Linear(d_model, d_model)
        self.w_v = nn.Linear(d_model, d_model)
        self.w_o = nn.Linear(d_model, d_model)
        self.dropout = nn.Dropout(dropout)

    def forward(self, query, key, value, mask=None):
        q = split_heads(self.w_q(query), self.num_heads)
        k = split_heads(self.w_k(key), self.num_heads)
        v = split_heads(self.w_v(value), self.num_heads)
        scores = q @ k.transpose(-2, -1) / self.sqrt_d
        weights = self.dropout(masked_softmax(scores, mask, dim=-1))
        heads = weights @ v
        return self.w_o(combine_heads(heads))
