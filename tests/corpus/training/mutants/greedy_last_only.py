# exercise: GreedyDecoder
# mistake: tr_greedy_last_only
# file: decode.py
class GreedyDecoder(nn.Module):
    def __init__(self, vocab, n_layers=2, d_model=32, d_ff=64, heads=4, dropout=0.1):
        super().__init__()
        self.model = EncoderDecoder(vocab, n_layers, d_model, d_ff, heads, dropout)
    def forward(self, src, src_mask, max_len, start_symbol):
        memory = self.model.encode(src, src_mask)
        ys = torch.full((src.size(0), 1), start_symbol, dtype=torch.long, device=src.device)
        for _ in range(max_len - 1):
            feed = ys[:, -1:]
            size = feed.size(1)
            tgt_mask = torch.ones(size, size, dtype=torch.bool, device=src.device).tril().expand(src.size(0), -1, -1)
            out = self.model.decode(memory, src_mask, feed, tgt_mask)
            next_word = self.model.generator(out[:, -1]).argmax(dim=-1)
            ys = torch.cat([ys, next_word[:, None]], dim=1)
        return ys
