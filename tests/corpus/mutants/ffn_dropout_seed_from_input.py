# exercise: PositionwiseFeedForward
# source: invented (a private generator seeded from the input's values, "for reproducibility": the same input always loses the same entries, so two train-mode calls agree)
# reported: not reported; invented
# file: layers.py
class PositionwiseFeedForward(nn.Module):
    def __init__(self, d_model, d_ff, dropout=0.0):
        super().__init__()
        self.linear1 = nn.Linear(d_model, d_ff)
        self.linear2 = nn.Linear(d_ff, d_model)
        self.p = dropout

    def forward(self, x):
        h = torch.relu(self.linear1(x))
        if self.training and self.p > 0:
            g = torch.Generator(device=h.device).manual_seed(int(x.detach().abs().sum().item() * 1000) % 2**31)
            keep = torch.rand(h.shape, generator=g, device=h.device) >= self.p
            h = h * keep / (1 - self.p)
        return self.linear2(h)
