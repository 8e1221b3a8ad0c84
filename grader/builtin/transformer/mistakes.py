"""The mistake catalog of the transformer assignment: one wrong implementation per known mistake.

Each entry is a factory that receives the reference and returns a function or module class making
exactly one mistake. When a student's failing output equals a mistake's output on the same case, the
report names the mistake (messages ``mistake.<id>`` in the catalogs say what to look at, never the
fix). This is trusted code: it runs in the grading process only, never in the sandbox.
"""

from __future__ import annotations

import math
from typing import Any

import torch

from grader.spec import Mistake

# --- positional encoding --------------------------------------------------------------------------


def _pe(kind: str) -> Any:
    def pe(max_len: int, d_model: int, base: float = 10000.0) -> torch.Tensor:
        if kind != "odd_accepted" and d_model % 2:
            raise ValueError("odd d_model")
        pos = torch.arange(max_len, dtype=torch.float64)[:, None]
        col = torch.arange(d_model, dtype=torch.float64)
        pair = torch.div(col, 2, rounding_mode="floor") * 2
        if kind == "dimension_index":
            angle = pos / base ** (col / d_model)
        else:
            angle = pos / base ** (pair / d_model)
        even_col = (col % 2 == 0)[None, :]
        if kind == "swapped":
            pe = torch.where(even_col, torch.cos(angle), torch.sin(angle))
        elif kind == "position_parity":
            pe = torch.where((pos % 2 == 0).expand(-1, d_model), torch.sin(angle), torch.cos(angle))
        elif kind == "halves":
            half = d_model // 2
            freq = pos / base ** (torch.arange(half, dtype=torch.float64) * 2 / d_model)
            pe = torch.cat([torch.sin(freq), torch.cos(freq)], dim=1)
        else:
            pe = torch.where(even_col, torch.sin(angle), torch.cos(angle))
        return pe.float()
    return pe


PE = (
    Mistake("pe_sin_cos_swapped", lambda ref: _pe("swapped")),
    Mistake("pe_parity_by_position", lambda ref: _pe("position_parity")),
    Mistake("pe_dimension_index_exponent", lambda ref: _pe("dimension_index")),
    Mistake("pe_halves", lambda ref: _pe("halves")),
    Mistake("pe_odd_d_model_accepted", lambda ref: _pe("odd_accepted")),
)

# --- masked softmax -------------------------------------------------------------------------------


def _softmax(kind: str) -> Any:
    def masked_softmax(scores: torch.Tensor, mask: torch.Tensor | None = None, dim: int = -1) -> torch.Tensor:
        if kind == "wrong_axis":
            dim = dim - 1 if dim < 0 else dim + 1
        if mask is None:
            if kind == "unstable_exp":
                e = scores.exp()
                return e / e.sum(dim, keepdim=True)
            return torch.softmax(scores, dim)
        if kind == "polarity":
            return torch.softmax(scores.masked_fill(mask, -1e9), dim).masked_fill(mask, 0.0)
        if kind == "after_softmax":
            return torch.softmax(scores, dim) * mask
        if kind == "uniform_rows":
            return torch.softmax(scores.masked_fill(~mask, -1e9), dim)
        if kind == "nan_rows":
            return torch.softmax(scores.masked_fill(~mask, float("-inf")), dim)
        if kind == "unstable_exp":  # careful with empty rows, but no shift by the maximum
            e = scores.exp() * mask
            return e / e.sum(dim, keepdim=True).clamp_min(1e-30)
        low = torch.finfo(scores.dtype).min
        return torch.softmax(scores.masked_fill(~mask, low), dim).masked_fill(~mask, 0.0)
    return masked_softmax


MASKED_SOFTMAX = (
    Mistake("softmax_wrong_axis", lambda ref: _softmax("wrong_axis")),
    Mistake("mask_polarity_inverted", lambda ref: _softmax("polarity")),
    Mistake("mask_after_softmax", lambda ref: _softmax("after_softmax")),
    Mistake("fully_masked_rows_nan", lambda ref: _softmax("nan_rows")),
    Mistake("fully_masked_rows_uniform", lambda ref: _softmax("uniform_rows")),
    Mistake("softmax_overflow", lambda ref: _softmax("unstable_exp")),
)

# --- scaled dot-product attention -----------------------------------------------------------------


