# exercise: DecoderLayer
# mistake: decoder_pre_ln
# source: https://github.com/ThanThor1/BaiTapLonNLPNhom3/blob/e37f15026b3ccae772232048d6baf7820906028f/Bài1/model/DecoderLayer.py
# kind: homework
# bug: the decoder wraps each sublayer in the same NormAndAdd (x + dropout(sublayer(norm(x)))), so each norm acts before its sublayer (Pre-LN)
# file: layers.py
class DecoderLayer(nn.Module):
    def __init__(self, d_model, num_heads, d_ff, dropout=0.0):
        super().__init__()
        self.self_attn = MultiHeadAttention(d_model, num_heads, dropout)
        self.cross_attn = MultiHeadAttention(d_model, num_heads, dropout)
        self.feed_forward = PositionwiseFeedForward(d_model, d_ff, dropout)
        self.dropout = nn.Dropout(dropout)
        self.norm1 = nn.LayerNorm(d_model)
        self.norm2 = nn.LayerNorm(d_model)
        self.norm3 = nn.LayerNorm(d_model)

    def forward(self, x, memory, tgt_mask=None, memory_mask=None):
        u = self.norm1(x)
        x = x + self.dropout(self.self_attn(u, u, u, tgt_mask))
        u = self.norm2(x)
        x = x + self.dropout(self.cross_attn(u, memory, memory, memory_mask))
        return x + self.dropout(self.feed_forward(self.norm3(x)))
