# exercise: DecoderLayer
# mistake: decoder_pre_ln
# diagnosis: not_post_ln
# source: https://github.com/hkproj/pytorch-transformer/issues/29 (hkproj/pytorch-transformer#29)
# reported: the residual connection used by every decoder sublayer was x + sublayer(norm(x)), while the paper (add & norm) is norm(x + sublayer(x))
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
        h = self.norm1(x)
        x = x + self.dropout(self.self_attn(h, h, h, tgt_mask))
        h = self.norm2(x)
        x = x + self.dropout(self.cross_attn(h, memory, memory, memory_mask))
        return x + self.dropout(self.feed_forward(self.norm3(x)))
