# exercise: PositionwiseFeedForward
# diagnosis: dropout_dependent.entries
# source: invented (issue 22, an attack that scored 8/8: train-mode "dropout" as a fixed checkerboard of zeros and 1/(1-p), flipped on every call; the share dropped is exactly p and the two calls differ)
# reported: not reported; invented
# file: layers.py
class PositionwiseFeedForward(nn.Module):
    def __init__(self, d_model, d_ff, dropout=0.0):
        super().__init__()
        self.linear1 = nn.Linear(d_model, d_ff)
        self.linear2 = nn.Linear(d_ff, d_model)
        self.p = dropout
        self.calls = 0

    def forward(self, x):
        h = torch.relu(self.linear1(x))
        if self.training and self.p > 0:
            L, F = h.shape[-2], h.shape[-1]
            board = (torch.arange(L, device=h.device)[:, None] + torch.arange(F, device=h.device)[None, :] + self.calls) % 2
            self.calls += 1
            h = h * board / (1 - self.p)
        return self.linear2(h)
