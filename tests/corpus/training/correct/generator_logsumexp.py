# exercise: Generator
# file: model.py
class Generator(nn.Module):
    def __init__(self, d_model, vocab):
        super().__init__()
        self.proj = nn.Linear(d_model, vocab)

    def forward(self, x):
        logits = self.proj(x)
        return logits - torch.logsumexp(logits, dim=-1, keepdim=True)
