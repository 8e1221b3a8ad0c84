# exercise: DecoderLayer
# mistake: decoder_pre_ln
# source: https://github.com/Nabi0-0/Transformer-translation/blob/af20318a7479ebd455039e31b16cb29f4bf1bf61/MODELS/residual_layer_norm.py
# kind: homework
# bug: ResidualConnection.forward returns x + dropout(sublayer(norm(x))): every sublayer of the decoder gets a normalised input and the sum is never normalised (Pre-LN)
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
        n = self.norm1(x)
        x = x + self.dropout(self.self_attn(n, n, n, tgt_mask))
        n = self.norm2(x)
        x = x + self.dropout(self.cross_attn(n, memory, memory, memory_mask))
        return x + self.dropout(self.feed_forward(self.norm3(x)))
