# exercise: AdditiveScore
# file: scores.py
import torch.nn.functional as F


class AdditiveScore(nn.Module):
    def __init__(self, enc_dim, dec_dim, attn_dim):
        super().__init__()
        self.W1 = nn.Linear(dec_dim, attn_dim, bias=False)
        self.W2 = nn.Linear(enc_dim, attn_dim, bias=False)
        self.v = nn.Linear(attn_dim, 1, bias=False)

    def forward(self, h, s):
        query = F.linear(h, self.W1.weight).unsqueeze(1).expand(-1, s.size(1), -1)
        energy = (query + F.linear(s, self.W2.weight)).tanh()
        return (energy * self.v.weight[0]).sum(-1)
