"""The model of an assignment: exercises, their cases, tolerances, properties and known mistakes.

Everything here is plain, frozen data. The functions an assignment supplies (case-input makers and
mistake implementations) are trusted code that runs in the grading process only.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any

import torch

from grader.dropout import DropoutFit
from grader.sandbox.protocol import ELSEWHERE

GATE_DEVICES = ("meta", ELSEWHERE)
"""Cases on these devices only show that the code follows its inputs' device: they need compare no value, and they
gate the points value cases earn (grader.score.is_gate)."""


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


class SpecError(ValueError):
    """An assignment's specification is wrong; raised when it is defined (at import), naming where."""

    def __init__(self, where: str, field: str, problem: str) -> None:
        super().__init__(f"{where}, field {field!r}: {problem}")
        self.where, self.field, self.problem = where, field, problem


class Driver(str, Enum):
    """How a case calls the exercise (grader.sandbox.drivers); the same on both sides of the sandbox."""

    CALL = "call"
    """Call once (a module: build it, load the case's weights, run it in eval mode)."""
    GRAD = "grad"
    """Call, backpropagate a seeded upstream gradient, send back the gradients (``Case.grad_wrt``)."""
    DROPOUT = "dropout"
    """A module twice in train mode under one seed, then once in eval mode."""
    RAISES = "raises"
    """Call with arguments that must be refused; send back the exception's class names."""
    CAUSAL = "causal"
    """Call, then call again with the inputs of ``Case.swap`` replaced (their future positions changed)."""
    DRAWS = "draws"
    """Call ``Case.draws`` times, each with a generator seeded anew (the ``Gen`` argument), the draws stacked on a
    new first axis; then once more with the first draw's seed (determinism) and report the global RNG's state."""
    TRAIN = "train"
    """A function that trains a model, called ``Case.draws`` times (seeds seed, seed+1, ...: its first literal), each call timed
    and what it returns decoded greedily on held-out sequences (grader.sandbox.drivers.train); judged only."""


class Kind(str, Enum):
    FUNCTION = "function"
    MODULE = "module"


class PropertyKind(str, Enum):
    """What a property checks (grader.checks.PROPERTIES)."""

    ROWS_SUM_TO_ONE = "rows_sum_to_one"
    MASKED_ZERO = "masked_zero"
    GRADIENTS = "gradients"
    DROPOUT_TRAIN = "dropout_train"
    CAUSAL = "causal"
    RAISES = "raises"
    DETERMINISTIC = "deterministic"
    """Draws: the same generator state gives the same result."""
    GLOBAL_RNG = "global_rng"
    """Draws: all randomness came from the generator passed in; torch's global generator is left as it was."""
    JUDGE = "judge"
    """A trusted judge of the assignment's own (``Property.judge``): invariants or statistics over the outputs."""


_PROPERTY_DRIVERS: Mapping[PropertyKind, tuple[Driver, ...]] = {
    PropertyKind.GRADIENTS: (Driver.GRAD,),
    PropertyKind.DROPOUT_TRAIN: (Driver.DROPOUT,),
    PropertyKind.CAUSAL: (Driver.CAUSAL,),
    PropertyKind.RAISES: (Driver.RAISES,),
    PropertyKind.DETERMINISTIC: (Driver.DRAWS,),
    PropertyKind.GLOBAL_RNG: (Driver.DRAWS,),
}
"""Properties that read an observation only some drivers make."""


