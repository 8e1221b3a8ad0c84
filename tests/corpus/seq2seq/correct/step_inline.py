# exercise: AttentionDecoderStep
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
        h_t = self.cell(self.embedding(prev_tokens), state)
        scores = torch.einsum("bh,bsh->bs", h_t, self.attention.W(encoder_states))
        if src_mask is not None:
            scores = scores.masked_fill(~src_mask, -float("inf"))
        a = scores.softmax(-1)
        c = (a[..., None] * encoder_states).sum(1)
        h_tilde = torch.tanh(self.W_c(torch.cat((c, h_t), 1)))
        return self.out(h_tilde).log_softmax(-1), h_t, a
