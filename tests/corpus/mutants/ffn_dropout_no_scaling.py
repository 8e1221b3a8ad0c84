# exercise: PositionwiseFeedForward
# file: layers.py
class PositionwiseFeedForward(nn.Module):
    def __init__(self, d_model, d_ff, dropout=0.0):
        super().__init__()
        self.linear1 = nn.Linear(d_model, d_ff)
        self.linear2 = nn.Linear(d_ff, d_model)
        self.p = dropout
        self.dropout = nn.Dropout(dropout)

    def forward(self, x):
        h = torch.relu(self.linear1(x))
        if self.training:  # drops, but never scales the kept entries by 1 / (1 - p)
            h = h * torch.bernoulli(torch.full_like(h, 1 - self.p))
        return self.linear2(h)
