"""Probes of the seq2seq assignment that read the student's outputs alone: which axis the attention weights sum to
one over, weight left on padding, weights that were masked but not renormalised. None recomputes a layer; this module
ships, as code, in a student bundle (grader.fixtures). The probes that recompute a layer are in counterfactuals.py.
"""

from __future__ import annotations

from collections.abc import Iterator

import torch

from grader.diagnose import Finding, View, number


def _sums_to_one(w: torch.Tensor, dim: int) -> bool:
    return bool(((w.sum(dim) - 1).abs() < 1e-3).all())


def _weights(w: torch.Tensor, mask: torch.Tensor | None, scores: torch.Tensor | None = None) -> Iterator[Finding]:
    """What weights over the source positions (last axis) show: another axis normalised, a size-1 axis normalised
    (every weight 1), weight on padding, or zeros on padding without renormalising."""
    if not bool(torch.isfinite(w).all()):
        return
    if w.shape[-1] > 1 and bool(((w - 1).abs() < 1e-6).all()):
        yield Finding("s2s_weights_all_ones")
        return
    if not _sums_to_one(w, -1) and w.shape[0] > 1 and _sums_to_one(w, 0):
        yield Finding("s2s_weights_batch_axis")
        return
    if mask is None:
        return
    keep = mask.expand(w.shape).bool()
    leaked = w[~keep]
    if leaked.numel() and bool((leaked.abs() > 0).any()):
        if scores is not None and bool(((torch.softmax(scores.double(), -1) - w).abs() < 1e-5).all()):
            yield Finding("s2s_padding_ignored")
        else:
            yield Finding("s2s_padding_weight", {"count": int((leaked.abs() > 0).sum()), "total": leaked.numel(),
                                                 "largest": number(float(leaked.abs().max()))})
        return
    if not _sums_to_one(w, -1):
        yield Finding("s2s_weights_not_renormalised")


def weights_probe(view: View) -> Iterator[Finding]:
    """attention_weights: its output against the scores and the source mask."""
    w = view.tensor("out")
    if w is not None and w.is_floating_point():
        yield from _weights(w, view.inputs.get("src_mask"), view.inputs.get("scores"))


def step_weights_probe(view: View) -> Iterator[Finding]:
    """AttentionDecoderStep: the weights it returns (out.2), against the source mask when one was passed."""
    w = view.tensor("out.2")
    if w is None or not w.is_floating_point():
        return
    passed = view.args.get("forward", [])
    masked = len(passed) > 3 and isinstance(passed[3], list) and passed[3][-1] is not None
    yield from _weights(w, view.inputs.get("src_mask") if masked else None)


def decoder_weights_probe(view: View) -> Iterator[Finding]:
    """AttentionDecoder: the stacked weights (out.1, (B, T, S)) against the source mask."""
    w = view.tensor("out.1")
    if w is not None and w.is_floating_point():
        yield from _weights(w, view.inputs.get("src_mask_steps"))
