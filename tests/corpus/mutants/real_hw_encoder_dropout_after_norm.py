# exercise: EncoderLayer
# diagnosis: dropout_location
# source: https://github.com/RunpengJ/UCSD_CSE256/blob/04513af7395f765279aa6f73e00e4552f61cde70/CSE256_PA2_FA24/PA2_code/transformer.py
# kind: homework
# bug: the CSE256 PA2 block drops out the LayerNorm's output (dropout1(norm1(attn + x))) instead of the sublayer's output before the residual add
# file: layers.py
class EncoderLayer(nn.Module):
    def __init__(self, d_model, num_heads, d_ff, dropout=0.0):
        super().__init__()
        self.self_attn = MultiHeadAttention(d_model, num_heads, dropout)
        self.feed_forward = PositionwiseFeedForward(d_model, d_ff, dropout)
        self.norm1 = nn.LayerNorm(d_model)
        self.norm2 = nn.LayerNorm(d_model)
        self.dropout1 = nn.Dropout(p=dropout)
        self.dropout2 = nn.Dropout(p=dropout)

    def forward(self, x, mask=None):
        attentions = self.self_attn(x, x, x, mask)
        attentions_drop1 = self.dropout1(self.norm1(attentions + x))
        attentions_ff = self.feed_forward(attentions_drop1)
        return self.dropout2(self.norm2(attentions_drop1 + attentions_ff))
