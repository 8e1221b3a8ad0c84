"""Judging one case: the ordered checks on what the child sent back, then the properties.

Order: signature -> runs -> type -> shape -> dtype -> device -> finite -> values -> properties.
The first check that fails ends the case. Everything here runs in the grading process on plain data.

False failures: the dropout check's statistical parts each fail true dropout with probability at most
DROPOUT_ALPHA = 1e-6 per case: the share of dropped entries against its exact Binomial(n, p) interval, and the
independence of the drops (neighbouring entries, positions, batch rows, the two calls: each pairing's count of
agreeing pairs is exactly Binomial(n, p² + (1-p)²), tested at DROPOUT_ALPHA / 4, union bound over the four);
see :func:`_dropout_independent`.
"""

from __future__ import annotations

import dataclasses
import functools
import math
from collections.abc import Callable, Mapping
from typing import Any

import torch

from grader import compare
from grader.reference import Prepared, Reference
from grader.results import CaseResult, CheckResult, Message, Status
from grader.sandbox.protocol import ELSEWHERE, OutcomeStatus, RecordKind
from grader.sandbox.runner import Outcome
from grader.sandbox.transfer import Entry
from grader.spec import GRAD_SLACK, DropoutFit, Property, PropertyKind, Tolerance, tolerance_for, wire_literals

UNSTRUCTURED = ("after.", "grad.", "alt", "rng", "calls.")
"""Outputs that only properties look at (not part of the type/shape/dtype/device checks)."""


def _fail(name: str, message_key: str, /, **params: Any) -> CheckResult:
    return CheckResult(name=name, passed=False, message=Message(message_key, params))


def _matches(key: str, prefixes: tuple[str, ...]) -> bool:
    return any(key == p or key.startswith(p + ".") for p in prefixes)


def _error_result(exercise_id: str, outcome: Outcome) -> tuple[Status, CheckResult]:
    """The status and failed check for a task that did not return outputs."""
    r = outcome.record
    if outcome.status == OutcomeStatus.TIMEOUT:
        return Status.TIMEOUT, _timeout(r)
    if r.get("kind") == RecordKind.FORBIDDEN_CALL:  # a tripwire: whatever the route, the exercise did not do the work
        return Status.FAILED, _fail("runs", "check.forbidden_call", name=r.get("name", ""), file=r.get("file", ""),
                                    line=r.get("line", 0))
    if outcome.status == OutcomeStatus.CRASHED:
        if r.get("setup"):  # the sandbox could not be set up: the grader's fault, said as such
            return Status.ERROR, _fail("runs", "check.sandbox_setup", detail=r.get("setup"))
        sig = r.get("signal")
        if sig == "SIGXCPU":
            return Status.TIMEOUT, _fail("runs", "check.cpu_time")
        if sig is not None:
            return Status.ERROR, _fail("runs", "check.signal", signal=sig)
        return Status.ERROR, _fail("runs", "check.crashed", code=r.get("returncode"))
    if outcome.status == OutcomeStatus.TRANSFER or r.get("kind") == RecordKind.TRANSFER:
        return Status.ERROR, _fail("runs", "check.transfer", detail=str(r.get("message", "")))
    kind = r.get("kind")
    if kind == RecordKind.MEMORY:
        return Status.ERROR, CheckResult("runs", False, Message("check.memory", {"type": r.get("type", "")}),
                                         traceback=r.get("traceback"))
    if kind == RecordKind.DEVICE:  # the code made a tensor on the default device, and it met the inputs
        key = "check.device_mixed" if r.get("op") else "check.device_returned"
        return Status.FAILED, CheckResult("device", False, Message(key, {"op": r.get("op", ""), "made": r.get("made", "")}),
                                          traceback=r.get("traceback"))
    if kind == RecordKind.TOO_LARGE:
        return Status.ERROR, _fail("runs", "check.too_large", size=_size(r.get("size", 0)), limit=_size(r.get("limit", 0)))
    if kind == RecordKind.MISSING_FILE:
        return Status.MISSING, _fail("signature", "check.missing_file", file=r.get("file"))
    if kind == RecordKind.MISSING_NAME:
        return Status.MISSING, _fail("signature", "check.missing_name", name=r.get("name"), file=r.get("file"))
    if kind == RecordKind.SYNTAX:
        return Status.ERROR, _fail("signature", "check.syntax", file=r.get("file"), line=r.get("line"),
                                   detail=r.get("detail", ""), text=r.get("text", ""))
    if kind == RecordKind.IMPORT:
        return Status.ERROR, CheckResult("signature", False, Message("check.import_error", {"file": r.get("file")}),
                                         traceback=r.get("traceback"))
    if kind == RecordKind.SIGNATURE:
        return Status.FAILED, _fail("signature", "check.signature", what=r.get("what"),
                                    signature=r.get("signature"), nargs=r.get("nargs"))
    if kind == RecordKind.STATE_DICT:
        return Status.FAILED, _fail("parameters", "check.state_dict", missing=r.get("missing", []),
                                    unexpected=r.get("unexpected", []), misshaped=r.get("misshaped", []))
    if kind == RecordKind.NOT_IMPLEMENTED:
        stub_of = r.get("stub_of")
        if stub_of and stub_of != exercise_id:
            return Status.FAILED, _fail("runs", "check.dependency_not_implemented", dependency=stub_of)
        return Status.NOT_ATTEMPTED, _fail("runs", "check.not_attempted")
    return Status.ERROR, CheckResult("runs", False, Message("check.exception", {"type": r.get("type", "")}),
                                     traceback=r.get("traceback"))


