# exercise: GeneralScore
# mistake: s2s_general_without_w
# invented: the layer is created but the score is the plain dot product
# file: scores.py
class GeneralScore(nn.Module):
    def __init__(self, enc_dim, dec_dim):
        super().__init__()
        self.W = nn.Linear(enc_dim, dec_dim, bias=False)

    def forward(self, h, s):
        return torch.bmm(s, h.unsqueeze(-1)).squeeze(-1)
