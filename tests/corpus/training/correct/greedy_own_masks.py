# exercise: GreedyDecoder
# file: decode.py
from .batch import make_masks


class GreedyDecoder(nn.Module):
    def __init__(self, vocab, n_layers=2, d_model=32, d_ff=64, heads=4, dropout=0.1):
        super().__init__()
        self.model = EncoderDecoder(vocab, n_layers, d_model, d_ff, heads, dropout)

    def forward(self, src, src_mask, max_len, start_symbol):
        memory = self.model.encode(src, src_mask)
        ys = src.new_full((src.size(0), 1), start_symbol)
        while ys.size(1) < max_len:
            _, tgt_mask = make_masks(src, ys, pad=-1)  # no id is -1: the subsequent mask alone
            log_probs = self.model.generator(self.model.decode(memory, src_mask, ys, tgt_mask))
            ys = torch.cat([ys, log_probs[:, -1].max(dim=-1).indices.unsqueeze(1)], dim=1)
        return ys
