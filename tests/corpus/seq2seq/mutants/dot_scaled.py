# exercise: DotScore
# mistake: s2s_dot_scaled
# invented: the Transformer's 1/√d carried over to Luong's dot score
# file: scores.py
class DotScore(nn.Module):
    def forward(self, h, s):
        return torch.bmm(s, h.unsqueeze(-1)).squeeze(-1) / h.size(-1) ** 0.5
