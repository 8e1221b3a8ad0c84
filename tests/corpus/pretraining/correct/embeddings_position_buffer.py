# exercise: BertEmbeddings
# file: embeddings.py
class BertEmbeddings(nn.Module):
    def __init__(self, vocab_size, d_model, max_len, num_segments=2, dropout=0.0):
        super().__init__()
        self.token = nn.Embedding(vocab_size, d_model)
        self.position = nn.Embedding(max_len, d_model)
        self.segment = nn.Embedding(num_segments, d_model)
        self.norm = nn.LayerNorm(d_model)
        self.drop = nn.Dropout(dropout)
        # as Hugging Face's BertEmbeddings: the position ids as a buffer (not saved with the weights)
        self.register_buffer("position_ids", torch.arange(max_len).unsqueeze(0), persistent=False)

    def forward(self, input_ids, token_type_ids=None):
        L = input_ids.size(1)
        position_ids = self.position_ids[:, :L].to(input_ids.device)  # (1, L)
        if token_type_ids is None:
            token_type_ids = input_ids.new_zeros(input_ids.shape)
        summed = self.token(input_ids) + self.segment(token_type_ids) + self.position(position_ids)
        return self.drop(self.norm(summed))
