# exercise: AttentionDecoderStep
# mistake: s2s_step_h_first
# invented: [h; c] concatenated where the contract says [c; h]
# file: decoder.py
class AttentionDecoderStep(nn.Module):
    def __init__(self, vocab_size, emb_dim, hidden_dim, enc_dim):
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, emb_dim)
        self.cell = nn.GRUCell(emb_dim, hidden_dim)
        self.attention = GeneralScore(enc_dim, hidden_dim)
        self.W_c = nn.Linear(enc_dim + hidden_dim, hidden_dim, bias=False)
        self.out = nn.Linear(hidden_dim, vocab_size)

    def forward(self, prev_tokens, state, encoder_states, src_mask=None):
        h = self.cell(self.embedding(prev_tokens), state)
        weights = attention_weights(self.attention(h, encoder_states), src_mask)
        context = context_vector(weights, encoder_states)
        attentional = torch.tanh(self.W_c(torch.cat([h, context], dim=-1)))
        return torch.log_softmax(self.out(attentional), dim=-1), h, weights