def _timeout(r: Mapping[str, Any]) -> CheckResult:
    """Which limit ran out, and where the student's code was running then (innermost frame of its own)."""
    stack = r.get("stack") or []
    where = stack[-1] if stack else None
    if r.get("scope") == "skipped":
        return _fail("runs", "check.timeout_skipped", case=r.get("after", ""))
    if r.get("scope") == "dependency":
        return _fail("runs", "check.timeout_dependency", function=r.get("function", ""), file=r.get("file", ""),
                     line=r.get("line", 0))
    key = "check.submission_timeout" if r.get("scope") == "submission" else "check.timeout"
    if where is None:
        return _fail("runs", key, limit=r.get("limit", 0))
    trace = "\n".join(f'  File "{f["file"]}", line {f["line"]}, in {f["function"]}' + (f"\n    {f['code']}" if f["code"] else "")
                      for f in stack)
    return CheckResult("runs", False, Message(key + "_at", {"limit": r.get("limit", 0), "file": where["file"],
                                                           "line": where["line"], "function": where["function"]}),
                       traceback=trace)


def _size(n: Any) -> str:
    n = float(n) if isinstance(n, (int, float)) else 0.0
    for unit in ("B", "KiB", "MiB", "GiB"):
        if n < 1024 or unit == "GiB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} GiB"


def _structure(expected: Mapping[str, Entry], got: Mapping[str, Entry], device: str) -> CheckResult | None:
    keys = [k for k, e in expected.items() if not k.startswith(UNSTRUCTURED) and e.kind in ("tensor", "sequence")]
    for name in ("type", "shape", "dtype", "device"):
        for key in keys:
            exp, act = expected[key], got.get(key)
            if name == "type":
                if act is None or act.kind != exp.kind or (exp.kind == "sequence" and act.length != exp.length):
                    return _fail("type", "check.type", key=key, expected=exp.describe(),
                                 got=act.describe() if act else "nothing")
            elif exp.kind != "tensor" or act is None:
                continue
            elif name == "shape" and act.shape != exp.shape:
                return _fail("shape", "check.shape", key=key, expected=list(exp.shape), got=list(act.shape))
            elif name == "dtype" and act.dtype != exp.dtype:
                return _fail("dtype", "check.dtype", key=key, expected=exp.dtype, got=act.dtype)
            elif name == "device" and act.device != ("cpu" if device == ELSEWHERE else device):
                return _fail("device", "check.device", key=key, expected=device, got=act.device)
    return None


