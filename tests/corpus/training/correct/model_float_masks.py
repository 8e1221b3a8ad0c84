# exercise: EncoderDecoder
# file: model.py
class EncoderDecoder(nn.Module):
    def __init__(self, vocab, n_layers=2, d_model=32, d_ff=64, heads=4, dropout=0.1):
        super().__init__()
        self.heads = heads
        self.embed = Embeddings(vocab, d_model)
        layer = nn.TransformerEncoderLayer(d_model, heads, d_ff, dropout, batch_first=True)
        self.encoder = nn.TransformerEncoder(layer, n_layers, enable_nested_tensor=False)
        self.decoder = nn.TransformerDecoder(
            nn.TransformerDecoderLayer(d_model, heads, d_ff, dropout, batch_first=True), num_layers=n_layers)
        self.generator = Generator(d_model, vocab)
        self.embed.lut.weight = self.generator.proj.weight
        self.dropout = nn.Dropout(dropout)

    def _positions(self, x):
        e = self.embed(x)
        return self.dropout(e + positional_encoding(x.size(1), e.size(-1), e))

    def encode(self, src, src_mask):
        return self.encoder(self._positions(src), src_key_padding_mask=src_mask.squeeze(1).logical_not())

    def decode(self, memory, src_mask, tgt, tgt_mask):
        y = self._positions(tgt)
        additive = torch.zeros(tgt_mask.shape, dtype=y.dtype, device=y.device).masked_fill(~tgt_mask, float("-inf"))
        additive = additive.repeat_interleave(self.heads, dim=0)
        memory_pad = torch.zeros(src_mask.squeeze(1).shape, dtype=y.dtype, device=y.device)
        memory_pad = memory_pad.masked_fill(~src_mask.squeeze(1), float("-inf"))
        return self.decoder(y, memory, tgt_mask=additive, memory_key_padding_mask=memory_pad)

    def forward(self, src, tgt, src_mask, tgt_mask):
        return self.decode(self.encode(src, src_mask), src_mask, tgt, tgt_mask)
