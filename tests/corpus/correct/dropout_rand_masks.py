# exercise: MultiHeadAttention
# file: multihead.py
class RandDropout(nn.Module):
    """Dropout from uniform draws (torch.rand_like) rather than torch's bernoulli: other draws, same law."""

    def __init__(self, p=0.5):
        super().__init__()
        self.p = p

    def forward(self, x):
        if not self.training or self.p == 0:
            return x
        return x * (torch.rand_like(x) >= self.p) / (1 - self.p)


class MultiHeadAttention(nn.Module):
    """Multi-head attention with learned projections w_q, w_k, w_v and output projection w_o."""

    def __init__(self, d_model: int, num_heads: int, dropout: float = 0.0) -> None:
        super().__init__()
        if d_model % num_heads != 0:
            raise ValueError(f"d_model={d_model} is not divisible by num_heads={num_heads}")
        self.d_model = d_model
        self.num_heads = num_heads
        self.d_k = d_model // num_heads
        self.w_q = nn.Linear(d_model, d_model)
        self.w_k = nn.Linear(d_model, d_model)
        self.w_v = nn.Linear(d_model, d_model)
        self.w_o = nn.Linear(d_model, d_model)
        self.dropout = RandDropout(dropout)

    def forward(
        self,
        query: torch.Tensor,
        key: torch.Tensor,
        value: torch.Tensor,
        mask: torch.Tensor | None = None,
    ) -> torch.Tensor:
        # 1. project, then split into heads: (B, h, L, d_k)
        q = split_heads(self.w_q(query), self.num_heads)
        k = split_heads(self.w_k(key), self.num_heads)
        v = split_heads(self.w_v(value), self.num_heads)
        # 2. scaled dot-product attention per head; dropout acts on the weights (train mode only)
        scores = q @ k.transpose(-2, -1) / self.d_k**0.5  # (B, h, Lq, Lk)
        weights = self.dropout(masked_softmax(scores, mask, dim=-1))
        heads = weights @ v  # (B, h, Lq, d_k)
        # 3. concatenate the heads and mix them with the output projection
        return self.w_o(combine_heads(heads))  # (B, Lq, d_model)
# file: layers.py
class RandDropout(nn.Module):
    """Dropout from uniform draws (torch.rand_like) rather than torch's bernoulli: other draws, same law."""

    def __init__(self, p=0.5):
        super().__init__()
        self.p = p

    def forward(self, x):
        if not self.training or self.p == 0:
            return x
        return x * (torch.rand_like(x) >= self.p) / (1 - self.p)


class PositionwiseFeedForward(nn.Module):
    """Two linear layers with a ReLU between, applied to every position with the same weights."""

    def __init__(self, d_model: int, d_ff: int, dropout: float = 0.0) -> None:
        super().__init__()
        self.linear1 = nn.Linear(d_model, d_ff)
        self.linear2 = nn.Linear(d_ff, d_model)
        self.dropout = RandDropout(dropout)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.linear2(self.dropout(torch.relu(self.linear1(x))))


class EncoderLayer(nn.Module):
    """Self-attention and feed-forward, each followed by add & norm (Post-LN)."""

    def __init__(self, d_model: int, num_heads: int, d_ff: int, dropout: float = 0.0) -> None:
        super().__init__()
        self.self_attn = MultiHeadAttention(d_model, num_heads, dropout)
        self.feed_forward = PositionwiseFeedForward(d_model, d_ff, dropout)
        self.norm1 = nn.LayerNorm(d_model)
        self.norm2 = nn.LayerNorm(d_model)
        self.dropout = RandDropout(dropout)

    def forward(self, x: torch.Tensor, mask: torch.Tensor | None = None) -> torch.Tensor:
        # 1. self-attention sublayer, then add & norm
        x = self.norm1(x + self.dropout(self.self_attn(x, x, x, mask)))
        # 2. feed-forward sublayer, then add & norm
        return self.norm2(x + self.dropout(self.feed_forward(x)))


class DecoderLayer(nn.Module):
    """Masked self-attention, cross-attention over ``memory`` and feed-forward, each with add & norm."""

    def __init__(self, d_model: int, num_heads: int, d_ff: int, dropout: float = 0.0) -> None:
        super().__init__()
        self.self_attn = MultiHeadAttention(d_model, num_heads, dropout)
        self.cross_attn = MultiHeadAttention(d_model, num_heads, dropout)
        self.feed_forward = PositionwiseFeedForward(d_model, d_ff, dropout)
        self.norm1 = nn.LayerNorm(d_model)
        self.norm2 = nn.LayerNorm(d_model)
        self.norm3 = nn.LayerNorm(d_model)
        self.dropout = RandDropout(dropout)

    def forward(
        self,
        x: torch.Tensor,
        memory: torch.Tensor,
        tgt_mask: torch.Tensor | None = None,
        memory_mask: torch.Tensor | None = None,
    ) -> torch.Tensor:
        # 1. masked self-attention over the decoder's own positions
        x = self.norm1(x + self.dropout(self.self_attn(x, x, x, tgt_mask)))
        # 2. cross-attention: queries from the decoder, keys and values from the encoder's memory
        x = self.norm2(x + self.dropout(self.cross_attn(x, memory, memory, memory_mask)))
        # 3. feed-forward, then add & norm
        return self.norm3(x + self.dropout(self.feed_forward(x)))
