# exercise: GreedyDecoder
# file: decode.py
class GreedyDecoder(nn.Module):
    def __init__(self, vocab, n_layers=2, d_model=32, d_ff=64, heads=4, dropout=0.1):
        super().__init__()
        self.model = EncoderDecoder(vocab, n_layers, d_model, d_ff, heads, dropout)

    @torch.no_grad()
    def forward(self, src, src_mask, max_len, start_symbol):
        memory = self.model.encode(src, src_mask)
        ys = torch.zeros(src.size(0), max_len, dtype=torch.long, device=src.device)
        ys[:, 0] = start_symbol
        causal = torch.ones(max_len, max_len, dtype=torch.bool, device=src.device).tril()
        for t in range(1, max_len):
            mask = causal[:t, :t].unsqueeze(0).expand(src.size(0), t, t)
            out = self.model.decode(memory, src_mask, ys[:, :t], mask)
            ys[:, t] = self.model.generator(out[:, t - 1]).argmax(-1)
        return ys