def _sdpa(kind: str, ref: Any) -> Any:
    def sdpa(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, mask: torch.Tensor | None = None):
        d_k = q.size(-1)
        scores = q @ k.transpose(-2, -1)
        if kind == "scale_by_dk":
            scores = scores / d_k
        elif kind != "no_sqrt":
            scores = scores / math.sqrt(d_k)
        if kind == "polarity" and mask is not None:
            mask = ~mask
        weights = ref.masked_softmax(scores, mask, -2 if kind == "wrong_axis" else -1)
        if kind == "returns_scores":
            return weights @ v, scores
        return weights @ v, weights
    return sdpa


SDPA = (
    Mistake("no_sqrt_dk", lambda ref: _sdpa("no_sqrt", ref)),
    Mistake("scale_by_dk", lambda ref: _sdpa("scale_by_dk", ref)),
    Mistake("attention_softmax_over_queries", lambda ref: _sdpa("wrong_axis", ref)),
    Mistake("attention_mask_polarity", lambda ref: _sdpa("polarity", ref)),
    Mistake("returns_scores_not_weights", lambda ref: _sdpa("returns_scores", ref)),
)

# --- masks ----------------------------------------------------------------------------------------


def _causal(kind: str) -> Any:
    def causal_mask(size: int, device: Any = None) -> torch.Tensor:
        ones = torch.ones(size, size, dtype=torch.bool, device=device)
        return ones.tril(-1) if kind == "no_diagonal" else ones.triu()
    return causal_mask


CAUSAL_MASK = (
    Mistake("causal_mask_without_diagonal", lambda ref: _causal("no_diagonal")),
    Mistake("causal_mask_upper", lambda ref: _causal("upper")),
)


def _padding(kind: str) -> Any:
    def padding_mask(tokens: torch.Tensor, pad_id: int) -> torch.Tensor:
        if kind == "polarity":
            return (tokens == pad_id)[:, None, None, :]
        if kind == "query_axis":  # hyunwoongko/transformer#40: the keys' padding laid along the queries' axis
            return (tokens != pad_id)[:, None, :, None]
        return tokens != pad_id
    return padding_mask


PADDING_MASK = (
    Mistake("padding_mask_polarity", lambda ref: _padding("polarity")),
    Mistake("padding_mask_not_broadcastable", lambda ref: _padding("flat")),
    Mistake("padding_mask_query_axis", lambda ref: _padding("query_axis")),
)

# --- heads ----------------------------------------------------------------------------------------


