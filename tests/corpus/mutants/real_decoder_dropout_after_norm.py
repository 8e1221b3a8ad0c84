# exercise: DecoderLayer
# diagnosis: dropout_location
# source: https://github.com/hyunwoongko/transformer/issues/8 (hyunwoongko/transformer#8; code: models/blocks/decoder_layer.py at 044ba338ac5fe21a8631aaa60313dc1cf52fda96)
# reported: each sublayer did norm(x + sublayer(x)) and only then dropout, but the paper applies dropout to the sublayer output before it is added and normalised
# file: layers.py
class DecoderLayer(nn.Module):
    def __init__(self, d_model, num_heads, d_ff, dropout=0.0):
        super().__init__()
        self.self_attn = MultiHeadAttention(d_model, num_heads, dropout)
        self.cross_attn = MultiHeadAttention(d_model, num_heads, dropout)
        self.feed_forward = PositionwiseFeedForward(d_model, d_ff, dropout)
        self.norm1 = nn.LayerNorm(d_model)
        self.norm2 = nn.LayerNorm(d_model)
        self.norm3 = nn.LayerNorm(d_model)
        self.dropout = nn.Dropout(dropout)

    def forward(self, x, memory, tgt_mask=None, memory_mask=None):
        x = self.dropout(self.norm1(x + self.self_attn(x, x, x, tgt_mask)))
        x = self.dropout(self.norm2(x + self.cross_attn(x, memory, memory, memory_mask)))
        return self.dropout(self.norm3(x + self.feed_forward(x)))
