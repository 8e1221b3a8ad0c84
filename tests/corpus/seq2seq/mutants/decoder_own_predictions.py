# exercise: AttentionDecoder
# mistake: s2s_decoder_own_predictions
# invented: the model's own greedy prediction fed back during training (no teacher forcing)
# file: decoder.py
class AttentionDecoder(nn.Module):
    def __init__(self, vocab_size, emb_dim, hidden_dim, enc_dim):
        super().__init__()
        self.step = AttentionDecoderStep(vocab_size, emb_dim, hidden_dim, enc_dim)

    def forward(self, inputs, state, encoder_states, src_mask=None):
        log_probs, weights = [], []
        token = inputs[:, 0]
        for _ in range(inputs.size(1)):
            lp, state, a = self.step(token, state, encoder_states, src_mask)
            log_probs.append(lp)
            weights.append(a)
            token = lp.argmax(dim=-1)
        return torch.stack(log_probs, dim=1), torch.stack(weights, dim=1)
