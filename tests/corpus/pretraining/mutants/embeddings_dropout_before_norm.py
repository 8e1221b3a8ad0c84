# exercise: BertEmbeddings
# diagnosis: dropout_before_norm
# source: invented (dropout applied to the summed embeddings before the LayerNorm, which then rescales what survived: the output has no zeros left)
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
        if token_type_ids is None:
            token_type_ids = torch.zeros_like(input_ids)
        return self.norm(self.dropout(self.token(input_ids) + self.position(positions) + self.segment(token_type_ids)))
