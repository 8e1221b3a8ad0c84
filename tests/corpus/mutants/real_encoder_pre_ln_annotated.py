# exercise: EncoderLayer
# mistake: pre_ln_instead_of_post_ln
# diagnosis: not_post_ln
# source: https://github.com/harvardnlp/annotated-transformer/issues/13 (harvardnlp/annotated-transformer#13; also #1 and #100)
# reported: the Annotated Transformer's SublayerConnection returns x + dropout(sublayer(norm(x))) (norm first, "for code simplicity") while the text and the paper say LayerNorm(x + Sublayer(x))
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
        h = self.norm1(x)
        x = x + self.dropout(self.self_attn(h, h, h, mask))
        return x + self.dropout(self.feed_forward(self.norm2(x)))
