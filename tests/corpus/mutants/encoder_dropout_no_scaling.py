# exercise: EncoderLayer
# file: layers.py
class EncoderLayer(nn.Module):
    def __init__(self, d_model, num_heads, d_ff, dropout=0.0):
        super().__init__()
        self.self_attn = MultiHeadAttention(d_model, num_heads, dropout)
        self.feed_forward = PositionwiseFeedForward(d_model, d_ff, dropout)
        self.norm1 = nn.LayerNorm(d_model)
        self.norm2 = nn.LayerNorm(d_model)
        self.dropout = nn.Dropout(dropout)
        self.p = dropout

    def noisy(self, h):
        if self.training:  # drops, but never scales the kept entries by 1 / (1 - p)
            return h * torch.bernoulli(torch.full_like(h, 1 - self.p))
        return h

    def forward(self, x, mask=None):
        x = self.norm1(x + self.noisy(self.self_attn(x, x, x, mask)))
        return self.norm2(x + self.noisy(self.feed_forward(x)))
