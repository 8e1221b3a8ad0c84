# exercise: EncoderLayer
# diagnosis: layer_norm_variant
# source: https://github.com/quanvparadium/Machine-Translation-System/blob/a2c09ca5742888dd42ae0386a06f5be689a25831/model/layer_norm.py
# kind: homework
# bug: every norm is LayerNormalization(d_model) = nn.LayerNorm(d_model, eps=1e-6) where the contract's is nn.LayerNorm(d_model) (eps=1e-5)
# file: layers.py
class EncoderLayer(nn.Module):
    def __init__(self, d_model, num_heads, d_ff, dropout=0.0):
        super().__init__()
        self.self_attn = MultiHeadAttention(d_model, num_heads, dropout)
        self.feed_forward = PositionwiseFeedForward(d_model, d_ff, dropout)
        self.dropout = nn.Dropout(dropout)
        self.norm1 = nn.LayerNorm(d_model, eps=1e-6)
        self.norm2 = nn.LayerNorm(d_model, eps=1e-6)

    def forward(self, x, mask=None):
        x = self.norm1(x + self.dropout(self.self_attn(x, x, x, mask)))
        return self.norm2(x + self.dropout(self.feed_forward(x)))
