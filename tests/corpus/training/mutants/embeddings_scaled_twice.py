# exercise: Embeddings
# mistake: tr_embeddings_scaled_twice
# file: model.py
class Embeddings(nn.Module):
    def __init__(self, vocab, d_model):
        super().__init__()
        self.lut = nn.Embedding(vocab, d_model)
        self.d_model = d_model

    def forward(self, x):
        scaled = self.lut(x) * math.sqrt(self.d_model)
        return scaled * math.sqrt(self.d_model)
