# exercise: DecoderLayer
# mistake: target_mask_used_for_memory
# diagnosis: decoder_masks
# source: https://github.com/keras-team/keras-io/pull/1046 (keras-team/keras-io#1046; same slip in Kamichanw/SeekDeeper#3)
# reported: the decoder never received the source mask; its attention over the encoder outputs was given a mask derived from the target sequence
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
        x = self.norm1(x + self.dropout(self.self_attn(x, x, x, tgt_mask)))
        x = self.norm2(x + self.dropout(self.cross_attn(x, memory, memory, tgt_mask)))
        return self.norm3(x + self.dropout(self.feed_forward(x)))
