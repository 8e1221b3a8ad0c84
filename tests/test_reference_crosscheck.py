"""The reference solution agrees with implementations nobody here wrote (PyTorch's own)."""

from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

from grader.reference import load_reference


@pytest.fixture(scope="module")
def ref(assignment):
    return load_reference(assignment).exercises


def _mha_weights_into_torch(ours, theirs: torch.nn.MultiheadAttention) -> None:
    with torch.no_grad():
        theirs.in_proj_weight.copy_(torch.cat([ours.w_q.weight, ours.w_k.weight, ours.w_v.weight]))
        theirs.in_proj_bias.copy_(torch.cat([ours.w_q.bias, ours.w_k.bias, ours.w_v.bias]))
        theirs.out_proj.weight.copy_(ours.w_o.weight)
        theirs.out_proj.bias.copy_(ours.w_o.bias)


def _randomise_norms(module: torch.nn.Module) -> None:
    with torch.no_grad():
        for name, p in module.named_parameters():
            if "norm" in name:
                p.copy_(torch.randn_like(p) * 0.3 + (1.0 if name.endswith("weight") else 0.0))


@settings(max_examples=25, deadline=None)
@given(b=st.integers(1, 3), h=st.integers(1, 3), lq=st.integers(1, 7), lk=st.integers(1, 7),
       d=st.integers(1, 16), masked=st.booleans(), seed=st.integers(0, 2**16))
def test_sdpa_matches_torch(ref, b, h, lq, lk, d, masked, seed):
    g = torch.Generator().manual_seed(seed)
    q, k, v = (torch.randn(b, h, n, d, generator=g, dtype=torch.float64) for n in (lq, lk, lk))
    mask = None
    if masked:
        mask = torch.rand(b, 1, lq, lk, generator=g) > 0.4
        mask[..., 0] = True  # torch returns NaN for fully masked rows; the contract says zeros
    out, weights = ref.scaled_dot_product_attention(q, k, v, mask)
    expected = F.scaled_dot_product_attention(q, k, v, attn_mask=mask)
    torch.testing.assert_close(out, expected)
    torch.testing.assert_close(weights.sum(-1), torch.ones(b, h, lq, dtype=torch.float64))


def test_masked_softmax_fully_masked_row_is_zero_and_large_logits_are_finite(ref):
    scores = torch.tensor([[1e4, -1e4, 3.0], [5.0, 6.0, 7.0]])
    mask = torch.tensor([[True, True, False], [False, False, False]])
    w = ref.masked_softmax(scores, mask)
    assert torch.isfinite(w).all()
    assert torch.equal(w[1], torch.zeros(3))
    torch.testing.assert_close(w[0], torch.tensor([1.0, 0.0, 0.0]))