@dataclass(frozen=True)
class Property:
    """A property checked on a case's outputs, after the values."""

    kind: PropertyKind
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
    judge: str = ""
    """For judge: ``"module:function"``, a trusted function ``(inputs, outputs, args) -> (message key, params) | None``
    that reads the case's inputs, the student's outputs (tensors by key; a draws case's stacked on a first axis) and
    the call's literal arguments by name, and returns None when the property holds (or ``(None, params)``: it holds,
    and ``params`` are what it measured, kept on the passed check for a :class:`Leaderboard` to read)."""
    name: str = ""
    """For judge: the check's name in reports (``selection_rate``)."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "kind", _enum(PropertyKind, self.kind, "property", "kind"))

    @property
    def check(self) -> str:
        """The name reports give the check."""
        return self.name if self.kind is PropertyKind.JUDGE else self.kind.value

    def resolve_judge(self) -> Callable[[Mapping[str, torch.Tensor], Mapping[str, torch.Tensor], Mapping[str, Any]],
                                        tuple[str | None, dict[str, Any]] | None]:
        """The judge function (imported by its name)."""
        module, _, attr = self.judge.partition(":")
        return getattr(importlib.import_module(module), attr)  # type: ignore[no-any-return]


def _enum(cls: Any, value: Any, where: str, field_name: str) -> Any:
    if isinstance(value, cls):
        return value
    try:
        return cls(value)
    except ValueError:
        raise SpecError(where, field_name, f"{value!r} is not one of {', '.join(m.value for m in cls)}") from None


# --- call arguments -------------------------------------------------------------------------------

@dataclass(frozen=True)
class In:
    """A tensor input of the case, by name (None passes None)."""

    name: str | None


@dataclass(frozen=True)
class Lit:
    """A literal argument: None, a bool, a number or a string (or a list of them)."""

    value: Any


@dataclass(frozen=True)
class OnDevice:
    """The device under test, as a string ("cpu", "cuda")."""


@dataclass(frozen=True)
class Gen:
    """A ``torch.Generator`` on the device under test, seeded by the driver (each draw of a draws case anew)."""


@dataclass(frozen=True)
class LookupLM:
    """A stand-in language model: ``model(ids)`` → ``table[ids] + positions[:L]`` ((B, L) long → (B, L, V)), built
    from the case's tensor inputs ``table`` (V, V) and ``positions`` (max L, V); the driver reports how many
    times it was called (``calls``)."""

    table: str
    positions: str


Arg = In | Lit | OnDevice | Gen | LookupLM
_LITERAL_TYPES = (type(None), bool, int, float, str)


@dataclass(frozen=True)
class Call:
    """The arguments of one call: positional, then keyword."""

    args: tuple[Arg, ...] = ()
    kwargs: Mapping[str, Arg] = field(default_factory=dict)

    def items(self) -> list[Arg]:
        return [*self.args, *self.kwargs.values()]

    def wire(self) -> tuple[list[list[Any]], dict[str, list[Any]]]:
        """The JSON form that crosses the sandbox boundary (grader.sandbox.drivers reads it)."""
        return [_wire(a) for a in self.args], {k: _wire(a) for k, a in self.kwargs.items()}

    @classmethod
    def from_wire(cls, args: Any, kwargs: Any) -> Call:
        return cls(tuple(_unwire(a) for a in args), {str(k): _unwire(a) for k, a in (kwargs or {}).items()})

    def literals(self) -> dict[str, Any]:
        """The literal keyword arguments by name (what a judge reads)."""
        return {k: a.value for k, a in self.kwargs.items() if isinstance(a, Lit)}

    def tensor_names(self) -> list[str]:
        names = [a.name for a in self.items() if isinstance(a, In) and a.name]
        names += [n for a in self.items() if isinstance(a, LookupLM) for n in (a.table, a.positions)]
        return names


def _wire(a: Arg) -> list[Any]:
    if isinstance(a, In):
        return ["t", a.name]
    if isinstance(a, Lit):
        return ["v", a.value]
    if isinstance(a, OnDevice):
        return ["device"]
    if isinstance(a, Gen):
        return ["gen"]
    return ["lm", a.table, a.positions]


def _unwire(item: Any) -> Arg:
    tag = item[0]
    if tag == "t":
        return In(item[1])
    if tag == "v":
        return Lit(item[1])
    if tag == "device":
        return OnDevice()
    if tag == "gen":
        return Gen()
    if tag == "lm":
        return LookupLM(str(item[1]), str(item[2]))
    raise ValueError(f"unknown argument kind {tag!r}")


def wire_literals(wire: Mapping[str, Any]) -> dict[str, Any]:
    """The literal keyword arguments of a call's JSON form by name (the constructor's, then forward's or the
    function's): what an assignment's judge reads."""
    out: dict[str, Any] = {}
    for name in ("init", "forward", "call"):
        if name in wire:
            out.update(Call.from_wire(wire[name], wire.get(f"{name}_kw")).literals())
    return out


def _literal_ok(value: Any) -> bool:
    if isinstance(value, (list, tuple)):
        return all(_literal_ok(v) for v in value)
    return isinstance(value, _LITERAL_TYPES)


@dataclass(frozen=True)
class Case:
    """One call of the student's code on seeded inputs. Checked when its exercise is defined (:class:`Exercise`)."""

    id: str
    """Short, stable, readable name, unique within its exercise."""
    driver: Driver
    """How the call is made (:class:`Driver`)."""
    make: Callable[[CaseEnv], dict[str, torch.Tensor]]
    """Builds the tensor inputs (and module weights, as ``state.*``) from a seeded generator."""
    call: Call | None = None
    """A function exercise: the call's arguments."""
    init: Call | None = None
    """A module exercise: the constructor's arguments."""
    forward: Call | None = None
    """A module exercise: ``forward``'s arguments."""
    grad_wrt: tuple[str, ...] = ()
    """Grad cases: the tensor inputs whose gradients are compared (and the parameters', for a module)."""
    swap: Mapping[str, str] = field(default_factory=dict)
    """Causal cases: input name → the input that replaces it in the second call."""
    dtype: str | None = None
    """A module's dtype ("float64" casts it); None leaves it as built."""
    draws: int = 0
    """Draws cases: how many seeded draws."""
    hidden: bool = False
    """Hidden cases run only with --hidden (CI and batch grading)."""
    device: str | None = None
    """None: the device under test; "cpu" for calls that take no tensor; "meta" for portability without data;
    "elsewhere": the inputs on another device than the default one, to show that the code follows them (CUDA where
    the grader has a GPU, else the CPU with the tensors made on the default device tracked: see
    grader.sandbox.elsewhere). Cases on "meta" and "elsewhere" are gates (grader.score.is_gate)."""
    compare: tuple[str, ...] = ("out",)
    """Outputs whose values are compared with the reference (by key prefix)."""
    properties: tuple[Property, ...] = ()
    """Properties checked after the values."""
    draw_args: Callable[[torch.Generator], Call] | None = None
    """For a case whose call takes only literals (no seeded input): its call drawn from the case's seed in a graded
    run (``hidden=True``), so that a graded run never repeats a call a student bundle shows."""
    dropout_fit: Callable[[Mapping[str, torch.Tensor], torch.Tensor, float], DropoutFit] | None = None
    """For dropout cases: trusted code that, given the case's inputs, one train-mode output and the scale
    1/(1-p), recovers the pattern of dropped entries that explains the output best (see checks._dropout)."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "driver", _enum(Driver, self.driver, f"case {self.id!r}", "driver"))
        object.__setattr__(self, "compare", tuple(self.compare))
        object.__setattr__(self, "properties", tuple(self.properties))
        object.__setattr__(self, "grad_wrt", tuple(self.grad_wrt))

    @property
    def args(self) -> dict[str, Any]:
        """The JSON form of the call that crosses the sandbox boundary (read by grader.sandbox.drivers)."""
        return self.wire(self.call)

    def wire(self, call: Call | None) -> dict[str, Any]:
        """:attr:`args` with ``call`` in place of the case's own (a call drawn for a graded run)."""
        out: dict[str, Any] = {}
        for name, value in (("call", call), ("init", self.init), ("forward", self.forward)):
            if value is not None:
                out[name], kwargs = value.wire()
                if kwargs:
                    out[f"{name}_kw"] = kwargs
        if self.grad_wrt:
            out["grad_wrt"] = list(self.grad_wrt)
        if self.swap:
            out["swap"] = dict(self.swap)
        if self.dtype:
            out["dtype"] = self.dtype
        if self.draws:
            out["draws"] = self.draws
        return out

    @classmethod
    def from_wire(cls, wire: Mapping[str, Any], **fields: Any) -> Case:
        """A case from its JSON form (a student bundle's stored cases)."""
        calls: dict[str, Any] = {name: Call.from_wire(wire[name], wire.get(f"{name}_kw"))
                                 for name in ("call", "init", "forward") if name in wire}
        return cls(**calls, grad_wrt=tuple(wire.get("grad_wrt", ())), swap=dict(wire.get("swap", {})),
                   dtype=wire.get("dtype"), draws=int(wire.get("draws", 0)), **fields)

    def literals(self) -> dict[str, Any]:
        """The literal keyword arguments of the call (see :func:`wire_literals`)."""
        return wire_literals(self.args)

    def tensor_names(self) -> list[str]:
        return [n for c in (self.call, self.init, self.forward) if c is not None for n in c.tensor_names()]


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
    """Stable identifier, lowercase with underscores; its message lives under ``mistake.<id>`` in the assignment's
    own messages."""
    impl: Callable[[Any], Any]
    """Given the reference (an object with the exercises as attributes), returns a function or module
    class with the exercise's signature that makes exactly this mistake."""


