# exercise: AdditiveScore
# mistake: s2s_additive_no_tanh
# source: https://github.com/AuCson/PyTorch-Batch-Attention-Seq2seq/issues/3 (AuCson/PyTorch-Batch-Attention-Seq2seq#3)
# reported: the additive energy had no non-linearity before the fix; the weights stuck to one input word
# file: scores.py
class AdditiveScore(nn.Module):
    def __init__(self, enc_dim, dec_dim, attn_dim):
        super().__init__()
        self.W1 = nn.Linear(dec_dim, attn_dim, bias=False)
        self.W2 = nn.Linear(enc_dim, attn_dim, bias=False)
        self.v = nn.Linear(attn_dim, 1, bias=False)

    def forward(self, h, s):
        energy = self.W1(h).unsqueeze(1) + self.W2(s)
        return self.v(energy).squeeze(-1)
