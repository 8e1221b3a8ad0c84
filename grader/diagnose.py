"""Diagnosis by probes: recognise the nature of an error from what the student's code returned.

The mistake catalog names an error when the student's output equals the output of one known wrong program.
Real mistakes come in many forms (a ``-1e-12`` fill, scores multiplied by the mask, the mask never passed on),
so an exercise also declares probes: trusted functions that look at one failed case's inputs and the student's
outputs and say what they observe, whatever code produced it: the factor the scores were divided by, the axis
the weights sum to one over, weights left on masked positions, the function and exponent of each column of a
positional encoding, where each element of a head layout came from, parameters that do not influence the
output, an output that is not a LayerNorm's. Some probes also run the reference with one thing changed (the
mask left out, two inputs' roles swapped) and report the change that reproduces the student's output.

A counterfactual probe (:class:`Counterfactual`) lists its candidates from the case alone (its inputs and
arguments, never the student's output), so that a student bundle, which holds no reference code, ships the
candidates computed for its visible cases instead of the code (:class:`Replay`, grader.fixtures). Any other probe
reads the student's outputs and the case, and ships as code (:func:`code_ref`).

Probes run in the grading process on plain tensors (the student's code never runs here). A probe that fails
on a hostile or odd output says nothing: an exception in a probe is swallowed, never a grading error.
Each diagnosis has a message (``diagnosis.<id>`` or ``diagnosis.<id>.<variant>``) in English and Korean that says
what was observed and where to look, never the solution.
"""

from __future__ import annotations

import functools
import importlib
import math
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import torch

from grader import compare
from grader.results import Diagnosis
from grader.sandbox.transfer import Entry
from grader.spec import Case, Exercise, Tolerance, tolerance_for

MAX_CASES = 12
"""Failed cases probed per exercise: the first ones say what there is to say, and probing costs time."""


@dataclass(frozen=True)
class Finding:
    """One observation of one probe on one case: a catalog key (``diagnosis.<id>``) and its parameters."""

    id: str
    params: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class View:
    """What a probe sees of one failed case: the case's inputs, the reference's outputs and the student's."""

    exercise: Exercise
    case: Case
    inputs: Mapping[str, torch.Tensor]
    args: Mapping[str, Any]
    got: Mapping[str, Entry]
    expected: Mapping[str, Entry]
    truth: Mapping[str, Entry]

    def tensor(self, key: str) -> torch.Tensor | None:
        """The student's output ``key`` in float64 (None when absent, without data, or not a float tensor);
        shaped like the reference's when that has a tensor there, else None."""
        entry = self.got.get(key)
        if entry is None or entry.kind != "tensor" or entry.tensor is None:
            return None
        t = entry.tensor
        exp = self.expected.get(key)
        if exp is not None and exp.kind == "tensor" and tuple(exp.shape) != tuple(t.shape):
            return None
        return t.double() if t.is_floating_point() else t

    def truth_tensor(self, key: str) -> torch.Tensor | None:
        entry = self.truth.get(key)
        return None if entry is None or entry.tensor is None else entry.tensor.double()

    def close(self, key: str, candidate: torch.Tensor) -> bool:
        """Whether the student's output ``key`` equals ``candidate`` within the output's tolerance."""
        got = self.tensor(key)
        exp = self.expected.get(key)
        if got is None or exp is None or exp.dtype is None or candidate.shape != got.shape:
            return False
        tol = tolerance_for(getattr(torch, exp.dtype)).for_output(candidate)
        return compare.close(got, candidate.double(), Tolerance(tol.atol * 10, tol.rtol * 10))

    def distance(self, key: str, candidate: torch.Tensor) -> float:
        """How far the student's output ``key`` is from ``candidate``, in units of the tolerance :meth:`close`
        allows (at most 1 where it is close; infinite where the shapes differ or there is nothing to compare)."""
        got = self.tensor(key)
        exp = self.expected.get(key)
        if got is None or exp is None or exp.dtype is None or candidate.shape != got.shape:
            return math.inf
        if not self.close(key, candidate):
            return math.inf
        tol = tolerance_for(getattr(torch, exp.dtype)).for_output(candidate)
        c = candidate.double()
        allowed = (tol.atol + tol.rtol * c.abs()) * 10
        finite = torch.isfinite(c) & torch.isfinite(got)
        if not bool(finite.any()):
            return 0.0
        return float(((got - c).abs()[finite] / allowed[finite]).max()) if got.numel() else 0.0

    def literal(self, position: int, default: Any = None, where: str = "call") -> Any:
        """The literal argument at ``position`` of the call (``where="init"``: of the constructor), written
        ``["v", value]`` in the case's driver arguments; else ``default``."""
        call = self.args.get(where, [])
        if position < len(call) and isinstance(call[position], list) and call[position][:1] == ["v"]:
            return call[position][1]
        return default


