# exercise: LabelSmoothing
# mistake: tr_smoothing_normaliser
# source: https://github.com/harvardnlp/annotated-transformer/issues/39 (harvardnlp/annotated-transformer#39)
# reported: the notebook's label-smoothing example gave inf; the thread works out that the padding token is a class the smoothed mass must skip, hence size - 2
# file: loss.py
class LabelSmoothing(nn.Module):
    def __init__(self, size, padding_idx, smoothing=0.0):
        super().__init__()
        self.size, self.padding_idx, self.smoothing = size, padding_idx, smoothing

    def forward(self, x, target):
        true_dist = torch.full_like(x, self.smoothing / (self.size - 1))
        true_dist.scatter_(1, target.unsqueeze(1), 1.0 - self.smoothing)
        true_dist[:, self.padding_idx] = 0
        true_dist[target == self.padding_idx] = 0
        return nn.functional.kl_div(x, true_dist, reduction="sum")