@pytest.mark.parametrize("masked", [False, True])
@pytest.mark.parametrize("d_model,h,lq,lk", [(16, 4, 5, 5), (24, 3, 3, 7), (8, 1, 1, 4)])
def test_multihead_matches_torch(ref, d_model, h, lq, lk, masked):
    torch.manual_seed(0)
    ours = ref.MultiHeadAttention(d_model, h).double().eval()
    theirs = torch.nn.MultiheadAttention(d_model, h, batch_first=True, dtype=torch.float64).eval()
    _mha_weights_into_torch(ours, theirs)
    q = torch.randn(2, lq, d_model, dtype=torch.float64)
    kv = torch.randn(2, lk, d_model, dtype=torch.float64)
    keep = torch.ones(2, lk, dtype=torch.bool)
    if masked:
        keep[1, lk // 2 + 1:] = False
    got = ours(q, kv, kv, keep[:, None, None, :] if masked else None)
    expected, _ = theirs(q, kv, kv, key_padding_mask=~keep if masked else None)
    torch.testing.assert_close(got, expected)


def test_encoder_layer_matches_torch(ref):
    torch.manual_seed(1)
    d, h, dff = 16, 4, 40
    ours = ref.EncoderLayer(d, h, dff).double().eval()
    _randomise_norms(ours)
    theirs = torch.nn.TransformerEncoderLayer(d, h, dff, dropout=0.0, activation="relu", batch_first=True,
                                              norm_first=False, dtype=torch.float64).eval()
    _mha_weights_into_torch(ours.self_attn, theirs.self_attn)
    theirs.load_state_dict({**theirs.state_dict(), **{
        "linear1.weight": ours.feed_forward.linear1.weight, "linear1.bias": ours.feed_forward.linear1.bias,
        "linear2.weight": ours.feed_forward.linear2.weight, "linear2.bias": ours.feed_forward.linear2.bias,
        "norm1.weight": ours.norm1.weight, "norm1.bias": ours.norm1.bias,
        "norm2.weight": ours.norm2.weight, "norm2.bias": ours.norm2.bias}})
    x = torch.randn(3, 6, d, dtype=torch.float64)
    keep = torch.ones(3, 6, dtype=torch.bool)
    keep[2, 4:] = False
    torch.testing.assert_close(ours(x, keep[:, None, None, :]), theirs(x, src_key_padding_mask=~keep))
    torch.testing.assert_close(ours(x), theirs(x))


def test_decoder_layer_matches_torch(ref):
    torch.manual_seed(2)
    d, h, dff = 16, 2, 32
    ours = ref.DecoderLayer(d, h, dff).double().eval()
    _randomise_norms(ours)
    theirs = torch.nn.TransformerDecoderLayer(d, h, dff, dropout=0.0, activation="relu", batch_first=True,
                                              norm_first=False, dtype=torch.float64).eval()
    _mha_weights_into_torch(ours.self_attn, theirs.self_attn)
    _mha_weights_into_torch(ours.cross_attn, theirs.multihead_attn)
    theirs.load_state_dict({**theirs.state_dict(), **{
        "linear1.weight": ours.feed_forward.linear1.weight, "linear1.bias": ours.feed_forward.linear1.bias,
        "linear2.weight": ours.feed_forward.linear2.weight, "linear2.bias": ours.feed_forward.linear2.bias,
        **{f"norm{i}.{p}": getattr(getattr(ours, f"norm{i}"), p) for i in (1, 2, 3) for p in ("weight", "bias")}}})
    x = torch.randn(2, 5, d, dtype=torch.float64)
    memory = torch.randn(2, 7, d, dtype=torch.float64)
    keep = torch.ones(2, 7, dtype=torch.bool)
    keep[0, 5:] = False
    causal = ref.causal_mask(5)
    got = ours(x, memory, causal, keep[:, None, None, :])
    expected = theirs(x, memory, tgt_mask=~causal, memory_key_padding_mask=~keep)
    torch.testing.assert_close(got, expected)


@pytest.mark.parametrize("max_len,d_model,base", [(50, 16, 10000.0), (7, 4, 100.0), (1, 2, 10000.0), (200, 64, 10000.0)])
def test_positional_encoding_matches_the_formula_in_float64(ref, max_len, d_model, base):
    pe = ref.sinusoidal_positional_encoding(max_len, d_model, base)
    assert pe.dtype == torch.float32 and pe.shape == (max_len, d_model)
    expected = torch.empty(max_len, d_model, dtype=torch.float64)
    for pos in range(max_len):
        for i in range(d_model // 2):
            angle = pos / base ** (2 * i / d_model)
            expected[pos, 2 * i], expected[pos, 2 * i + 1] = math.sin(angle), math.cos(angle)
    torch.testing.assert_close(pe.double(), expected, atol=1e-6, rtol=0)


def test_positional_encoding_refuses_odd_d_model(ref):
    with pytest.raises(ValueError, match="d_model=7"):
        ref.sinusoidal_positional_encoding(4, 7)


def test_masks(ref):
    assert torch.equal(ref.causal_mask(3), torch.tensor([[1, 0, 0], [1, 1, 0], [1, 1, 1]], dtype=torch.bool))
    assert ref.causal_mask(3, device="meta").device.type == "meta"
    tokens = torch.tensor([[5, 6, 0], [7, 0, 0]])
    mask = ref.padding_mask(tokens, 0)
    assert mask.shape == (2, 1, 1, 3)
    assert mask[:, 0, 0].tolist() == [[True, True, False], [True, False, False]]


def test_heads_round_trip(ref):
    x = torch.randn(2, 5, 12)
    split = ref.split_heads(x, 3)
    assert split.shape == (2, 3, 5, 4)
    torch.testing.assert_close(split[:, 1], x[..., 4:8])
    torch.testing.assert_close(ref.combine_heads(split), x)
