"""The trusted side: the reference implementation, case inputs, expected outputs and mistake outputs.

The reference runs in the grading process, twice per case: once as the student's code is run (same
dtype, on the CPU) to fix the expected structure, shapes and dtypes, and once in float64 as the
ground truth for the values. Everything is computed once per (assignment, salt) and reused for every
submission graded by the same process.
"""

from __future__ import annotations

import atexit
import contextlib
import dataclasses
import hashlib
import importlib.util
import json
import os
import shutil
import sys
import tempfile
import threading
import time
import types
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any, NamedTuple

import torch
from safetensors import safe_open
from safetensors.torch import save_file

from grader.sandbox import drivers, transfer
from grader.spec import Assignment, Case, CaseEnv, Exercise
from grader.version import __version__


@contextlib.contextmanager
def one_torch_thread() -> Iterator[None]:
    """Prepare and check on one torch thread, then give the caller its count back (also a decorator). The
    reference's tensors are tiny, a thread pool only spins against the fork server that starts beside it, and a
    float64 sum is computed in the same order in every process (a Ray worker has one thread, a workstation
    several), so the expected values a diff shows are the same to the last digit."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(threads)


class ReferenceMissing(Exception):
    """The reference implementation could not be found or imported."""


def load_reference(assignment: Assignment) -> Any:
    """Import the reference package from ``assignment.solutions`` under a private module name."""
    root = assignment.solutions
    if root is None or not root.is_dir():
        raise ReferenceMissing(f"reference implementation not found at {root}")
    name = f"_nlp_grader_reference_{assignment.name}"
    if name in sys.modules:  # loaded before, maybe for a selection of the exercises: add any missing
        package = sys.modules[name]
        for exercise in assignment.exercises:
            if not hasattr(package.exercises, exercise.id):
                setattr(package.exercises, exercise.id, getattr(getattr(package, Path(exercise.file).stem), exercise.id))
        return package
    package = types.ModuleType(name)
    package.__path__ = [str(root)]
    sys.modules[name] = package
    ns = types.SimpleNamespace()
    try:
        for file in assignment.files:
            spec = importlib.util.spec_from_file_location(f"{name}.{Path(file).stem}", root / file)
            if spec is None or spec.loader is None:
                raise ReferenceMissing(f"cannot import {root / file}")
            module = importlib.util.module_from_spec(spec)
            sys.modules[spec.name] = module
            spec.loader.exec_module(module)
            setattr(package, Path(file).stem, module)
        for exercise in assignment.exercises:
            module = getattr(package, Path(exercise.file).stem)
            setattr(ns, exercise.id, getattr(module, exercise.id))
    except BaseException:  # never leave a half-imported reference behind for the next call
        for key in [k for k in sys.modules if k == name or k.startswith(name + ".")]:
            del sys.modules[key]
        raise
    package.exercises = ns  # type: ignore[attr-defined]
    return package


GRADED_TAG = b"graded\0"
"""Mixed into every seed of a graded run (``hidden=True``): no draw of a graded run is a draw a student bundle
ships (bundles are made ungraded), whatever the two salts are."""


def case_seed(assignment: str, exercise: str, case: str, salt: str, graded: bool = False) -> int:
    """The seed of a case's inputs. A graded run (``hidden=True``) draws every case, the visible ones too, from
    other seeds than an ungraded run with any salt: the inputs and outputs a student bundle stores (ungraded)
    are never those of a graded run, so outputs memorised from a bundle earn nothing there."""
    text = f"{assignment}/{exercise}/{case}/{salt}".encode()
    digest = hashlib.sha256(GRADED_TAG + text if graded else text).digest()
    return int.from_bytes(digest[:6], "big")


@dataclass
class Prepared:
    """A case with its inputs and the reference's outputs."""

    exercise: Exercise
    case: Case
    inputs: dict[str, torch.Tensor]
    expected: dict[str, transfer.Entry]
    """The reference run as the student's is run: structure, shapes and dtypes."""
    truth: dict[str, transfer.Entry]
    """The float64 reference run: the values the student's are compared with."""
    graded: bool = False
    """Drawn for a graded run (``hidden=True``): other seeds than a student bundle's (see :func:`case_seed`)."""
    args: Mapping[str, Any] | None = None
    """The driver arguments when they differ from ``case.args`` (drawn for a graded run: ``Case.draw_args``)."""
    seconds: float = 0.0
    """What the reference needed for this case (its run as the student's is run); 0 when unknown (a bundle)."""

    @property
    def call_args(self) -> Mapping[str, Any]:
        """The driver arguments this case is run with, on both sides."""
        return self.case.args if self.args is None else self.args

    def arguments(self, names: str = "") -> str:
        """The arguments of the constructor (else of the call), as a report shows them: literals by name where
        ``names`` (comma separated) or the keyword gives it ("d_model=10, num_heads=3"), tensors by input name."""
        kind = "init" if self.call_args.get("init") else "call"
        named = [n.strip() for n in names.split(",") if n.strip()]
        shown = []
        for i, arg in enumerate(self.call_args.get(kind) or []):
            value = (repr(arg[1]) if arg[0] == "v" else str(arg[1])) if isinstance(arg, list) and len(arg) == 2 else "…"
            shown.append(f"{named[i]}={value}" if i < len(named) else value)
        kw = self.call_args.get(f"{kind}_kw") or {}
        return ", ".join([*shown, *(f"{k}={a[1]!r}" for k, a in kw.items() if isinstance(a, list) and a[:1] == ["v"])])