def _compared(prepared: Prepared, got: Mapping[str, Entry]) -> list[tuple[str, torch.Tensor, torch.Tensor, Tolerance]]:
    """(key, student tensor, float64 truth, tolerance) for every compared output that holds data."""
    out = []
    for key, truth in prepared.truth.items():
        act, exp = got.get(key), prepared.expected.get(key)
        if (not _matches(key, prepared.case.compare) or truth.tensor is None or act is None
                or act.tensor is None or exp is None):
            continue
        out.append((key, act.tensor, truth.tensor, tolerance_for(getattr(torch, exp.dtype)).for_output(truth.tensor)))
    return out


def _finite(pairs: list[tuple[str, torch.Tensor, torch.Tensor, Tolerance]]) -> CheckResult | None:
    for key, act, truth, _ in pairs:
        if not act.is_floating_point():
            continue
        bad = ~torch.isfinite(act) & torch.isfinite(truth)
        if bool(bad.any()):
            index = tuple(int(i) for i in bad.nonzero()[0])
            return _fail("finite", "check.finite", key=key, count=int(bad.sum()), index=list(index),
                         value=str(float(act[index])))
    return None


def _values(pairs: list[tuple[str, torch.Tensor, torch.Tensor, Tolerance]],
            masks: Mapping[str, torch.Tensor] | None = None) -> CheckResult | None:
    """The first output beyond tolerance; its picture draws a failing output the case masks first (``masks``:
    output key -> the case's mask for it, whose masked positions are marked)."""
    masks = masks or {}
    found = [(key, d) for key, act, truth, tol in pairs if (d := compare.diff(act, truth, tol, masks.get(key)))]
    if not found:
        return None
    key, d = found[0]
    drawn, shown = next(((k, x) for k, x in found if k in masks), (key, d))
    if shown.heatmap is not None:
        d = dataclasses.replace(d, heatmap=dataclasses.replace(shown.heatmap, key=drawn))
    return CheckResult("values", False, Message("check.values", {
        "key": key, "mismatched": d.mismatched, "total": d.total, "share": round(100 * d.share, 1)}), diff=d)


# --- properties -----------------------------------------------------------------------------------
#
# A property judges observations the driver sends back besides the compared outputs (the inputs after
# the call, gradients, train-mode outputs, a second run, the raised error). An observation that is
# missing, of the wrong kind or of the wrong shape fails the property: it is never skipped, and what
# came back is never trusted to be well-formed.

def _observed(prepared: Prepared, got: Mapping[str, Entry], key: str, check: str,
              data: bool = True) -> tuple[torch.Tensor | None, CheckResult | None]:
    """The tensor observed under ``key`` (shaped like the reference's, when it has one), or the failure.

    ``data=False`` accepts a tensor without data (one on the meta device) and then returns None, no failure."""
    entry = got.get(key)
    if entry is None or entry.kind != "tensor" or (entry.tensor is None and data):
        return None, _fail(check, "check.observation", key=key, check=check,
                           got=entry.describe() if entry is not None else "nothing")
    exp = prepared.expected.get(key)
    expected_shape = exp.shape if exp is not None and exp.kind == "tensor" else None
    if expected_shape is not None and tuple(entry.shape) != tuple(expected_shape):
        return None, _fail(check, "check.observation_shape", key=key, check=check, expected=list(expected_shape),
                           got=list(entry.shape))
    return entry.tensor, None


def _mask_for(prepared: Prepared, prop: Property, shape: torch.Size) -> torch.Tensor | None:
    if prop.mask is None or prop.mask not in prepared.inputs:
        return None
    return prepared.inputs[prop.mask].expand(shape)


def _rows_sum(prepared: Prepared, got: Mapping[str, Entry], prop: Property) -> CheckResult | None:
    w, failure = _observed(prepared, got, prop.key, "rows_sum_to_one")
    if w is None:
        return failure
    tol = tolerance_for(w.dtype)
    w = w.double()
    sums = w.sum(dim=prop.dim)  # w is shaped like the reference's output, so prop.dim exists
    mask = _mask_for(prepared, prop, w.shape)
    target = torch.ones_like(sums) if mask is None else mask.any(dim=prop.dim).double()
    bad = ~((sums - target).abs() <= 10 * tol.atol)
    if bool(bad.any()):
        index = [int(i) for i in bad.nonzero()[0]]
        return _fail("rows_sum_to_one", "check.rows_sum", key=prop.key, index=index,
                     got=round(float(sums[tuple(index)]), 6), expected=float(target[tuple(index)]))
    return None


