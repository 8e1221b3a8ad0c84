"""The model of an assignment: exercises, their cases, tolerances, properties and known mistakes.

Everything here is plain, frozen data. The functions an assignment supplies (case-input makers and
mistake implementations) are trusted code that runs in the grading process only.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch


@dataclass(frozen=True)
class Tolerance:
    """Largest accepted difference: |got - expected| <= atol + rtol * |expected|."""

    atol: float
    """Absolute part of the bound."""
    rtol: float
    """Relative part of the bound."""
    scale: float = 0.0
    """Share of the output's largest magnitude added to ``atol`` (:meth:`for_output`): an element near zero
    is judged against the size of the values it was computed from, not against zero (a constant computed
    in float32 moves every element of a float64 output by ~1e-8 of that size)."""

    def for_output(self, expected: torch.Tensor) -> Tolerance:
        """This tolerance for one output: ``atol`` grown by ``scale`` times its largest finite magnitude."""
        if not self.scale or not expected.is_floating_point() or expected.numel() == 0:
            return self
        finite = expected[torch.isfinite(expected)]
        largest = float(finite.abs().max()) if finite.numel() else 0.0
        return Tolerance(self.atol + self.scale * largest, self.rtol)


TOLERANCES: Mapping[torch.dtype, Tolerance] = {
    torch.float64: Tolerance(atol=1e-9, rtol=1e-7, scale=1e-7),
    torch.float32: Tolerance(atol=1e-4, rtol=1e-4),
    torch.float16: Tolerance(atol=5e-3, rtol=5e-3),
    torch.bfloat16: Tolerance(atol=3e-2, rtol=3e-2),
}
"""Per-dtype value tolerances, calibrated with tests/corpus: every correct variant passes them and
every catalogued mistake fails them."""

GRAD_SLACK = 10.0
"""Gradients go through more arithmetic than outputs: their tolerance is the value tolerance times this."""


def tolerance_for(dtype: torch.dtype) -> Tolerance:
    """The value tolerance for outputs of ``dtype`` (exact for bool and integer tensors)."""
    return TOLERANCES.get(dtype, Tolerance(atol=0.0, rtol=0.0))


@dataclass(frozen=True)
class Property:
    """A property checked on a case's outputs, after the values."""

    kind: str
    """One of: inputs_unchanged, rows_sum_to_one, masked_zero, gradients, dropout_train, causal, raises."""
    key: str = "out"
    """The output the property looks at."""
    mask: str | None = None
    """For masked_zero and rows_sum_to_one: the name of the mask input."""
    prefix: int = 0
    """For causal: the number of leading positions that must not change."""
    error: str = "ValueError"
    """For raises: the exception class expected."""
    dim: int = -1
    """For rows_sum_to_one: the dimension that sums to one."""
    p: float = 0.0
    """For dropout_train: the dropout probability the module was built with."""


@dataclass(frozen=True)
class DropoutFit:
    """The train-mode output that true dropout comes closest to giving (see ``Case.dropout_fit``)."""

    output: torch.Tensor
    """What the module returns when the recovered entries are dropped and the others scaled by 1/(1-p)."""
    dropped: int
    """How many of the identifiable entries the recovered pattern drops."""
    total: int
    """How many entries the output identifies (dropped or kept, told apart beyond doubt)."""


@dataclass(frozen=True)
class Case:
    """One call of the student's code on seeded inputs."""

    id: str
    """Short, stable, readable name, unique within its exercise."""
    driver: str
    """The name of the driver in grader.sandbox.drivers that makes the call."""
    make: Callable[[CaseEnv], dict[str, torch.Tensor]]
    """Builds the tensor inputs (and module weights, as ``state.*``) from a seeded generator."""
    args: Mapping[str, Any] = field(default_factory=dict)
    """JSON-able driver arguments: the call (``call``), constructor arguments (``init``), and so on."""
    hidden: bool = False
    """Hidden cases run only with --hidden (CI and batch grading)."""
    device: str | None = None
    """None: the device under test; "cpu" for calls that take no tensor; "meta" for portability."""
    compare: tuple[str, ...] = ("out",)
    """Outputs whose values are compared with the reference (by key prefix)."""
    properties: tuple[Property, ...] = ()
    """Properties checked after the values."""
    draw_args: Callable[[torch.Generator], Mapping[str, Any]] | None = None
    """For a case whose call takes only literals (no seeded input): its driver arguments drawn from the case's
    seed in a graded run (``hidden=True``), so that a graded run never repeats a call a student bundle shows."""
    dropout_fit: Callable[[Mapping[str, torch.Tensor], torch.Tensor, float], DropoutFit] | None = None
    """For dropout cases: trusted code that, given the case's inputs, one train-mode output and the scale
    1/(1-p), recovers the pattern of dropped entries that explains the output best (see checks._dropout)."""


@dataclass(frozen=True)
class CaseEnv:
    """What a case's ``make`` may use: a seeded generator and the reference implementation."""

    gen: torch.Generator
    reference: Any
    """An object whose attributes are the reference's exercises (functions and classes)."""


@dataclass(frozen=True)
class Mistake:
    """A known wrong implementation; when the student's output matches it, the report names it."""

    id: str
    """Stable identifier, e.g. ``no_sqrt_dk``; messages live under ``mistake.<id>`` in the catalogs."""
    impl: Callable[[Any], Any]
    """Given the reference (an object with the exercises as attributes), returns a function or module
    class with the exercise's signature that makes exactly this mistake."""


@dataclass(frozen=True)
class Exercise:
    """One function or class the student implements."""

    id: str
    """The function or class name; also the id in every output."""
    file: str
    """The file in the submission that defines it."""
    task: int
    """The task number used by the stub's marker, ``Task N: id``."""
    points: float
    kind: str
    """``function`` or ``module``."""
    cases: tuple[Case, ...]
    depends_on: tuple[str, ...] = ()
    """Exercises whose implementation this one normally calls."""
    mistakes: tuple[Mistake, ...] = ()
    forbidden: tuple[str, ...] = ()
    """Dotted names the student's code for this exercise must not use (a shortcut to the answer)."""
    probes: tuple[Callable[[Any], Any], ...] = ()
    """Trusted functions that recognise the nature of an error on a failed case (grader.diagnose.Probe)."""
    outputs: Mapping[str, str] = field(default_factory=dict)
    """Names a person reads for the outputs' keys (``out.0`` → ``output``), in reports and messages."""


@dataclass(frozen=True)
class Assignment:
    """A set of exercises graded together."""

    name: str
    title: str
    exercises: tuple[Exercise, ...]
    solutions: Path | None
    """Where the reference implementation lives (never shipped to students); None in a student bundle."""
    files: tuple[str, ...]
    """The files a submission must contain."""
    quiz: Path | None = None
    """The instructor's question bank (with answers), if the assignment has a quiz."""
    fixtures: Path | None = None
    """A student bundle's stored reference outputs (visible cases only), used instead of ``solutions``."""

    @property
    def max_score(self) -> float:
        return sum(e.points for e in self.exercises)

    def exercise(self, exercise_id: str) -> Exercise:
        for exercise in self.exercises:
            if exercise.id == exercise_id:
                return exercise
        known = ", ".join(e.id for e in self.exercises)
        raise KeyError(f"no exercise {exercise_id!r} in assignment {self.name!r}; known: {known}")