@dataclass(frozen=True)
class Exercise:
    """One function or class the student implements. Checked when defined: a mistake in the spec names the
    exercise, the case and the field (:class:`SpecError`), at import, not while grading."""

    id: str
    """The function or class name; also the id in every output."""
    file: str
    """The file in the submission that defines it."""
    task: int
    """The task number used by the stub's marker, ``Task N: id``."""
    points: float
    kind: Kind
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

    def __post_init__(self) -> None:
        where = f"exercise {self.id!r}"
        if not isinstance(self.id, str) or not self.id.isidentifier():
            raise SpecError(where, "id", "must be a Python identifier (the function or class name)")
        object.__setattr__(self, "kind", _enum(Kind, self.kind, where, "kind"))
        for name in ("cases", "depends_on", "mistakes", "forbidden", "probes"):
            object.__setattr__(self, name, tuple(getattr(self, name)))
        if not isinstance(self.file, str) or not self.file.endswith(".py") or "/" in self.file or "\\" in self.file:
            raise SpecError(where, "file", f"{self.file!r} must be a file name ending in .py")
        if isinstance(self.task, bool) or not isinstance(self.task, int) or self.task < 1:
            raise SpecError(where, "task", f"{self.task!r} must be a positive integer")
        if isinstance(self.points, bool) or not isinstance(self.points, (int, float)) or not self.points > 0:
            raise SpecError(where, "points", f"{self.points!r} must be a positive number")
        if not self.cases:
            raise SpecError(where, "cases", "needs at least one case")
        if all(c.hidden for c in self.cases):
            raise SpecError(where, "cases", "needs at least one visible case (students run those)")
        seen: set[str] = set()
        for case in self.cases:
            if not isinstance(case, Case):
                raise SpecError(where, "cases", f"{case!r} is not a Case")
            if case.id in seen:
                raise SpecError(f"{where}, case {case.id!r}", "id", "is used by another case of the exercise")
            seen.add(case.id)
            _check_case(self, case, f"{where}, case {case.id!r}")
        ids = [m.id for m in self.mistakes]
        if len(set(ids)) != len(ids):
            raise SpecError(where, "mistakes", "two mistakes share an id")
        if not all(callable(p) for p in self.probes):
            raise SpecError(where, "probes", "every probe must be a function")


