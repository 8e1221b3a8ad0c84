# exercise: DecoderLayer
# mistake: cross_attention_roles_swapped
# diagnosis: qkv_roles
# source: https://github.com/rexrex9/nlp_torchtext/pull/2 (rexrex9/nlp_torchtext#2)
# reported: the decoder computed the Q matrix of its encoder-decoder attention from the encoder output; K and V should come from the encoder output and Q from the decoder
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
        x = self.norm2(x + self.dropout(self.cross_attn(memory, x, x, memory_mask)))
        return self.norm3(x + self.dropout(self.feed_forward(x)))
