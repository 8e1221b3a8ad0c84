# exercise: AdditiveScore
# mistake: s2s_additive_w1_w2_swapped
# invented: W1 and W2 given each other's inputs (runs only where d_dec == d_enc)
# file: scores.py
class AdditiveScore(nn.Module):
    def __init__(self, enc_dim, dec_dim, attn_dim):
        super().__init__()
        self.W1 = nn.Linear(dec_dim, attn_dim, bias=False)
        self.W2 = nn.Linear(enc_dim, attn_dim, bias=False)
        self.v = nn.Linear(attn_dim, 1, bias=False)

    def forward(self, h, s):
        energy = torch.tanh(self.W2(h).unsqueeze(1) + self.W1(s))
        return self.v(energy).squeeze(-1)
