# exercise: LabelSmoothing
# mistake: tr_smoothing_padding_column
# file: loss.py
class LabelSmoothing(nn.Module):
    def __init__(self, size, padding_idx, smoothing=0.0):
        super().__init__()
        self.size, self.padding_idx, self.smoothing = size, padding_idx, smoothing

    def forward(self, x, target):
        true_dist = torch.full_like(x, self.smoothing / (self.size - 1))
        true_dist.scatter_(1, target.unsqueeze(1), 1.0 - self.smoothing)
        true_dist[target == self.padding_idx] = 0
        return nn.functional.kl_div(x, true_dist, reduction="sum")