def _split(kind: str) -> Any:
    def split_heads(x: torch.Tensor, num_heads: int) -> torch.Tensor:
        b, length, d = x.shape
        if kind == "no_transpose":
            return x.view(b, length, num_heads, d // num_heads)
        if kind == "view_only":
            return x.reshape(b, num_heads, length, d // num_heads)
        return x.view(b, length, d // num_heads, num_heads).permute(0, 3, 1, 2)  # interleaved
    return split_heads


SPLIT_HEADS = (
    Mistake("split_heads_not_transposed", lambda ref: _split("no_transpose")),
    Mistake("split_heads_reshape_without_transpose", lambda ref: _split("view_only")),
    Mistake("split_heads_interleaved", lambda ref: _split("interleaved")),
)


def _combine_no_transpose(ref: Any) -> Any:
    def combine_heads(x: torch.Tensor) -> torch.Tensor:
        b, h, length, d_k = x.shape
        return x.reshape(b, length, h * d_k)
    return combine_heads


COMBINE_HEADS = (Mistake("combine_heads_without_transpose", _combine_no_transpose),)

# --- multi-head attention -------------------------------------------------------------------------


def _mha(kind: str, ref: Any) -> Any:
    class Wrong(ref.MultiHeadAttention):  # type: ignore[misc,name-defined]
        def forward(self, query, key, value, mask=None):  # type: ignore[no-untyped-def]
            if kind == "kv_swapped":
                key, value = value, key
            q = ref.split_heads(self.w_q(query), self.num_heads)
            k = ref.split_heads(self.w_k(key), self.num_heads)
            v = ref.split_heads(self.w_v(value), self.num_heads)
            scale = {"scale_d_model": math.sqrt(self.d_model), "no_sqrt": 1.0}.get(kind, math.sqrt(self.d_k))
            weights = self.dropout(ref.masked_softmax(q @ k.transpose(-2, -1) / scale, mask, -1))
            heads = weights @ v
            if kind == "heads_not_transposed":
                b, h, length, d_k = heads.shape
                concat = heads.reshape(b, length, h * d_k)
            else:
                concat = ref.combine_heads(heads)
            return concat if kind == "missing_w_o" else self.w_o(concat)
    return Wrong


MHA = (
    Mistake("missing_output_projection", lambda ref: _mha("missing_w_o", ref)),
    Mistake("scaled_by_sqrt_d_model", lambda ref: _mha("scale_d_model", ref)),
    Mistake("mha_no_sqrt_dk", lambda ref: _mha("no_sqrt", ref)),
    Mistake("heads_not_transposed_before_concat", lambda ref: _mha("heads_not_transposed", ref)),
    Mistake("key_value_swapped", lambda ref: _mha("kv_swapped", ref)),
)

# --- feed-forward and layers ----------------------------------------------------------------------


def _ffn(kind: str, ref: Any) -> Any:
    class Wrong(ref.PositionwiseFeedForward):  # type: ignore[misc,name-defined]
        def forward(self, x):  # type: ignore[no-untyped-def]
            hidden = self.linear1(x) if kind == "no_relu" else torch.relu(self.linear1(x))
            out = self.linear2(self.dropout(hidden))
            return torch.relu(out) if kind == "relu_on_output" else out
    return Wrong


FFN = (
    Mistake("ffn_missing_activation", lambda ref: _ffn("no_relu", ref)),
    Mistake("ffn_activation_on_output", lambda ref: _ffn("relu_on_output", ref)),
)


def _encoder(kind: str, ref: Any) -> Any:
    class Wrong(ref.EncoderLayer):  # type: ignore[misc,name-defined]
        def forward(self, x, mask=None):  # type: ignore[no-untyped-def]
            drop = self.dropout
            if kind == "pre_ln":
                h = self.norm1(x)
                x = x + drop(self.self_attn(h, h, h, mask))
                return x + drop(self.feed_forward(self.norm2(x)))
            if kind == "no_residual":
                x = self.norm1(drop(self.self_attn(x, x, x, mask)))
                return self.norm2(drop(self.feed_forward(x)))
            x = self.norm2(x + drop(self.self_attn(x, x, x, mask)))  # norms swapped
            return self.norm1(x + drop(self.feed_forward(x)))
    return Wrong


ENCODER = (
    Mistake("pre_ln_instead_of_post_ln", lambda ref: _encoder("pre_ln", ref)),
    Mistake("missing_residual", lambda ref: _encoder("no_residual", ref)),
    Mistake("norms_swapped", lambda ref: _encoder("norms_swapped", ref)),
)


def _decoder(kind: str, ref: Any) -> Any:
    class Wrong(ref.DecoderLayer):  # type: ignore[misc,name-defined]
        def forward(self, x, memory, tgt_mask=None, memory_mask=None):  # type: ignore[no-untyped-def]
            drop = self.dropout
            if kind == "pre_ln":
                h = self.norm1(x)
                x = x + drop(self.self_attn(h, h, h, tgt_mask))
                h = self.norm2(x)
                x = x + drop(self.cross_attn(h, memory, memory, memory_mask))
                return x + drop(self.feed_forward(self.norm3(x)))
            self_mask = None if kind == "no_tgt_mask" else tgt_mask
            x = self.norm1(x + drop(self.self_attn(x, x, x, self_mask)))
            if kind == "cross_roles_swapped":
                cross = self.cross_attn(memory, x, x, memory_mask)
            elif kind == "tgt_mask_in_cross":
                cross = self.cross_attn(x, memory, memory, tgt_mask)
            else:
                cross = self.cross_attn(x, memory, memory, memory_mask)
            x = self.norm2(x + drop(cross))
            return self.norm3(x + drop(self.feed_forward(x)))
    return Wrong


DECODER = (
    Mistake("decoder_pre_ln", lambda ref: _decoder("pre_ln", ref)),
    Mistake("cross_attention_roles_swapped", lambda ref: _decoder("cross_roles_swapped", ref)),
    Mistake("target_mask_used_for_memory", lambda ref: _decoder("tgt_mask_in_cross", ref)),
    Mistake("self_attention_not_masked", lambda ref: _decoder("no_tgt_mask", ref)),
)

__all__ = ["PE", "MASKED_SOFTMAX", "SDPA", "CAUSAL_MASK", "PADDING_MASK", "SPLIT_HEADS", "COMBINE_HEADS",
           "MHA", "FFN", "ENCODER", "DECODER"]
