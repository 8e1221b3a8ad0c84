# exercise: AttentionDecoderStep
# diagnosis: s2s_weights_all_ones
# source: https://github.com/DEEP-PolyU/KEQA_WSDM19/issues/2 (DEEP-PolyU/KEQA_WSDM19#2; also phanideepgampa/stacked-capsule-networks#5)
# reported: the attention scores had a trailing axis of size 1 and the softmax ran over it, so every weight was 1.0
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
        scores = self.attention(h, encoder_states).unsqueeze(-1)  # (B, S, 1)
        if src_mask is not None:
            scores = scores.masked_fill(~src_mask.unsqueeze(-1), float("-inf"))
        weights = torch.softmax(scores, dim=-1).squeeze(-1)
        context = context_vector(weights, encoder_states)
        attentional = torch.tanh(self.W_c(torch.cat([context, h], dim=-1)))
        return torch.log_softmax(self.out(attentional), dim=-1), h, weights
