"""What grading produces: results per check, case, exercise and submission. Plain data, no display."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import Any


@dataclass(frozen=True)
class Cell:
    """One element of the grid shown in a diff."""

    expected: float
    got: float
    ok: bool


@dataclass(frozen=True)
class Grid:
    """A window of the 2-D slice that holds the worst element."""

    slice_index: tuple[int, ...]
    """The leading indices that select the 2-D slice (empty for 1-D and 2-D tensors)."""
    row_start: int
    col_start: int
    cells: tuple[tuple[Cell, ...], ...]


@dataclass(frozen=True)
class Heatmap:
    """The 2-D slice that holds the worst element, as a picture draws it: whole up to a cap (a window around the
    worst element beyond it), values rounded to four significant digits (more than a colour shows)."""

    slice_index: tuple[int, ...]
    """The leading indices that select the slice (empty for 1-D and 2-D tensors)."""
    row_start: int
    col_start: int
    rows: int
    cols: int
    expected: tuple[float, ...]
    """Row-major, ``rows * cols`` values."""
    got: tuple[float, ...]
    bad: tuple[int, ...] = ()
    """Row-major positions (``r * cols + c``) beyond the tolerance."""
    masked: tuple[int, ...] = ()
    """Row-major positions the case's mask forbids (attention may not go there)."""
    boolean: bool = False
    """Both tensors are boolean (a mask): drawn in two colours."""
    key: str = ""
    """The output drawn (its name a person reads): a masked output that fails is drawn before the one the diff is
    about, since attention weights show a mistake that their product with the values hides."""


@dataclass(frozen=True)
class TensorDiff:
    """How ``got`` differs from ``expected`` beyond the tolerance."""

    shape: tuple[int, ...]
    mismatched: int
    """Elements outside the tolerance (NaN and infinities included)."""
    total: int
    max_abs: float
    max_abs_index: tuple[int, ...]
    max_rel: float
    max_rel_index: tuple[int, ...]
    expected_at: float
    """The expected value at ``max_abs_index``."""
    got_at: float
    """The student's value at ``max_abs_index``."""
    atol: float
    rtol: float
    grid: Grid
    heatmap: Heatmap | None = None
    """The worst slice for a picture (None for a scalar, or where it was not kept)."""

    @property
    def share(self) -> float:
        return self.mismatched / self.total if self.total else 0.0


class Status(str, Enum):
    """The status of a case or an exercise, as written in every output."""

    PASSED = "passed"
    FAILED = "failed"
    """The code ran and an output or a property is wrong."""
    ERROR = "error"
    """The code raised, could not be imported, or ended its process."""
    NOT_ATTEMPTED = "not_attempted"
    """The stub still raises NotImplementedError."""
    TIMEOUT = "timeout"
    MISSING = "missing"
    """The file or the name does not exist."""


@dataclass(frozen=True)
class Message:
    """A message for a person: a catalog key and its parameters, rendered in a language at output time."""

    key: str
    params: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class CheckResult:
    """One check of one case."""

    name: str
    """signature, runs, parameters, type, shape, dtype, device, finite, values, or a property's kind."""
    passed: bool
    message: Message | None = None
    diff: TensorDiff | None = None
    """For a value mismatch: where and by how much."""
    traceback: str | None = None
    """For an exception: the traceback trimmed to the student's own frames (student text: never markup)."""


@dataclass(frozen=True)
class CaseResult:
    id: str
    hidden: bool
    status: Status
    checks: tuple[CheckResult, ...]

    @property
    def failure(self) -> CheckResult | None:
        """The first check that failed, if any."""
        return next((c for c in self.checks if not c.passed), None)


@dataclass(frozen=True)
class MistakeMatch:
    """A catalogued mistake the student's outputs match."""

    id: str
    cases: tuple[str, ...]
    """The cases on which the student's output equals the mistake's."""


@dataclass(frozen=True)
class Diagnosis:
    """What a probe recognised in the student's outputs, whatever code produced them (see grader/diagnose.py)."""

    id: str
    """Stable identifier; the message lives under ``diagnosis.<id>`` in the catalogs."""
    params: Mapping[str, Any]
    """What was observed (an estimated factor, an axis, columns), filled into the message."""
    cases: tuple[str, ...]
    """The failed cases on which it was observed."""

    @property
    def message(self) -> Message:
        """The message: ``diagnosis.<id>``, or ``diagnosis.<id>.<variant>`` when the probe names a variant."""
        variant = self.params.get("variant")
        key = f"diagnosis.{self.id}.{variant}" if isinstance(variant, str) and variant else f"diagnosis.{self.id}"
        return Message(key, self.params)


@dataclass(frozen=True)
class ExerciseResult:
    id: str
    file: str
    score: float
    max_score: float
    status: Status
    cases: tuple[CaseResult, ...]
    mistakes: tuple[MistakeMatch, ...] = ()
    notes: tuple[Message, ...] = ()
    """Exercise-level messages: a forbidden shortcut, a failing dependency."""
    diagnoses: tuple[Diagnosis, ...] = ()
    """What the probes recognised on the failed cases (the nature of the error, not a catalogued program)."""


@dataclass(frozen=True)
class Standing:
    """One entry of a leaderboard: a number a judge measured (grader.spec.Leaderboard says which)."""

    name: str
    value: float
    order: str = "desc"


@dataclass(frozen=True)
class GradeResult:
    """The result of grading one submission."""

    assignment: str
    score: float
    max_score: float
    exercises: tuple[ExerciseResult, ...]
    hidden: bool
    device: str
    isolation: str
    """The sandbox level reached: ``namespaces`` or ``process`` (see the README's security section)."""
    grader_version: str
    output: str = ""
    """The start of what the student's code printed (student text: never markup)."""
    isolation_details: Mapping[str, Any] = field(default_factory=dict)
    """What the sandbox reached: network, filesystem, process limit, resource limits applied."""
    quiz: Any = None
    """The quiz result (grader.quiz.grade.QuizResult) when the submission holds quiz-answers.toml."""
    quiz_error: str = ""
    """Why the submission's quiz-answers.toml could not be graded (it is malformed), if so."""
    leaderboard: tuple[Standing, ...] = ()
    """The assignment's leaderboard entries (grader.score.standings): what Gradescope ranks submissions by."""

    @property
    def passed(self) -> bool:
        return all(e.status is Status.PASSED for e in self.exercises)