class Reference:
    """Cases, expected outputs and mistake outputs for one assignment and salt (all cached).

    Every method takes ``graded``: True for a graded run (``hidden=True``), whose cases are all drawn from other
    seeds than an ungraded run's (see :func:`case_seed`). A student bundle (stored fixtures, no reference code)
    cannot draw new inputs: there ``graded`` changes nothing.
    """

    def __init__(self, assignment: Assignment, salt: str = "", cache: Path | None = None) -> None:
        self.assignment = assignment
        self.salt = salt
        self.cache = DiskCache(cache, assignment, salt) if cache is not None and assignment.fixtures is None else None
        """Where the prepared cases are kept between processes (``grade`` passes :func:`cache_folder`); None:
        in this process only (a library caller may change a spec in memory, which no file would show)."""
        self._prepared: dict[tuple[str, str, bool], Prepared] = {}
        self._mistakes: dict[tuple[str, str, bool, str], dict[str, transfer.Entry] | None] = {}
        self._lock = threading.RLock()  # batch workers share one reference
        self._files: dict[tuple[str, str, bool], Path] = {}
        self._dir: Path | None = None

    @cached_property
    def impl(self) -> Any:
        if self.assignment.fixtures is not None:
            return None  # a student bundle: outputs come from the stored fixtures, there is no code to run
        return load_reference(self.assignment).exercises

    def prepare(self, exercise: Exercise, case: Case, graded: bool = False) -> Prepared:
        with self._lock:
            return self._prepare(exercise, case, graded and self.assignment.fixtures is None)

    def _prepare(self, exercise: Exercise, case: Case, graded: bool) -> Prepared:
        key = (exercise.id, case.id, graded)
        if key not in self._prepared and self.assignment.fixtures is not None:
            from grader import fixtures

            expected, truth, mistakes = fixtures.stored(self.assignment.fixtures, exercise.id, case.id)
            inputs = case.make(CaseEnv(gen=torch.Generator(), reference=None))
            seconds = fixtures.stored_seconds(self.assignment.fixtures, exercise.id, case.id)
            self._prepared[key] = Prepared(exercise, case, inputs, expected, truth, seconds=seconds)
            for mistake_id, outputs in mistakes.items():
                self._mistakes[(exercise.id, case.id, graded, mistake_id)] = outputs
        if key not in self._prepared and self.cache is not None:
            kept = self.cache.get(key)
            if kept is not None:
                self._prepared[key] = Prepared(exercise, case, kept.inputs, kept.expected, kept.truth, graded,
                                               kept.args, kept.seconds)
        if key not in self._prepared:
            gen = torch.Generator().manual_seed(case_seed(self.assignment.name, exercise.id, case.id, self.salt, graded))
            # a case whose call takes only literals draws them too in a graded run, else nothing would change
            args = case.wire(case.draw_args(gen)) if graded and case.draw_args is not None else None
            inputs = case.make(CaseEnv(gen=gen, reference=self.impl))
            prepared = Prepared(exercise, case, inputs, {}, {}, graded, args)
            target = getattr(self.impl, exercise.id)
            # meta cases compare structure only: the CPU gives the same shapes and dtypes, and running on
            # meta here would make torch import its compiler stack (seconds) in the grading process
            started = time.perf_counter()
            expected = self._run(target, prepared, drivers.Ctx(device="cpu"))
            seconds = time.perf_counter() - started
            # a train case is judged, never compared: a second run (in float64) would tell nothing more
            once = case.device == "meta" or case.driver.value == "train"
            truth = expected if once else self._run(target, prepared, drivers.Ctx("cpu", upcast=True))
            self._prepared[key] = dataclasses.replace(prepared, expected=expected, truth=truth, seconds=seconds)
            if self.cache is not None:
                self.cache.add(key, self._prepared[key])
        return self._prepared[key]

    def keep(self) -> None:
        """Write the cases prepared since the last call to the disk cache (when there is one and they are new)."""
        with self._lock:
            if self.cache is not None:
                self.cache.save()

    def inputs_file(self, exercise: Exercise, case: Case, graded: bool = False) -> Path:
        """The case's inputs as a safetensors file, written once and shared by every submission."""
        with self._lock:
            graded = graded and self.assignment.fixtures is None
            key = (exercise.id, case.id, graded)
            if key not in self._files:
                if self._dir is None:
                    self._dir = Path(tempfile.mkdtemp(prefix="nlp-grader-inputs-"))
                    atexit.register(shutil.rmtree, self._dir, True)
                path = self._dir / f"{len(self._files)}.safetensors"
                tensors = {k: v.contiguous() for k, v in self.prepare(exercise, case, graded).inputs.items()}
                path.write_bytes(transfer.pack(tensors, {}))  # safetensors, written directly (transfer.pack)
                self._files[key] = path
            return self._files[key]

    @staticmethod
    def _run(target: Any, prepared: Prepared, ctx: drivers.Ctx) -> dict[str, transfer.Entry]:
        drivers.seed(0, ctx.device)
        return transfer.roundtrip(drivers.DRIVERS[prepared.case.driver.value](target, prepared.inputs, prepared.call_args, ctx))

    def mistake_outputs(self, exercise: Exercise, case: Case, mistake_id: str,
                        graded: bool = False) -> dict[str, transfer.Entry] | None:
        """What the mistake's implementation returns on this case (None if it raises)."""
        graded = graded and self.assignment.fixtures is None
        key = (exercise.id, case.id, graded, mistake_id)
        with self._lock:
            return self._mistake_outputs(key, exercise, case, mistake_id)

    def _mistake_outputs(self, key: tuple[str, str, bool, str], exercise: Exercise, case: Case,
                         mistake_id: str) -> dict[str, transfer.Entry] | None:
        if key not in self._mistakes:
            prepared = self.prepare(exercise, case, key[2])  # in a bundle this also loads the stored mistake outputs
            if key in self._mistakes or self.assignment.fixtures is not None:
                return self._mistakes.get(key)
            mistake = next(mk for mk in exercise.mistakes if mk.id == mistake_id)
            try:
                result = self._run(mistake.impl(self.impl), prepared, drivers.Ctx("cpu"))
            except Exception:  # noqa: BLE001 - a mistake that cannot run on this case matches nothing
                result = None
            self._mistakes[key] = result
        return self._mistakes[key]


