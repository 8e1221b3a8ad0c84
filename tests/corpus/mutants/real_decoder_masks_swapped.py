# exercise: DecoderLayer
# diagnosis: decoder_masks
# source: https://github.com/keitakurita/Practical_NLP_in_PyTorch/issues/1 (keitakurita/Practical_NLP_in_PyTorch#1)
# reported: in the DecoderBlock quoted in the issue the masked self-attention was given src_mask and the attention over the encoder side was given tgt_mask
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
        x = self.norm1(x + self.dropout(self.self_attn(x, x, x, memory_mask)))
        x = self.norm2(x + self.dropout(self.cross_attn(x, memory, memory, tgt_mask)))
        return self.norm3(x + self.dropout(self.feed_forward(x)))
