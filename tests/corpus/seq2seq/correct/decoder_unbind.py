# exercise: AttentionDecoder
# file: decoder.py
class AttentionDecoder(nn.Module):
    def __init__(self, vocab_size, emb_dim, hidden_dim, enc_dim):
        super().__init__()
        self.step = AttentionDecoderStep(vocab_size, emb_dim, hidden_dim, enc_dim)

    def forward(self, inputs, state, encoder_states, src_mask=None):
        outputs = []
        for token in inputs.unbind(dim=1):
            lp, state, a = self.step(token, state, encoder_states, src_mask)
            outputs.append((lp, a))
        log_probs, weights = zip(*outputs)
        return torch.stack(log_probs, 1), torch.stack(weights, 1)
