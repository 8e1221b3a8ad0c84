# exercise: GeneralScore
# file: scores.py
class GeneralScore(nn.Module):
    def __init__(self, enc_dim, dec_dim):
        super().__init__()
        self.W = nn.Linear(enc_dim, dec_dim, bias=False)

    def forward(self, h, s):
        projected_query = h @ self.W.weight  # (B, d_enc): hᵀW, then against every s_j
        return torch.einsum("be,bse->bs", projected_query, s)
