# exercise: GeneralScore
# mistake: s2s_general_transposed
# invented: W applied to the decoder's state as if it mapped d_dec -> d_enc (fits only a square W)
# file: scores.py
class GeneralScore(nn.Module):
    def __init__(self, enc_dim, dec_dim):
        super().__init__()
        self.W = nn.Linear(enc_dim, dec_dim, bias=False)

    def forward(self, h, s):
        return torch.bmm(s, self.W(h).unsqueeze(-1)).squeeze(-1)