def _masked_zero(prepared: Prepared, got: Mapping[str, Entry], prop: Property) -> CheckResult | None:
    w, failure = _observed(prepared, got, prop.key, "masked_zero")
    if w is None:
        return failure
    mask = _mask_for(prepared, prop, w.shape)
    if mask is None:  # the case defines no mask input: the spec's choice, nothing the student sent
        return None
    bad = (w != 0) & ~mask
    if bool(bad.any()):
        index = [int(i) for i in bad.nonzero()[0]]
        return _fail("masked_zero", "check.masked_nonzero", key=prop.key, count=int(bad.sum()), index=index,
                     got=str(float(w[tuple(index)])))
    return None


def _inputs_unchanged(prepared: Prepared, got: Mapping[str, Entry]) -> CheckResult | None:
    """Every input the driver reports after the call (``after.*`` in the reference's outputs) must come back
    unchanged; on the meta device there is no data, only the entry itself."""
    on_meta = prepared.case.device == "meta"
    for key in prepared.expected:
        name = key.removeprefix("after.")
        if key == name or name not in prepared.inputs:
            continue
        after, failure = _observed(prepared, got, key, "inputs_unchanged", data=not on_meta)
        if failure is not None:
            return failure
        if after is not None and not compare.close(after, prepared.inputs[name], Tolerance(0.0, 0.0)):
            return _fail("inputs_unchanged", "check.inplace", name=name)
    return None


def _gradients(prepared: Prepared, got: Mapping[str, Entry]) -> CheckResult | None:
    for key, truth in prepared.truth.items():
        if not key.startswith("grad.") or truth.tensor is None:
            continue
        name = key.removeprefix("grad.")
        act = got.get(key)
        if act is None or act.kind != "tensor" or act.tensor is None:
            return _fail("gradients", "check.no_gradient", name=name)
        base = tolerance_for(getattr(torch, prepared.expected[key].dtype))
        tol = Tolerance(base.atol * GRAD_SLACK, base.rtol * GRAD_SLACK)
        if act.tensor.shape != truth.tensor.shape:
            return _fail("gradients", "check.shape", key=key, expected=list(truth.shape), got=list(act.shape))
        d = compare.diff(act.tensor, truth.tensor, tol)
        if d is not None:
            return CheckResult("gradients", False, Message("check.gradient_values", {
                "name": name, "mismatched": d.mismatched, "total": d.total}), diff=d)
    return None


DROPOUT_ALPHA = 1e-6
"""The dropout check's bound on false failures from the share of dropped entries (exact binomial tails), and,
separately, from the independence of the dropped entries (:func:`_dropout_independent`)."""

DROPOUT_PAIRINGS = ("entries", "positions", "rows", "calls")
"""The pairs the independence test compares: neighbouring entries of one position (features, a head's keys),
neighbouring positions, neighbouring batch rows, and the same entry in the two train-mode calls."""


@functools.lru_cache(maxsize=64)
def _binomial_accepts(n: int, p: float, alpha: float = DROPOUT_ALPHA) -> tuple[int, int]:
    """The counts k of Binomial(n, p) with P(X <= k) > alpha/2 and P(X >= k) > alpha/2, as [low, high].

    A count outside is rejected; under Binomial(n, p) that happens with probability at most alpha."""
    if n == 0 or p <= 0.0 or p >= 1.0:
        return (0, n) if 0 < p < 1 else ((0, 0) if p <= 0 else (n, n))
    log_pmf = [math.lgamma(n + 1) - math.lgamma(k + 1) - math.lgamma(n - k + 1) + k * math.log(p)
               + (n - k) * math.log1p(-p) for k in range(n + 1)]
    pmf = [math.exp(v) for v in log_pmf]
    low, acc = 0, 0.0
    while low < n and acc + pmf[low] <= alpha / 2:
        acc += pmf[low]
        low += 1
    high, acc = n, 0.0
    while high > 0 and acc + pmf[high] <= alpha / 2:
        acc += pmf[high]
        high -= 1
    return low, high


