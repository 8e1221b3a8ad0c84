# exercise: Embeddings
# mistake: tr_embeddings_divided
# source: https://github.com/pytorch/tutorials/issues/2849 (pytorch/tutorials#2849)
# reported: a reader proposed dividing the embeddings by sqrt(d_model) instead of multiplying (the scaling of attention carried over)
# file: model.py
class Embeddings(nn.Module):
    def __init__(self, vocab, d_model):
        super().__init__()
        self.lut = nn.Embedding(vocab, d_model)
        self.d_model = d_model

    def forward(self, x):
        return self.lut(x) / math.sqrt(self.d_model)
