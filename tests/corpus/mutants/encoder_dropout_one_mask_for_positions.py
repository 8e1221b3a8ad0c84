# exercise: EncoderLayer
# diagnosis: dropout_dependent.positions
# source: invented (the sublayer dropout mask drawn over the d_model features only and broadcast over the batch and positions: every position loses the same features)
# reported: not reported; invented
# file: layers.py
class EncoderLayer(nn.Module):
    def __init__(self, d_model, num_heads, d_ff, dropout=0.0):
        super().__init__()
        self.self_attn = MultiHeadAttention(d_model, num_heads, dropout)
        self.feed_forward = PositionwiseFeedForward(d_model, d_ff, dropout)
        self.norm1 = nn.LayerNorm(d_model)
        self.norm2 = nn.LayerNorm(d_model)
        self.p = dropout

    def drop(self, y):
        if not self.training or self.p == 0:
            return y
        keep = torch.rand(y.shape[-1], device=y.device) >= self.p  # (d_model,), shared by every position
        return y * keep / (1 - self.p)

    def forward(self, x, mask=None):
        x = self.norm1(x + self.drop(self.self_attn(x, x, x, mask)))
        return self.norm2(x + self.drop(self.feed_forward(x)))
