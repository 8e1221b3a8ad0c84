# exercise: EncoderLayer
# diagnosis: not_post_ln
# source: https://github.com/Howuhh/faster-trajectory-transformer/issues/3 (Howuhh/faster-trajectory-transformer#3; same form in lbcb-sci/RiNALMo#9)
# reported: the pre-norm block computed norm_x = norm(x); norm_x + attn(norm_x), using the normalised x as the residual instead of the raw input
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
        norm_x = self.norm1(x)
        x = norm_x + self.dropout(self.self_attn(norm_x, norm_x, norm_x, mask))
        return x + self.dropout(self.feed_forward(self.norm2(x)))
