# exercise: Embeddings
# mistake: tr_embeddings_unscaled
# source: https://github.com/SamLynnEvans/Transformer/issues/10 (SamLynnEvans/Transformer#10)
# reported: the embedding layer returned the looked-up vectors without multiplying them by sqrt(d_model)
# file: model.py
class Embeddings(nn.Module):
    def __init__(self, vocab, d_model):
        super().__init__()
        self.lut = nn.Embedding(vocab, d_model)
        self.d_model = d_model

    def forward(self, x):
        return self.lut(x)