def _dropout(prepared: Prepared, got: Mapping[str, Entry], prop: Property) -> CheckResult | None:
    """Train-mode outputs are dropout's: the reference's under the same seed, or else outputs that some pattern
    of dropped entries (the kept ones scaled by 1/(1-p)) gives exactly, with a share of dropped entries that fits p,
    and entries dropped independently of each other and of the other call (:func:`_dropout_independent`)."""
    observed: dict[str, torch.Tensor] = {}
    for key in ("train1", "train2", "eval"):
        tensor, failure = _observed(prepared, got, key, "dropout_train")
        if failure is not None or tensor is None:
            return failure or _fail("dropout_train", "check.observation", key=key, check="dropout_train", got="nothing")
        observed[key] = tensor
    t1, t2, ev = observed["train1"], observed["train2"], observed["eval"]
    tol = tolerance_for(t1.dtype)
    same_seed = [prepared.expected.get(k) for k in ("train1", "train2")]
    if all(e is not None and e.tensor is not None and compare.close(t, e.tensor, tol)
           for t, e in zip((t1, t2), same_seed, strict=True)):
        return None  # the reference's own draws
    if compare.close(t1, ev, tol):
        return _fail("dropout_train", "check.dropout_inactive")
    if compare.close(t1, t2, tol):
        return _fail("dropout_train", "check.dropout_same")
    fit = prepared.case.dropout_fit
    if fit is None or not 0.0 < prop.p < 1.0:
        return _fail("dropout_train", "check.dropout_draws")
    scale = 1.0 / (1.0 - prop.p)
    dropped = total = 0
    fits = []
    for t in (t1, t2):
        if not t.is_floating_point() or not bool(torch.isfinite(t).all()):
            return _fail("dropout_train", "check.dropout_not_dropout", p=prop.p, scale=scale)
        explained = fit(prepared.inputs, t, scale)
        if not compare.close(t, explained.output, tol):
            return _fail("dropout_train", "check.dropout_not_dropout", p=prop.p, scale=scale)
        dropped, total = dropped + explained.dropped, total + explained.total
        fits.append(explained)
    low, high = _binomial_accepts(total, prop.p)
    if not low <= dropped <= high:
        return _fail("dropout_train", "check.dropout_rate", dropped=dropped, total=total,
                     share=round(100 * dropped / max(total, 1), 1), p=prop.p, expected=round(100 * prop.p, 1))
    return _dropout_independent(fits, prop.p)


