# exercise: EncoderLayer
# diagnosis: not_post_ln
# source: https://github.com/harvardnlp/annotated-transformer/issues/110 (harvardnlp/annotated-transformer#110)
# reported: the reporter called SublayerConnection incorrect and proposed as the "correct" version x + dropout(norm(sublayer(x))), which normalises only the sublayer output and leaves the residual sum unnormalised
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
        x = x + self.dropout(self.norm1(self.self_attn(x, x, x, mask)))
        return x + self.dropout(self.norm2(self.feed_forward(x)))
