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
    the probe reports the first change whose output the student's equals (within ten times the tolerance)."""

    candidates: Callable[[View], Candidates]
    key: str = "out"

    def __call__(self, view: View) -> Iterator[Finding]:
        for finding, candidate in self.computed(view):
            if view.close(self.key, candidate):
                yield finding
                return

    def computed(self, view: View) -> Iterator[tuple[Finding, torch.Tensor]]:
        """Each candidate computed (a change that does not fit this case's shapes reproduces nothing: left out)."""
        for finding, make in self.candidates(view):
            try:
                candidate = make()
            except Exception:  # noqa: BLE001
                continue
            yield finding, candidate


@dataclass(frozen=True)
class Replay:
    """A :class:`Counterfactual` as a student bundle has it: its candidates computed at release for each visible
    case (``stored(case id)``), compared in the same order."""

    stored: Callable[[str], list[tuple[Finding, torch.Tensor]]]
    key: str = "out"

    def __call__(self, view: View) -> Iterator[Finding]:
        for finding, candidate in self.stored(view.case.id):
            if view.close(self.key, candidate):
                yield finding
                return


def code_ref(probe: Any) -> dict[str, Any]:
    """How a bundle names a probe (or another function) that ships as code: ``{"ref": "module:qualname", "kwargs": {...}}`` for a module-level
    function, or a functools.partial of one with keyword arguments only; ValueError for anything else (a closure
    cannot be shipped)."""
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

    A diagnosis is reported once per id, with the parameters of the first case that showed it and the list of
    cases that did; the most often seen come first."""
    found: dict[str, tuple[Mapping[str, Any], list[str]]] = {}
    probes = tuple(probes)
    for n, (case_id, view) in enumerate(views):
        if n >= MAX_CASES:
            break
        for probe in probes:
            try:
                findings = list(probe(view))
            except Exception:  # noqa: BLE001 - a probe that cannot read this output observes nothing
                continue
            for f in findings:
                params, cases = found.setdefault(f.id, (dict(f.params), []))
                if case_id not in cases:
                    cases.append(case_id)
    ordered = sorted(found.items(), key=lambda kv: -len(kv[1][1]))
    return tuple(Diagnosis(id=k, params=p, cases=tuple(c)) for k, (p, c) in ordered)


def number(value: float) -> str:
    """A factor as a person reads it: three significant digits."""
    if not math.isfinite(value):
        return str(value)
    return f"{value:.3g}"
