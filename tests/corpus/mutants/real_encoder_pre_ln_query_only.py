# exercise: EncoderLayer
# diagnosis: not_post_ln
# source: https://github.com/jadore801120/attention-is-all-you-need-pytorch/issues/142 (jadore801120/attention-is-all-you-need-pytorch#142; same form fixed in tier4/Diffusion-Planner#239)
# reported: MultiHeadAttention.forward layer-normalised only q at its start (residual = q; q = layer_norm(q)), keys and values went in unnormalised, and the residual sum was never normalised
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
        x = x + self.dropout(self.self_attn(self.norm1(x), x, x, mask))
        return x + self.dropout(self.feed_forward(self.norm2(x)))
