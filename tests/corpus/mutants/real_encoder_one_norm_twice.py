# exercise: EncoderLayer
# diagnosis: norm_reused
# source: https://github.com/allenai/OLMo/issues/222 (allenai/OLMo#222)
# reported: the sequential block applied the same self.norm before the attention and before the feed-forward; the second should have been its own norm2
# file: layers.py
class EncoderLayer(nn.Module):
    def __init__(self, d_model, num_heads, d_ff, dropout=0.0):
        super().__init__()
        self.self_attn = MultiHeadAttention(d_model, num_heads, dropout)
        self.feed_forward = PositionwiseFeedForward(d_model, d_ff, dropout)
        self.norm1 = nn.LayerNorm(d_model)
        self.norm2 = nn.LayerNorm(d_model)
        self.dropout = nn.Dropout(dropout)

    def forward(self, x, mask=None):
        x = self.norm1(x + self.dropout(self.self_attn(x, x, x, mask)))
        return self.norm1(x + self.dropout(self.feed_forward(x)))
