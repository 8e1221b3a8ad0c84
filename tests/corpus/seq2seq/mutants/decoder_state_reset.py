# exercise: AttentionDecoder
# mistake: s2s_decoder_state_reset
# invented: the new state is never carried to the next step
# file: decoder.py
class AttentionDecoder(nn.Module):
    def __init__(self, vocab_size, emb_dim, hidden_dim, enc_dim):
        super().__init__()
        self.step = AttentionDecoderStep(vocab_size, emb_dim, hidden_dim, enc_dim)

    def forward(self, inputs, state, encoder_states, src_mask=None):
        log_probs, weights = [], []
        for t in range(inputs.size(1)):
            lp, _, a = self.step(inputs[:, t], state, encoder_states, src_mask)
            log_probs.append(lp)
            weights.append(a)
        return torch.stack(log_probs, dim=1), torch.stack(weights, dim=1)
