# exercise: PositionwiseFeedForward
# source: invented (the dropout mask drawn once in __init__, over the d_ff hidden features, and reused on every position and every call)
# reported: not reported; invented
# file: layers.py
class PositionwiseFeedForward(nn.Module):
    def __init__(self, d_model, d_ff, dropout=0.0):
        super().__init__()
        self.linear1 = nn.Linear(d_model, d_ff)
        self.linear2 = nn.Linear(d_ff, d_model)
        self.p = dropout
        self.register_buffer("keep", (torch.rand(d_ff) >= dropout).float(), persistent=False)

    def forward(self, x):
        h = torch.relu(self.linear1(x))
        if self.training and self.p > 0:
            h = h * self.keep / (1 - self.p)
        return self.linear2(h)
