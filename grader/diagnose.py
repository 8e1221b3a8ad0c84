"""Diagnosis by probes: recognise the nature of an error from what the student's code returned.

The mistake catalog names an error when the student's output equals the output of one known wrong program.
Real mistakes come in many forms (a ``-1e-12`` fill, scores multiplied by the mask, the mask never passed on),
so an exercise also declares probes: trusted functions that look at one failed case's inputs and the student's
outputs and say what they observe, whatever code produced it: the factor the scores were divided by, the axis
the weights sum to one over, weights left on masked positions, the function and exponent of each column of a
positional encoding, where each element of a head layout came from, parameters that do not influence the
output, an output that is not a LayerNorm's. Some probes also run the reference with one thing changed (the
mask left out, two inputs' roles swapped) and report the change that reproduces the student's output.

Probes run in the grading process on plain tensors (the student's code never runs here). A probe that fails
on a hostile or odd output says nothing: an exception in a probe is swallowed, never a grading error.
Each diagnosis has a message (``diagnosis.<id>`` or ``diagnosis.<id>.<variant>``) in English and Korean that says
what was observed and where to look, never the solution.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
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
