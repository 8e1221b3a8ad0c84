# exercise: EncoderLayer
# mistake: pre_ln_instead_of_post_ln
# source: https://github.com/ThanThor1/BaiTapLonNLPNhom3/blob/e37f15026b3ccae772232048d6baf7820906028f/Bài1/model/NormAndAdd.py
# kind: homework
# bug: the group homework's NormAndAdd normalises the sublayer's input and adds the raw x back (x + dropout(sublayer(norm(x)))): Pre-LN where the contract asks for norm(x + sublayer(x))
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
        norm_x = self.norm1(x)
        x = x + self.dropout(self.self_attn(norm_x, norm_x, norm_x, mask))
        return x + self.dropout(self.feed_forward(self.norm2(x)))
