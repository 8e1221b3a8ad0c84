# exercise: AttentionDecoder
# file: decoder.py
class AttentionDecoder(nn.Module):
    def __init__(self, vocab_size, emb_dim, hidden_dim, enc_dim):
        super().__init__()
        self.step = AttentionDecoderStep(vocab_size, emb_dim, hidden_dim, enc_dim)

    def forward(self, inputs, state, encoder_states, src_mask=None):
        b, t_len = inputs.shape
        vocab = self.step.out.out_features
        log_probs = encoder_states.new_zeros(b, t_len, vocab)
        weights = encoder_states.new_zeros(b, t_len, encoder_states.size(1))
        for t in range(t_len):
            lp, state, a = self.step(inputs[:, t], state, encoder_states, src_mask)
            log_probs[:, t] = lp
            weights[:, t] = a
        return log_probs, weights