def _check_case(exercise: Exercise, case: Case, where: str) -> None:
    if not case.id.replace("_", "").replace("-", "").isalnum():
        raise SpecError(where, "id", "letters, digits, '_' and '-' only")
    if not callable(case.make):
        raise SpecError(where, "make", "must be a function of a CaseEnv")
    if exercise.kind is Kind.FUNCTION:
        if case.call is None or case.init is not None or case.forward is not None:
            raise SpecError(where, "call", "a function exercise's case sets call (and not init or forward)")
    elif case.init is None or case.forward is None or case.call is not None:
        raise SpecError(where, "init", "a module exercise's case sets init and forward (and not call)")
    for call in (case.call, case.init, case.forward):
        if call is None:
            continue
        if not isinstance(call, Call):
            raise SpecError(where, "call", f"{call!r} is not a Call")
        for arg in call.items():
            if not isinstance(arg, (In, Lit, OnDevice, Gen, LookupLM)):
                raise SpecError(where, "call", f"{arg!r} is not an argument (In, Lit, OnDevice, Gen, LookupLM)")
            if isinstance(arg, Lit) and not _literal_ok(arg.value):
                raise SpecError(where, "call", f"the literal {arg.value!r} is not None, bool, int, float or str")
    gens = sum(isinstance(a, Gen) for c in (case.call, case.init, case.forward) if c is not None for a in c.items())
    if case.driver is Driver.DRAWS:
        if isinstance(case.draws, bool) or not isinstance(case.draws, int) or case.draws < 1:
            raise SpecError(where, "draws", "a draws case needs draws >= 1")
        if gens != 1:
            raise SpecError(where, "call", "a draws case passes exactly one Gen() (the generator each draw seeds)")
    elif case.draws and case.driver is not Driver.TRAIN:
        raise SpecError(where, "draws", f"only a draws or train case draws (this one's driver is {case.driver.value})")
    if case.driver is Driver.GRAD:
        if not case.grad_wrt:
            raise SpecError(where, "grad_wrt", "a grad case names the inputs whose gradients are compared")
        unknown = [n for n in case.grad_wrt if n not in case.tensor_names()]
        if unknown:
            raise SpecError(where, "grad_wrt", f"{', '.join(unknown)} is not a tensor argument of the call")
    elif case.grad_wrt:
        raise SpecError(where, "grad_wrt", "only a grad case has gradients")
    if case.driver is Driver.CAUSAL and not case.swap:
        raise SpecError(where, "swap", "a causal case names the inputs it replaces")
    if case.driver is Driver.DROPOUT and exercise.kind is not Kind.MODULE:
        raise SpecError(where, "driver", "dropout runs a module in train and eval mode: a module exercise only")
    if case.dtype not in (None, "float64"):
        raise SpecError(where, "dtype", f"{case.dtype!r}: None or 'float64'")
    if case.device not in (None, "cpu", "meta", ELSEWHERE):
        raise SpecError(where, "device", f"{case.device!r}: None (the device under test), 'cpu', 'meta' or 'elsewhere'")
    if case.driver is Driver.RAISES and case.compare:
        raise SpecError(where, "compare", "a case that must raise has no output to compare (compare=())")
    for prop in case.properties:
        if not isinstance(prop, Property):
            raise SpecError(where, "properties", f"{prop!r} is not a Property")
        needs = _PROPERTY_DRIVERS.get(prop.kind)
        if needs is not None and case.driver not in needs:
            raise SpecError(where, "properties", f"{prop.kind.value} needs a {' or '.join(d.value for d in needs)} "
                                                 f"case (this one's driver is {case.driver.value})")
        if prop.kind is PropertyKind.DROPOUT_TRAIN and not 0.0 < prop.p < 1.0:
            raise SpecError(where, "properties", f"dropout_train needs 0 < p < 1, not {prop.p!r}")
        if prop.kind is PropertyKind.JUDGE:
            module, sep, attr = prop.judge.partition(":")
            if not sep or not module or not attr:
                raise SpecError(where, "properties", f"a judge is named 'module:function', not {prop.judge!r}")
            if not prop.name.isidentifier():
                raise SpecError(where, "properties", f"a judge needs a name (identifier) for reports, not {prop.name!r}")
            try:
                judge = prop.resolve_judge()
            except (ImportError, AttributeError) as exc:
                raise SpecError(where, "properties", f"the judge {prop.judge!r} cannot be imported ({exc})") from None
            if not callable(judge):
                raise SpecError(where, "properties", f"the judge {prop.judge!r} is not a function")
    if case.driver is Driver.RAISES and not any(p.kind is PropertyKind.RAISES for p in case.properties):
        raise SpecError(where, "properties", "a raises case checks the raises property")
    if case.driver is not Driver.RAISES and not case.compare and case.device not in GATE_DEVICES and not any(
            p.kind is PropertyKind.JUDGE for p in case.properties):
        raise SpecError(where, "compare", "a case must compare an output, judge it, or run on 'meta' or 'elsewhere'")