Probe = Callable[[View], Iterable[Finding]]

Candidates = Iterable[tuple[Finding, Callable[[], torch.Tensor]]]
"""What a counterfactual probe lists: each known change, and a thunk that computes the output it gives."""


@dataclass(frozen=True)
class Counterfactual:
    """A probe that recomputes the exercise with one thing changed (the mask left out, two roles swapped, another
    scale): ``candidates(view)`` lists, from the case alone, each change and what it gives for the output ``key``;
    on one case, the probe reports the change whose output the student's equals (within ten times the tolerance)
    when no other change's does; :func:`diagnose` weighs the changes over every probed case (:meth:`ranked`)."""

    candidates: Callable[[View], Candidates]
    key: str = "out"

    def __call__(self, view: View) -> Iterator[Finding]:
        yield from best(self.ranked(view))

    def ranked(self, view: View) -> list[tuple[Finding, float]]:
        """Each candidate with its :meth:`View.distance` from the student's output (what :func:`diagnose` weighs
        across cases)."""
        return [(finding, view.distance(self.key, candidate)) for finding, candidate in self.computed(view)]

    def computed(self, view: View) -> Iterator[tuple[Finding, torch.Tensor]]:
        """Each candidate computed; a change that does not fit this case's shapes reproduces nothing here (an empty
        tensor, which no output equals): it is refuted by this case, not left out of it."""
        for finding, make in self.candidates(view):
            try:
                candidate = make()
            except Exception:  # noqa: BLE001
                candidate = torch.empty(0, dtype=torch.float64)
            yield finding, candidate


@dataclass(frozen=True)
class Replay:
    """A :class:`Counterfactual` as a student bundle has it: its candidates computed at release for each visible
    case (``stored(case id)``), compared in the same order."""

    stored: Callable[[str], list[tuple[Finding, torch.Tensor]]]
    key: str = "out"

    def __call__(self, view: View) -> Iterator[Finding]:
        yield from best(self.ranked(view))

    def ranked(self, view: View) -> list[tuple[Finding, float]]:
        return [(finding, view.distance(self.key, candidate)) for finding, candidate in self.stored(view.case.id)]


def best(ranked: Iterable[tuple[Finding, float]]) -> list[Finding]:
    """The one candidate that explains the output on this case: within tolerance, and the only one that is (two
    changes that give the same output here cannot tell which one the student made: neither is said)."""
    close = [(f, d) for f, d in ranked if d <= 1.0]
    return [close[0][0]] if len(close) == 1 else []


def _identity(finding: Finding) -> tuple[str, str]:
    """What a finding claims, whatever the case's sizes: its id and its parameters that are not measurements
    (numbers differ from one case to the next; a name, a variant or a list of names does not)."""
    kept = {k: v for k, v in finding.params.items() if not isinstance(v, (int, float)) or isinstance(v, bool)}
    return finding.id, repr(sorted((k, repr(v)) for k, v in kept.items()))


