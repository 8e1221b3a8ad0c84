# exercise: EncoderLayer
# diagnosis: not_post_ln
# source: https://github.com/jadore801120/attention-is-all-you-need-pytorch/pull/17 (jadore801120/attention-is-all-you-need-pytorch#17)
# reported: the hand-written LayerNormalization took mean and std over dim 1 of a (batch, seq_len, d) tensor, i.e. over the sequence instead of over the features (and returned the input unchanged when that dimension had size 1)
# file: layers.py
def layer_normalization(z, norm, eps=1e-3):
    if z.size(1) == 1:
        return z
    mu = torch.mean(z, dim=1, keepdim=True)
    sigma = torch.std(z, dim=1, keepdim=True)
    ln_out = (z - mu.expand_as(z)) / (sigma.expand_as(z) + eps)
    return ln_out * norm.weight + norm.bias


class EncoderLayer(nn.Module):
    def __init__(self, d_model, num_heads, d_ff, dropout=0.0):
        super().__init__()
        self.self_attn = MultiHeadAttention(d_model, num_heads, dropout)
        self.feed_forward = PositionwiseFeedForward(d_model, d_ff, dropout)
        self.norm1 = nn.LayerNorm(d_model)
        self.norm2 = nn.LayerNorm(d_model)
        self.dropout = nn.Dropout(dropout)

    def forward(self, x, mask=None):
        x = layer_normalization(x + self.dropout(self.self_attn(x, x, x, mask)), self.norm1)
        return layer_normalization(x + self.dropout(self.feed_forward(x)), self.norm2)
