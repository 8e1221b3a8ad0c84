# exercise: LabelSmoothing
# file: loss.py
class LabelSmoothing(nn.Module):
    def __init__(self, size, padding_idx, smoothing=0.0):
        super().__init__()
        self.size, self.padding_idx, self.smoothing = size, padding_idx, smoothing

    def forward(self, x, target):
        vocab = torch.arange(self.size, device=x.device)
        on = vocab[None, :] == target[:, None]
        p = torch.where(on, 1.0 - self.smoothing, self.smoothing / (self.size - 2)).to(x.dtype)
        p = p * (vocab != self.padding_idx)[None, :] * (target != self.padding_idx)[:, None]
        return (torch.xlogy(p, p) - p * x).sum()