def code_ref(probe: Any) -> dict[str, Any]:
    """How a bundle names a probe (or another function) that ships as code:
    ``{"ref": "module:qualname", "kwargs": {...}}`` for a module-level function, or a functools.partial of one
    with keyword arguments only; ValueError for anything else (a closure cannot be shipped)."""
    func, kwargs = (probe.func, dict(probe.keywords)) if isinstance(probe, functools.partial) else (probe, {})
    if isinstance(probe, functools.partial) and probe.args:
        raise ValueError(f"the probe {probe!r} takes positional arguments; give them by keyword")
    name = getattr(func, "__qualname__", "")
    if not callable(func) or "<" in name or not name:
        raise ValueError(f"the probe {probe!r} is not a module-level function (a closure or a lambda cannot be shipped)")
    return {"ref": f"{func.__module__}:{name}", "kwargs": kwargs}


def from_ref(ref: Mapping[str, Any]) -> Any:
    """The function :func:`code_ref` named (its module imported, or already loaded by a bundle): a probe, or the
    engine's dropout solve."""
    module, _, name = str(ref["ref"]).partition(":")
    func: Any = importlib.import_module(module)
    for part in name.split("."):
        func = getattr(func, part)
    kwargs = dict(ref.get("kwargs") or {})
    return functools.partial(func, **kwargs) if kwargs else func


def diagnose(exercise: Exercise, probes: Iterable[Probe], views: Iterable[tuple[str, View]]) -> tuple[Diagnosis, ...]:
    """Run every probe on each failed case (the first :data:`MAX_CASES`) and gather what they found.

    A counterfactual probe's change is said only when it is true: it must explain the student's output within
    tolerance on every probed case it was drawn from, and better than every other change the probe lists (each
    other one fails on some case, or explains fewer of them); two changes that explain the same cases equally (a
    memory_mask that masks nothing here, and no mask) leave the cause open: neither is said, and the checks'
    messages still say what was observed. A diagnosis is reported once per id, with the parameters of the first
    case that showed it and the list of cases that did; the most often seen come first."""
    found: dict[str, tuple[Mapping[str, Any], list[str]]] = {}
    probes = tuple(probes)
    drawn: list[dict[tuple[str, str], tuple[Finding, list[str], bool]]] = [{} for _ in probes]
    for n, (case_id, view) in enumerate(views):
        if n >= MAX_CASES:
            break
        for probe, changes in zip(probes, drawn, strict=True):
            ranked = getattr(probe, "ranked", None)
            try:
                if ranked is not None:  # a counterfactual: weighed over every case below
                    for f, d in list(ranked(view)):
                        first, cases, holds = changes.get(_identity(f), (f, [], True))
                        changes[_identity(f)] = (first, [*cases, case_id], holds and d <= 1.0)
                    continue
                findings = list(probe(view))
            except Exception:  # noqa: BLE001 - a probe that cannot read this output observes nothing
                continue
            for f in findings:
                params, cases = found.setdefault(f.id, (dict(f.params), []))
                if case_id not in cases:
                    cases.append(case_id)
    for changes in drawn:
        holding = [(f, list(dict.fromkeys(cases))) for f, cases, holds in changes.values() if holds]
        for i, (f, cases) in enumerate(holding):
            if any(j != i and set(other) >= set(cases) for j, (_, other) in enumerate(holding)):
                continue  # another change explains every case this one does
            params, seen = found.setdefault(f.id, (dict(f.params), []))
            seen.extend(c for c in cases if c not in seen)
    ordered = sorted(found.items(), key=lambda kv: -len(kv[1][1]))
    return tuple(Diagnosis(id=k, params=p, cases=tuple(c)) for k, (p, c) in ordered)


def number(value: float) -> str:
    """A factor as a person reads it: three significant digits."""
    if not math.isfinite(value):
        return str(value)
    return f"{value:.3g}"
