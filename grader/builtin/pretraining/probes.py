"""Probes of the pretraining assignment: what kind of error a failed case shows, whatever code produced it.

Each probe takes a :class:`grader.diagnose.View` of one failed case and yields findings (``diagnosis.<id>`` in the
assignment's catalog). They read the student's outputs and the case's inputs only, and ship, as code, in a student
bundle (grader.fixtures). The stochastic exercises are diagnosed by their judges (statistics.py).
"""

from __future__ import annotations

from collections.abc import Iterator

from grader.diagnose import Finding, View
from grader.spec import PropertyKind


def dropout_before_norm(view: View) -> Iterator[Finding]:
    """A dropout case's train-mode output (p > 0) with no zeros, which differs from the eval-mode output and is, row
    by row, a LayerNorm's output (mean 0 and variance 1 once the norm's bias and weight are undone): something
    random, dropout, acted before the LayerNorm, which rescaled what survived."""
    if view.case.driver != "dropout":
        return
    p = next((prop.p for prop in view.case.properties if prop.kind is PropertyKind.DROPOUT_TRAIN), None)
    t1, ev = view.tensor("train1"), view.tensor("eval")
    weight, bias = view.inputs.get("state.norm.weight"), view.inputs.get("state.norm.bias")
    if p is None or not 0.0 < p < 1.0 or t1 is None or ev is None or weight is None or bias is None \
            or t1.shape != ev.shape or not t1.is_floating_point() or not t1.numel() or t1.shape[-1] != weight.numel():
        return
    if bool((t1 == 0).any()):
        return  # dropout's zeros are in the output: not this mistake
    if bool(((t1 - ev).abs() <= 1e-6 * (1 + ev.abs())).all()):
        return  # no dropout at all: dropout_missing's case, not this one
    w = weight.double()
    if bool((w.abs() < 1e-3).any()):
        return
    z = (t1 - bias.double()) / w
    mean, var = z.mean(dim=-1), z.var(dim=-1, unbiased=False)
    if bool((mean.abs() < 1e-3).all()) and bool(((var - 1).abs() < 1e-2).all()):
        yield Finding("dropout_before_norm")


def masked_into_tokens(view: View) -> Iterator[Finding]:
    """The caller's tokens, after the call, hold masked inputs the call returned (mask_id or a replacement where it
    selected): the masking wrote into the tensor it was given (``inputs = tokens`` makes no copy)."""
    after, shown = view.got.get("after.tokens"), view.got.get("out.0")
    tokens = view.inputs.get("tokens")
    if after is None or shown is None or tokens is None or after.tensor is None or shown.tensor is None:
        return
    a, t, s = after.tensor.cpu(), tokens.cpu(), shown.tensor.cpu()
    if a.shape != t.shape or s.shape[-a.dim():] != a.shape:
        return
    changed = a != t
    if not bool(changed.any()):
        return
    draws = s.reshape(-1, *a.shape)
    if any(bool((d[changed] == a[changed]).all()) and bool((d != t)[changed].all()) for d in draws):
        yield Finding("masked_into_tokens", {"count": int(changed.sum())})