@dataclass(frozen=True)
class Leaderboard:
    """One entry of Gradescope's leaderboard: a number a judge measured on a case (``param`` of its check's message,
    passed or failed); ``order`` "desc" ranks larger values first, "asc" smaller ones."""

    name: str
    exercise: str
    case: str
    param: str
    order: str = "desc"


@dataclass(frozen=True)
class Assignment:
    """A set of exercises graded together; what a plug-in's entry point gives the engine."""

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
    stubs: Path | None = None
    """The folder students start from (the stubs, the marker ``assignment.toml``): what ``grade release`` ships."""
    messages: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    """The assignment's own messages by language ("en", "ko") and key: its title (``title``), mistakes
    (``mistake.<id>``), diagnoses (``diagnosis.<id>``) and its judges' findings."""
    package: Path | None = None
    """The plug-in's package folder: hidden from the student's code like the solutions."""
    leaderboard: tuple[Leaderboard, ...] = ()
    """What a Gradescope results.json ranks submissions by (grader.score.standings reads it from a result)."""

    def __post_init__(self) -> None:
        where = f"assignment {self.name!r}"
        if not isinstance(self.name, str) or not self.name or not all(
                ch.isalnum() or ch in "-_" for ch in self.name) or not self.name[0].isalpha():
            raise SpecError(where, "name", "letters, digits, '-' and '_', starting with a letter")
        object.__setattr__(self, "exercises", tuple(self.exercises))
        object.__setattr__(self, "files", tuple(self.files))
        if not self.exercises:
            raise SpecError(where, "exercises", "needs at least one exercise")
        ids = [e.id for e in self.exercises]
        for e in self.exercises:
            if ids.count(e.id) > 1:
                raise SpecError(f"{where}, exercise {e.id!r}", "id", "is used by another exercise")
            if e.file not in self.files:
                raise SpecError(f"{where}, exercise {e.id!r}", "file", f"{e.file!r} is not one of files {list(self.files)}")
            unknown = [d for d in e.depends_on if d not in ids]
            if unknown:
                raise SpecError(f"{where}, exercise {e.id!r}", "depends_on", f"no exercise {', '.join(unknown)}")
        tasks = [e.task for e in self.exercises]
        if len(set(tasks)) != len(tasks):
            raise SpecError(where, "exercises", "two exercises share a task number")
        for lang, catalog in self.messages.items():
            if lang not in ("en", "ko") or not all(isinstance(k, str) and isinstance(v, str) for k, v in catalog.items()):
                raise SpecError(where, "messages", f"{lang!r}: a catalog maps message keys to texts, in 'en' or 'ko'")
        if bad := [b.name for b in self.leaderboard if b.exercise not in ids or b.order not in ("asc", "desc")]:
            raise SpecError(where, "leaderboard", f"{bad}: each names an exercise of the assignment, order 'asc' or 'desc'")

    @property
    def max_score(self) -> float:
        return sum(e.points for e in self.exercises)

    def exercise(self, exercise_id: str) -> Exercise:
        for exercise in self.exercises:
            if exercise.id == exercise_id:
                return exercise
        known = ", ".join(e.id for e in self.exercises)
        raise KeyError(f"no exercise {exercise_id!r} in assignment {self.name!r}; known: {known}")
