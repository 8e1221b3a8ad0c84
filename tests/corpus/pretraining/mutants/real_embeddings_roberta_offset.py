# exercise: BertEmbeddings
# mistake: embeddings_positions_offset
# source: https://github.com/huggingface/transformers/issues/5285 (huggingface/transformers#5285; see facebookresearch/fairseq#1187)
# reported: RoBERTa numbers positions from padding_idx + 1 = 2 (fairseq's make_positions), an offset that code written for BERT-style 0-based positions does not expect
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
        positions = torch.arange(2, L + 2, device=input_ids.device).clamp(max=self.position.num_embeddings - 1)
        if token_type_ids is None:
            token_type_ids = torch.zeros_like(input_ids)
        x = self.token(input_ids) + self.position(positions) + self.segment(token_type_ids)
        return self.dropout(self.norm(x))
