# exercise: EncoderLayer
# diagnosis: mask_ignored
# source: https://github.com/facebookresearch/fairseq/issues/1339 (facebookresearch/fairseq#1339; again in #1682)
# reported: TransformerEncoderLayer prepared attn_mask but never passed it to self_attn, so the mask had no effect (maintainer: a bug, harmless only because the argument is rarely given)
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
        if mask is not None:
            attn_mask = mask  # prepared ...
        x = self.norm1(x + self.dropout(self.self_attn(x, x, x)))  # ... but not passed on
        return self.norm2(x + self.dropout(self.feed_forward(x)))
