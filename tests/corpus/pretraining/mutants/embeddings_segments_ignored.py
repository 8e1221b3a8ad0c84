# exercise: BertEmbeddings
# mistake: embeddings_segments_ignored
# source: invented (GPT-style embeddings have no segments; copying them leaves token_type_ids unused, so sentence B looks like sentence A)
# reported: not reported; invented
# file: embeddings.py
class BertEmbeddings(nn.Module):
    def __init__(self, vocab_size, d_model, max_len, num_segments=2, dropout=0.0):
        super().__init__()
        self.token = nn.Embedding(vocab_size, d_model)
        self.position = nn.Embedding(max_len, d_model)
        self.segment = nn.Embedding(num_segments, d_model)
        self.norm = nn.LayerNorm(d_model)
        self.dropout = nn.Dropout(dropout)

    def forward(self, input_ids, token_type_ids=None):
        B, L = input_ids.shape
        positions = torch.arange(L, device=input_ids.device)
        segments = torch.zeros_like(input_ids)
        x = self.token(input_ids) + self.position(positions) + self.segment(segments)
        return self.dropout(self.norm(x))
