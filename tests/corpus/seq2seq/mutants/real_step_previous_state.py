# exercise: AttentionDecoderStep
# mistake: s2s_step_previous_state
# source: https://github.com/mkolod/mxnet_seq2seq/pull/4 (mkolod/mxnet_seq2seq#4)
# reported: Luong's attention must be queried with the decoder RNN's output at the current step, not the previous state
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
        weights = attention_weights(self.attention(state, encoder_states), src_mask)
        h = self.cell(self.embedding(prev_tokens), state)
        context = context_vector(weights, encoder_states)
        attentional = torch.tanh(self.W_c(torch.cat([context, h], dim=-1)))
        return torch.log_softmax(self.out(attentional), dim=-1), h, weights