# --- the reference's prepared cases, kept on disk between runs of `grade` ---------------------------------------

CACHE_FORMAT = "nlp-grader/reference-cache/v2"


def cache_folder() -> Path | None:
    """Where ``grade`` keeps the reference's prepared cases: ``$NLP_GRADER_CACHE`` (``off``: nowhere), else
    ``$XDG_CACHE_HOME/nlp-grader``, else ``~/.cache/nlp-grader``."""
    given = os.environ.get("NLP_GRADER_CACHE", "").strip()
    if given.lower() in ("off", "0", "no", "false"):
        return None
    if given:
        return Path(given).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME", "").strip()
    try:
        return (Path(xdg) if xdg else Path.home() / ".cache") / "nlp-grader"
    except RuntimeError:  # no home directory to speak of
        return None


def _fingerprint(assignment: Assignment, salt: str) -> str:
    """Everything a prepared case is computed from: the engine's code, the assignment's (its cases and its
    reference), torch's version and the salt. Any change to one is another file, never a stale case."""
    digest = hashlib.sha256(f"{CACHE_FORMAT}\0{__version__}\0{torch.__version__}\0{assignment.name}\0".encode())
    digest.update(hashlib.sha256(salt.encode()).digest())
    roots = [Path(__file__).resolve().parent, assignment.package, assignment.solutions]
    for root in [r for r in roots if r is not None and r.is_dir()]:
        for path in sorted(root.rglob("*.py")):
            digest.update(f"\0{path.relative_to(root)}\0".encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:32]


def _pack(groups: Mapping[str, Mapping[str, torch.Tensor]]) -> tuple[torch.Tensor, list[list[Any]]]:
    """A case's tensors as one byte tensor and its index ([group, name, dtype, shape, offset, bytes], offsets
    8-byte aligned): a file of a few hundred cases holds a few hundred tensors, not thousands, and safetensors
    spends its time per tensor."""
    chunks: list[bytes] = []
    index: list[list[Any]] = []
    offset = 0
    for group, tensors in groups.items():
        for name, tensor in tensors.items():
            data = transfer.tensor_bytes(tensor)
            index.append([group, name, str(tensor.dtype).removeprefix("torch."), list(tensor.shape), offset, len(data)])
            padded = len(data) + (-len(data) % 8)
            chunks.append(data + b"\0" * (padded - len(data)))
            offset += padded
    blob = torch.frombuffer(bytearray(b"".join(chunks)), dtype=torch.uint8) if offset else torch.zeros(0, dtype=torch.uint8)
    return blob, index


