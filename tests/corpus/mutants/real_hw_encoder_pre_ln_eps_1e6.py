# exercise: EncoderLayer
# mistake: pre_ln_instead_of_post_ln
# source: https://github.com/quanvparadium/Machine-Translation-System/blob/a2c09ca5742888dd42ae0386a06f5be689a25831/model/encoder.py
# kind: homework
# bug: x_1 = layer_norm_1(x); x = x + drop_out_1(attention(x_1, x_1, x_1)): the encoder layer normalises before each sublayer (Pre-LN), the contract after the residual add
# file: layers.py
class EncoderLayer(nn.Module):
    def __init__(self, d_model, num_heads, d_ff, dropout=0.0):
        super().__init__()
        self.self_attn = MultiHeadAttention(d_model, num_heads, dropout)
        self.feed_forward = PositionwiseFeedForward(d_model, d_ff, dropout)
        self.dropout = nn.Dropout(dropout)
        self.norm1 = nn.LayerNorm(d_model)
        self.norm2 = nn.LayerNorm(d_model)

    def forward(self, x, mask=None):
        x_1 = self.norm1(x)
        x = x + self.dropout(self.self_attn(x_1, x_1, x_1, mask))
        x_2 = self.norm2(x)
        return x + self.dropout(self.feed_forward(x_2))