def _pair_up(n: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Disjoint pairs (0, 1), (2, 3), ... of n indices: the first and the second of each."""
    first = torch.arange(0, n - 1, 2)
    return first, first + 1


def dropout_pairs(kept: torch.Tensor, known: torch.Tensor) -> dict[str, tuple[torch.Tensor, torch.Tensor]]:
    """For each pairing of :data:`DROPOUT_PAIRINGS`: (agree, usable), flat bool tensors over disjoint pairs of
    entries, where agree says both entries were kept or both dropped and usable that both are identified.

    ``kept``, ``known``: (2, B, L, n), the two train-mode calls' patterns. No entry is in two pairs of one pairing."""
    out: dict[str, tuple[torch.Tensor, torch.Tensor]] = {}
    for name, dim in zip(DROPOUT_PAIRINGS, (-1, 2, 1, 0), strict=True):
        a, b = _pair_up(kept.shape[dim])
        ka, kb = kept.index_select(dim, a), kept.index_select(dim, b)
        ua, ub = known.index_select(dim, a), known.index_select(dim, b)
        out[name] = ((ka == kb).flatten(), (ua & ub).flatten())
    return out


def _dropout_independent(fits: list[DropoutFit], p: float) -> CheckResult | None:
    """Dropout drops each entry independently, in each call anew: the recovered patterns of the two train-mode calls
    are tested for that (a fixed or flipped checkerboard, one mask for the batch, for every position or for both
    calls all fail it).

    Bound: under true dropout the entries of the two calls are independent Bernoulli(p) drops, so for two distinct
    entries P(both kept or both dropped) = p² + (1-p)² = r, and over the disjoint pairs of one pairing the number of
    agreeing pairs is Binomial(n, r) exactly. Each of the 4 pairings' counts is rejected outside its exact binomial
    acceptance interval at level DROPOUT_ALPHA / 4 (:func:`_binomial_accepts`), so true dropout fails this test with
    probability at most DROPOUT_ALPHA = 1e-6 per case (union bound). Only identified entries are counted; which
    entries are identified depends on the case's inputs, never on the draws."""
    patterns = [(f.kept, f.known) for f in fits if f.kept is not None and f.known is not None]
    if len(patterns) != len(fits):
        return None  # a fit that recovers no pattern: the rate test above is all that can be said
    if patterns[0][0].shape != patterns[1][0].shape:
        return None
    kept = torch.stack([k.bool() for k, _ in patterns])
    known = torch.stack([w.bool() for _, w in patterns])
    if kept.dim() != 4:
        return None
    r = p * p + (1 - p) * (1 - p)
    for name, (agree, usable) in dropout_pairs(kept, known).items():
        n = int(usable.sum())
        same = int((agree & usable).sum())
        low, high = _binomial_accepts(n, r, DROPOUT_ALPHA / len(DROPOUT_PAIRINGS))
        if not low <= same <= high:
            return _fail("dropout_train", f"diagnosis.dropout_dependent.{name}", same=same, pairs=n,
                         share=round(100 * same / max(n, 1), 1), expected=round(100 * r, 1),
                         low=round(100 * low / max(n, 1), 1), high=round(100 * high / max(n, 1), 1))
    return None


def _causal(prepared: Prepared, got: Mapping[str, Entry], prop: Property) -> CheckResult | None:
    alt_key = "alt" + prop.key.removeprefix("out")
    out, failure = _observed(prepared, got, prop.key, "causal")
    if out is None:
        return failure
    alt, failure = _observed(prepared, got, alt_key, "causal")
    if alt is None:
        return failure
    if alt.shape != out.shape:
        return _fail("causal", "check.observation_shape", key=alt_key, check="causal", expected=list(out.shape),
                     got=list(alt.shape))
    p = prop.prefix
    if out.dim() < 2 or not compare.close(out[..., :p, :], alt[..., :p, :], tolerance_for(out.dtype)):
        return _fail("causal", "check.causal", key=prop.key, prefix=p)
    return None


def _raises(prepared: Prepared, got: Mapping[str, Entry], prop: Property) -> CheckResult | None:
    raised = got.get("raised")
    if raised is None or raised.kind not in ("none", "value") or not isinstance(raised.value, (str, type(None))):
        return _fail("raises", "check.observation", key="raised", check="raises", got=raised.describe() if raised else "nothing")
    if raised.kind == "none":
        return _fail("raises", "check.not_raised", error=prop.error, args=prepared.arguments(prop.name))
    names = str(raised.value).split() or ["?"]
    return None if prop.error in names else _fail("raises", "check.wrong_exception", error=prop.error, got=names[0])


def _deterministic(prepared: Prepared, got: Mapping[str, Entry], prop: Property) -> CheckResult | None:
    """A draws case: the extra call with the first draw's generator state gives the first draw again."""
    for key, entry in prepared.expected.items():
        if not key.startswith("repeat") or entry.kind != "tensor":
            continue
        again, failure = _observed(prepared, got, key, "deterministic")
        drawn, failure2 = _observed(prepared, got, "out" + key.removeprefix("repeat"), "deterministic")
        if again is None or drawn is None:
            return failure or failure2
        if drawn.shape[:1] == (0,) or not torch.equal(again, drawn[0]):
            return _fail("deterministic", "check.not_deterministic")
    return None


def _global_rng(prepared: Prepared, got: Mapping[str, Entry], prop: Property) -> CheckResult | None:
    """A draws case: torch's global generator, seeded before the calls, gives after them what it gives untouched."""
    after, failure = _observed(prepared, got, "rng", "global_rng")
    if after is None:
        return failure
    expected = prepared.expected["rng"].tensor
    if expected is None or not torch.equal(after, expected):
        return _fail("global_rng", "check.global_rng")
    return None


def _judge(prepared: Prepared, got: Mapping[str, Entry], prop: Property) -> CheckResult | None:
    """The assignment's own trusted judge, on the case's inputs, the student's outputs and the call's literals."""
    outputs = {k: e.tensor for k, e in got.items() if e.kind == "tensor" and e.tensor is not None}
    try:
        verdict = prop.resolve_judge()(prepared.inputs, outputs, wire_literals(prepared.call_args))
    except Exception as exc:  # noqa: BLE001 - outputs the judge cannot read fail the check, never the grader
        return _fail(prop.check, "check.unjudgeable", check=prop.check, error=type(exc).__name__)
    if verdict is None:
        return None
    key, params = verdict  # no key: the property holds, and the judge says what it measured (a leaderboard reads it)
    return _fail(prop.check, key, **params) if key else CheckResult(prop.check, True, Message("check.measured", params))


PROPERTIES: Mapping[PropertyKind, Callable[[Prepared, Mapping[str, Entry], Property], CheckResult | None]] = {
    PropertyKind.ROWS_SUM_TO_ONE: _rows_sum,
    PropertyKind.MASKED_ZERO: _masked_zero,
    PropertyKind.GRADIENTS: lambda p, g, _: _gradients(p, g),
    PropertyKind.DROPOUT_TRAIN: _dropout,
    PropertyKind.CAUSAL: _causal,
    PropertyKind.RAISES: _raises,
    PropertyKind.DETERMINISTIC: _deterministic,
    PropertyKind.GLOBAL_RNG: _global_rng,
    PropertyKind.JUDGE: _judge,
}


def grade_case(prepared: Prepared, outcome: Outcome, device: str) -> CaseResult:
    """Run the ordered checks on one case's outcome."""
    case = prepared.case
    if outcome.record.get("kind") == RecordKind.STATE_DICT and case.driver == "raises":  # built: nothing refused
        prop = next((p for p in case.properties if p.kind == PropertyKind.RAISES), Property(PropertyKind.RAISES))
        failed = _fail("raises", "check.not_raised", error=prop.error, args=prepared.arguments(prop.name))
        return CaseResult(case.id, case.hidden, Status.FAILED, (failed,))
    if outcome.status != OutcomeStatus.OK:
        status, check = _error_result(prepared.exercise.id, outcome)
        return CaseResult(case.id, case.hidden, status, (check,))
    got = outcome.entries
    passed = [CheckResult("signature", True), CheckResult("runs", True)]
    pairs = _compared(prepared, got)
    steps: list[Callable[[], CheckResult | None]] = [
        lambda: _structure(prepared.expected, got, device),
        lambda: _finite(pairs),
        lambda: _values(pairs, {p.key: prepared.inputs[p.mask] for p in case.properties
                                if p.mask is not None and p.mask in prepared.inputs}),
        lambda: _inputs_unchanged(prepared, got),
        *[(lambda prop=prop: PROPERTIES[prop.kind](prepared, got, prop)) for prop in case.properties],
    ]
    for found in (step() for step in steps):  # a passed check comes back only with a judge's measurements
        if found is not None and not found.passed:
            return CaseResult(case.id, case.hidden, Status.FAILED, (*passed, _named_output(prepared, found)))
        passed += [found] if found is not None else []
    return CaseResult(case.id, case.hidden, Status.PASSED, tuple(passed))


STRUCTURE_CHECKS = ("signature", "runs", "parameters", "type", "shape", "dtype", "device")
"""A case that failed one of these says nothing about values: only a mistake of structure (one whose own
output has another shape or dtype than the correct one, and exactly the student's) is named from it."""


def mistake_evidence(reference: Reference, prepared: Prepared, outcome: Outcome,
                     result: CaseResult | None = None) -> dict[str, bool]:
    """For each catalogued mistake this case can tell apart from the correct output: True when the student's
    output equals the mistake's (evidence for it), False when it differs (evidence against it). A case that
    cannot tell the mistake from the correct output (a 1x1 causal mask "matches" anything), or a structural
    failure for a mistake of values, says nothing and is left out."""
    if outcome.status != OutcomeStatus.OK or prepared.case.device == "meta":
        return {}
    structural = result is not None and result.failure is not None and result.failure.name in STRUCTURE_CHECKS
    got = outcome.entries
    found: dict[str, bool] = {}
    for mistake in prepared.exercise.mistakes:
        theirs = reference.mistake_outputs(prepared.exercise, prepared.case, mistake.id, prepared.graded)
        if theirs is None or _same(prepared.expected, theirs):
            continue
        if structural and _same_structure(prepared.expected, theirs):  # a value mistake says nothing here
            continue
        found[mistake.id] = _same(got, theirs)
    return found


def _output_name(exercise_outputs: Mapping[str, str], key: str) -> str:
    """The name a person reads for an output key: the exercise's own (``out.1`` → ``weights``), else ``output``
    for the single output, ``output 0`` for ``out.0``, and other keys as they are."""
    if key in exercise_outputs:
        return exercise_outputs[key]
    if key == "out":
        return "output"
    if key.startswith("out.") and key[4:].isdigit():
        return f"output {key[4:]}"
    return key


def _named_output(prepared: Prepared, failure: CheckResult) -> CheckResult:
    if failure.diff is not None and failure.diff.heatmap is not None and failure.diff.heatmap.key:
        shown = dataclasses.replace(failure.diff.heatmap, key=_output_name(prepared.exercise.outputs, failure.diff.heatmap.key))
        failure = dataclasses.replace(failure, diff=dataclasses.replace(failure.diff, heatmap=shown))
    message = failure.message
    if message is None or not isinstance(message.params.get("key"), str):
        return failure
    name = _output_name(prepared.exercise.outputs, message.params["key"])
    return dataclasses.replace(failure, message=Message(message.key, {**message.params, "key": name}))


def probe_view(prepared: Prepared, outcome: Outcome, result: CaseResult) -> Any:
    """What the exercise's probes may look at for this failed case (None when they have nothing to read: the
    code did not return, the case compares structure only, or a structural check failed)."""
    from grader.diagnose import View

    if outcome.status != OutcomeStatus.OK or prepared.case.device == "meta" or result.failure is None \
            or result.failure.name in STRUCTURE_CHECKS:
        return None
    return View(prepared.exercise, prepared.case, prepared.inputs, prepared.call_args, outcome.entries,
                prepared.expected, prepared.truth)


def _same_structure(a: Mapping[str, Entry], b: Mapping[str, Entry]) -> bool:
    """Same kinds, shapes and dtypes for every tensor of ``a`` (values aside)."""
    for key, entry in a.items():
        other = b.get(key)
        if entry.kind == "tensor" and entry.tensor is not None:
            if other is None or other.tensor is None or other.tensor.shape != entry.tensor.shape \
                    or other.tensor.dtype != entry.tensor.dtype:
                return False
    return True


def _same(got: Mapping[str, Entry], theirs: Mapping[str, Entry]) -> bool:
    compared = 0
    for key, entry in got.items():
        if key.startswith("train"):
            continue
        other = theirs.get(key)
        if entry.kind == "tensor" and entry.tensor is not None:
            if other is None or other.tensor is None or entry.tensor.shape != other.tensor.shape \
                    or entry.tensor.dtype != other.tensor.dtype:  # a uint8 mask is not a bool mask's mistake
                return False
            if not compare.close(entry.tensor, other.tensor, tolerance_for(entry.tensor.dtype)):
                return False
            compared += 1
        elif entry.kind in ("value", "none"):
            if other is None or other.kind != entry.kind or other.value != entry.value:
                return False
            compared += 1
    return compared > 0