def _unpack(blob: torch.Tensor, index: list[list[Any]]) -> dict[str, dict[str, torch.Tensor]]:
    """The inverse of :func:`_pack`: views into ``blob``, by group and name."""
    out: dict[str, dict[str, torch.Tensor]] = {"in": {}, "expected": {}, "truth": {}}
    for group, name, dtype, shape, offset, size in index:
        kind = getattr(torch, dtype)
        if not isinstance(kind, torch.dtype):
            raise ValueError(f"not a dtype: {dtype}")
        piece = blob[offset:offset + size]
        out[group][name] = piece.view(kind).reshape(shape) if size else torch.empty(shape, dtype=kind)
    return out


class Kept(NamedTuple):
    """A prepared case as the disk cache holds it."""

    inputs: dict[str, torch.Tensor]
    expected: dict[str, transfer.Entry]
    truth: dict[str, transfer.Entry]
    args: Mapping[str, Any] | None
    seconds: float


class DiskCache:
    """The prepared cases (inputs, expected outputs, the reference's cost) of one assignment and salt, in one
    safetensors file named after :func:`_fingerprint`. A repeated ``grade check`` reads them instead of running
    the reference again (a third of a second of the check's own time). Anything unreadable is ignored and computed
    again; the file is replaced whole (written beside it, then renamed), never half-written. The sandbox never
    sees the folder (it holds the hidden cases' outputs)."""

    def __init__(self, folder: Path, assignment: Assignment, salt: str) -> None:
        self.folder = folder
        self.path = folder / f"{assignment.name}-{_fingerprint(assignment, salt)}.safetensors"
        self._kept: dict[tuple[str, str, bool], Kept] | None = None
        self._records: dict[str, Any] = {}
        self._tensors: dict[str, torch.Tensor] = {}
        self._new = False

    def _load(self) -> None:
        self._kept = {}
        try:
            with safe_open(str(self.path), "pt") as f:  # one read: the records are in the header's metadata
                metadata = f.metadata() or {}
                tensors = {k: f.get_tensor(k) for k in f.keys()}  # noqa: SIM118 - safe_open is not a Mapping
            records = json.loads(metadata["records"])
            if metadata.get("format") != CACHE_FORMAT or not isinstance(records, dict):
                return
            for name, r in records.items():
                part = _unpack(tensors[name], r["index"])
                self._kept[(str(r["exercise"]), str(r["case"]), bool(r["graded"]))] = Kept(
                    part["in"], transfer.decode(r["expected"], part["expected"]), transfer.decode(r["truth"], part["truth"]),
                    r["args"], float(r["seconds"]))
            self._records, self._tensors = records, tensors
        except Exception:  # noqa: BLE001 - missing, from another version, or damaged: computed again
            self._kept, self._records, self._tensors = {}, {}, {}

    def get(self, key: tuple[str, str, bool]) -> Kept | None:
        if self._kept is None:
            self._load()
        assert self._kept is not None
        return self._kept.get(key)

    def add(self, key: tuple[str, str, bool], prepared: Prepared) -> None:
        if self._kept is None:
            self._load()
        name = str(len(self._records))
        expected, expected_tensors = transfer.encode_entries(prepared.expected)
        truth, truth_tensors = transfer.encode_entries(prepared.truth)
        groups = {"in": prepared.inputs, "expected": expected_tensors, "truth": truth_tensors}
        self._tensors[name], index = _pack(groups)
        self._records[name] = {"exercise": key[0], "case": key[1], "graded": key[2], "expected": expected,
                               "truth": truth, "args": prepared.args, "seconds": prepared.seconds, "index": index}
        self._new = True

    def save(self) -> None:
        if not self._new:
            return
        self._new = False
        try:
            self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
            fd, tmp = tempfile.mkstemp(dir=self.folder, prefix=".writing-", suffix=".safetensors")
            os.close(fd)
            try:
                save_file(self._tensors, tmp, metadata={"format": CACHE_FORMAT, "records": json.dumps(self._records)})
                os.replace(tmp, self.path)
            finally:
                if os.path.exists(tmp):
                    os.unlink(tmp)
        except OSError:  # a read-only home, a full disk: the next run computes them again
            pass
