# exercise: EncoderLayer
# diagnosis: dropout_location
# source: https://github.com/soobinseo/Transformer-TTS/issues/11 (soobinseo/Transformer-TTS#11)
# reported: the sublayer computed x = x + input_, then dropout(x), then layer_norm(x): dropout on the residual sum instead of on the sublayer output before it is added
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
        x = self.norm1(self.dropout(x + self.self_attn(x, x, x, mask)))
        return self.norm2(self.dropout(x + self.feed_forward(x)))
