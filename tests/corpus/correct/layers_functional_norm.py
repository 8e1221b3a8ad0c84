# exercise: EncoderLayer
# file: layers.py
import torch.nn.functional as F


class EncoderLayer(nn.Module):
    def __init__(self, d_model, num_heads, d_ff, dropout=0.0):
        super().__init__()
        self.self_attn = MultiHeadAttention(d_model, num_heads, dropout)
        self.feed_forward = PositionwiseFeedForward(d_model, d_ff, dropout)
        self.norm1 = nn.LayerNorm(d_model)
        self.norm2 = nn.LayerNorm(d_model)
        self.p = dropout

    def _norm(self, norm, x):
        return F.layer_norm(x, norm.normalized_shape, norm.weight, norm.bias, norm.eps)

    def forward(self, x, mask=None):
        attn = F.dropout(self.self_attn(x, x, x, mask), self.p, self.training)
        x = self._norm(self.norm1, x + attn)
        ff = F.dropout(self.feed_forward(x), self.p, self.training)
        return self._norm(self.norm2, x + ff)
