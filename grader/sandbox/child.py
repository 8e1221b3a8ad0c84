"""The sandbox child: imports the student's files and runs the drivers on them.

This module is imported once by the warm runner (a fork server that has already imported torch);
each submission is a fork of it running :func:`outer`, which enters the sandbox
(:mod:`grader.sandbox.isolate`), applies the limits (:mod:`grader.sandbox.limits`) and runs
:func:`serve`. ``serve`` reports ``isolation {...}``, then ``start i`` / ``done i`` per task as
lines on a pipe, each ``done i n`` followed by the task's result: n bytes of safetensors with
the record in its metadata.

Nothing here decides a grade: the grading process reads the plain data back and judges it.
"""

from __future__ import annotations

import importlib
import io
import json
import linecache
import os
import re
import sys
import tempfile
import threading
import time
import traceback
import types
from pathlib import Path
from typing import Any, NoReturn

import torch
from safetensors.torch import load_file

from grader.sandbox import drivers, elsewhere, isolate, limits, transfer, tripwire
from grader.sandbox.limits import ENVIRONMENT_KEPT, IMPORT_SECONDS
from grader.sandbox.protocol import RecordKind, RecordStatus

STUB_MARKER = re.compile(r"^Task \d+: (\w+)")
PACKAGE = "submission"
MAX_TRACEBACK = 4000


def _student_frames(exc: BaseException, root: Path, *, last_line: bool = True) -> str:
    """The traceback, keeping only frames from the student's files, with paths relative to the submission; without
    the exception's own line where the record says it already, in the report's language (``last_line=False``)."""
    frames = traceback.extract_tb(exc.__traceback__)
    lines = []
    for frame in frames:
        try:
            rel = Path(frame.filename).resolve().relative_to(root)
        except ValueError:
            continue
        lines.append(f'  File "{rel}", line {frame.lineno}, in {frame.name}')
        if frame.line:
            lines.append(f"    {frame.line.strip()}")
    message = "".join(traceback.format_exception_only(type(exc), exc)).strip()
    text = "\n".join([*lines, message] if last_line else lines)
    return text[-MAX_TRACEBACK:]


def _error(kind: RecordKind, exc: BaseException | None = None, root: Path | None = None, *, last_line: bool = True,
           **extra: Any) -> dict[str, Any]:
    record: dict[str, Any] = {"status": RecordStatus.ERROR.value, "kind": kind.value, **extra}
    if exc is not None:
        record["type"] = str(type(exc).__name__)
        try:
            record["message"] = str(exc)[: transfer.MAX_TEXT]
        except BaseException:  # noqa: BLE001 - a student's exception whose __str__ raises or lies
            record["message"] = "(the exception's message could not be read)"
        if root is not None:
            record["traceback"] = _student_frames(exc, root, last_line=last_line)
    return record


class Submission:
    """The student's files, imported as the package ``submission`` (their ``__init__.py`` is not run)."""

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        package = types.ModuleType(PACKAGE)
        package.__path__ = [str(self.root)]
        sys.modules[PACKAGE] = package
        sys.path.insert(0, str(self.root))
        self._modules: dict[str, Any] = {}

    @property
    def loaded(self) -> set[str]:
        """The files already imported (or that failed to)."""
        return set(self._modules)

    def load(self, file: str) -> Any:
        """The imported module, or an error record (cached either way)."""
        if file not in self._modules:
            self._modules[file] = self._import(file)
        return self._modules[file]

    def _import(self, file: str) -> Any:
        if not (self.root / file).is_file():
            return _error(RecordKind.MISSING_FILE, file=file)
        try:
            return importlib.import_module(f"{PACKAGE}.{Path(file).stem}")
        except SyntaxError as exc:
            filename = exc.filename or file
            try:
                filename = str(Path(filename).resolve().relative_to(self.root))
            except ValueError:
                pass
            return _error(RecordKind.SYNTAX, exc, file=filename, line=exc.lineno or 0, text=(exc.text or "").rstrip()[:500],
                          detail=exc.msg)
        except BaseException as exc:  # noqa: BLE001 - whatever the student's import does is reported
            return _error(RecordKind.IMPORT, exc, self.root, file=file)


def run_task(sub: Submission, task: dict[str, Any], inputs: dict[str, torch.Tensor]) -> tuple[dict, dict]:
    """Run one task and return (record, tensors). A call that reached a function the task's exercise
    forbids (:mod:`grader.sandbox.tripwire`) makes the record ``forbidden_call``, whatever the student's
    code did with the exception."""
    def attempt() -> tuple[dict, dict]:
        module = sub.load(task["file"])
        if isinstance(module, dict):
            return module, {}
        target = getattr(module, task["name"], None)
        if target is None:
            return _error(RecordKind.MISSING_NAME, file=task["file"], name=task["name"]), {}
        drivers.seed(0, task["device"])
        driver = drivers.DRIVERS[task["driver"]]
        try:
            result = driver(target, inputs, task["args"], drivers.Ctx.on(task["device"]))
            size = transfer.payload_bytes(result)
            if size > task["max_bytes"]:  # refuse before copying anything
                return _error(RecordKind.TOO_LARGE, size=size, limit=task["max_bytes"]), {}
            with torch._C.DisableTorchFunctionSubclass():  # a subclass's __torch_function__ has no say here
                entries, tensors = transfer.encode(result)
        except drivers.SignatureMismatch as exc:
            return _error(RecordKind.SIGNATURE, what=exc.what, signature=exc.signature, nargs=exc.nargs), {}
        except drivers.StateDictMismatch as exc:
            return _error(RecordKind.STATE_DICT, missing=exc.missing, unexpected=exc.unexpected, misshaped=exc.misshaped), {}
        except elsewhere.DeviceMismatch as exc:
            # the student's own frames only: the grader's DeviceMismatch line says in English what [device] says
            return _error(RecordKind.DEVICE, exc, sub.root, last_line=False, op=exc.op, made=str(exc.made)), {}
        except NotImplementedError as exc:
            match = STUB_MARKER.match(str(exc))
            return _error(RecordKind.NOT_IMPLEMENTED, exc, sub.root, stub_of=match.group(1) if match else None), {}
        except BaseException as exc:  # noqa: BLE001 - sys.exit, KeyboardInterrupt: all the student's doing
            return _error(RecordKind.MEMORY if _out_of_memory(exc) else RecordKind.EXCEPTION, exc, sub.root), {}
        return {"status": RecordStatus.OK.value, "entries": entries}, tensors

    forbidden = tuple(task.get("forbidden", ()))
    tripwire.install(forbidden)  # before the student's first import (idempotent)
    tripwire.take_hits()
    with tripwire.armed(forbidden):
        record, tensors = attempt()
    hits = tripwire.take_hits()
    if not hits:
        return record, tensors
    hit, where = hits[0], []
    for filename, line, function in reversed(hit.frames):  # outermost first, the student's frames only
        try:
            where.append((str(Path(filename).resolve().relative_to(sub.root)), line, function))
        except (ValueError, OSError):
            continue
    file, line = (where[-1][0], where[-1][1]) if where else ("", 0)
    trace = "\n".join([*(f'  File "{f}", line {n}, in {fn}' for f, n, fn in where),
                       f"ForbiddenCall: {hit.name} (reached as {hit.via})"])
    return _error(RecordKind.FORBIDDEN_CALL, name=hit.name, via=hit.via, file=file, line=line, calls=len(hits),
                  type="ForbiddenCall", message=f"{hit.name} (reached as {hit.via})",
                  traceback=trace[-MAX_TRACEBACK:]), {}


def _out_of_memory(exc: BaseException) -> bool:
    if isinstance(exc, MemoryError):
        return True
    text = str(exc).lower()
    return isinstance(exc, RuntimeError) and any(
        m in text for m in ("can't allocate memory", "not enough memory", "out of memory", "bad_alloc"))


class CappedOutput(io.TextIOBase):
    """sys.stdout/sys.stderr for the student's code: keeps the first characters, drops the rest cheaply."""

    def __init__(self, fd: int, budget: list[int]) -> None:
        self._fd, self._budget = fd, budget

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        if self._budget[0] > 0:
            kept = text[: self._budget[0]]
            self._budget[0] -= len(kept)
            try:
                os.write(self._fd, kept.encode("utf-8", errors="replace"))
            except OSError:
                self._budget[0] = 0
        return len(text)


def serve(job: dict[str, Any], progress: int, capture: int, inputs: dict[int, dict[str, torch.Tensor]],
          details: dict[str, Any]) -> NoReturn:
    """Run every task of the job in this process (the sandbox's worker, or the fallback process)."""
    try:
        _serve(job, progress, capture, inputs, details)
    except BaseException as exc:  # noqa: BLE001 - the sandbox could not be set up: say so, then end
        _say(progress, "isolation " + json.dumps({**details, "setup_error": f"{type(exc).__name__}: {exc}"}))
        os._exit(isolate.SETUP_FAILED)


def _serve(job: dict[str, Any], progress: int, capture: int, inputs: dict[int, dict[str, torch.Tensor]],
           details: dict[str, Any]) -> NoReturn:
    lim = limits.Limits.from_json(job["limits"])
    paths = details.get("paths") or {}
    work = Path(job["work"])
    cwd = Path(paths.get("work") or work / "cwd")
    tmp = paths.get("tmp") or str(work / "tmp")
    os.chdir(cwd)
    os.environ.clear()  # the grader's environment (its secrets included) is not the student's business
    os.environ.update(child_environment(home=str(cwd), tmp=tmp, inherited=job.get("environment", {})))
    tempfile.tempdir = None
    details["environment"] = "minimal: " + ", ".join(sorted(os.environ))
    for fd in (1, 2):
        os.dup2(capture, fd)
    budget = [lim.output_chars]
    sys.stdout = CappedOutput(1, budget)
    sys.stderr = CappedOutput(2, budget)
    details["limits"] = limits.apply(lim, nproc=details.get("process_limit") != "cgroup", mapped=job["mapped"])
    torch.set_num_threads(1)
    _say(progress, "isolation " + json.dumps(details))
    # every task's forbidden entries before the student's first import: an alias taken on import (by a file
    # whose first task forbids nothing) is then a tripwire too, armed for the tasks that forbid it
    tripwire.install(name for task in job["tasks"] for name in task.get("forbidden", ()))
    _forget_the_grader()
    sub = Submission(Path(paths.get("submission") or work / "sub"))
    watchdog = Watchdog(progress, sub.root)
    for task in job["tasks"]:
        index = task["index"]
        _say(progress, f"start {index}")
        if task.get("seconds") is not None:  # the grading process stops the case just after this
            watchdog.arm(index, task["seconds"] + (0.0 if task["file"] in sub.loaded else IMPORT_SECONDS))
        record, tensors = run_task(sub, task, inputs[index])
        watchdog.disarm()
        try:
            data = transfer.dumps(record, tensors)
        except Exception as exc:  # noqa: BLE001 - a result that cannot be serialised is the task's error
            data = transfer.dumps(_error(RecordKind.TRANSFER, exc), {})
        _send(progress, f"done {index} {len(data)}\n".encode() + data)
    os._exit(0)  # skip interpreter teardown, which the student's code may have booby-trapped


GRADER_DIR = Path(__file__).resolve().parents[1]
"""The grader package: hidden in the sandbox (an installed grader lies in site-packages, which is bound)."""


def _forget_the_grader() -> None:
    """Before the student's code is imported: the grader's modules (and the fork server's ``__main__``)
    leave ``sys.modules``, so ``import grader.sandbox.tripwire`` cannot hand the student this process's
    own machinery; the code running here keeps its references, and the source is not in the sandbox."""
    for name in [m for m in sys.modules if m == "grader" or m.startswith("grader.")]:
        del sys.modules[name]
    sys.modules["__main__"] = types.ModuleType("__main__")


def child_environment(*, home: str, tmp: str, inherited: dict[str, str]) -> dict[str, str]:
    """The whole environment of the student's code: PATH, HOME in its scratch, TMPDIR, and the few
    variables in ``ENVIRONMENT_KEPT`` (from ``inherited``)."""
    prefix_bin = str(Path(sys.executable).parent)
    env = {k: v for k, v in inherited.items() if k in ENVIRONMENT_KEPT and isinstance(v, str)}
    env.update({"PATH": os.pathsep.join((prefix_bin, "/usr/local/bin", "/usr/bin", "/bin")), "HOME": home,
                "TMPDIR": tmp, "PYTHONDONTWRITEBYTECODE": "1"})
    env.setdefault("LANG", "C.UTF-8")
    return env


def _say(fd: int, line: str) -> None:
    _send(fd, line.encode() + b"\n")


_SEND = threading.Lock()
"""The progress pipe carries whole messages: the watchdog's report never lands inside a result."""


def _send(fd: int, data: bytes) -> None:
    with _SEND:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]


_monotonic, _sleep, _frames = time.monotonic, time.sleep, sys._current_frames
"""Taken at import, before any student code: patching ``time`` or ``sys`` does not blind the watchdog."""


class Watchdog:
    """A thread that, when the running case reaches its time limit, reports where the student's code is
    (``stuck <i> [{file, line, function, code}, ...]``, the student's frames only, innermost last), so
    that the report can say "stuck in the_file.py line 12, in the_function". The grading process
    kills the child just after; code that holds the interpreter lock in native code gets no report."""

    def __init__(self, progress: int, root: Path) -> None:
        self._progress, self._root, self._main = progress, root, threading.get_ident()
        self._lock = threading.Lock()
        self._index: int | None = None
        self._deadline = 0.0
        self._thread: threading.Thread | None = None

    def arm(self, index: int, seconds: float) -> None:
        with self._lock:
            self._index, self._deadline = index, _monotonic() + seconds
        if self._thread is None:
            self._thread = threading.Thread(target=self._watch, name="nlp-grader-watchdog", daemon=True)
            self._thread.start()

    def disarm(self) -> None:
        with self._lock:
            self._index = None

    def _watch(self) -> None:
        while True:
            _sleep(0.05)
            with self._lock:
                index, due = self._index, self._deadline
            if index is None or _monotonic() < due:
                continue
            stack = student_stack(_frames().get(self._main), self._root)
            _send(self._progress, f"stuck {index} {json.dumps(stack)}\n".encode())
            with self._lock:
                if self._index == index:
                    self._index = None


def student_stack(frame: Any, root: Path, limit: int = 12) -> list[dict[str, Any]]:
    """The frames of ``frame``'s stack that run the student's files (outermost first), relative to ``root``."""
    frames: list[Any] = []
    while frame is not None and len(frames) < 200:
        frames.append(frame)
        frame = frame.f_back
    out = []
    for f in reversed(frames):
        try:
            rel = Path(f.f_code.co_filename).resolve().relative_to(root)
        except (ValueError, OSError):
            continue
        out.append({"file": str(rel), "line": int(f.f_lineno or 0), "function": str(f.f_code.co_name),
                    "code": linecache.getline(f.f_code.co_filename, f.f_lineno or 0).strip()[:160]})
    return out[-limit:]


SHARED_INPUTS: dict[str, dict[str, torch.Tensor]] = {}
"""Case inputs the fork server loaded before forking (a batch's, shared by every submission): each
child inherits them instead of reading the same files again. Keyed by path; the drivers copy them."""
MAX_SHARED_BYTES = 256 * 1024 * 1024
_shared_bytes = 0
"""Bytes of the files behind SHARED_INPUTS."""


def preload(job: dict[str, Any]) -> None:
    """In the fork server, before forking: load the inputs a job marks as shared, once."""
    global _shared_bytes
    if not job.get("preload"):
        return
    for task in job["tasks"]:
        path = task["inputs"]
        if path in SHARED_INPUTS:
            continue
        try:
            size = os.path.getsize(path)
            if _shared_bytes + size > MAX_SHARED_BYTES:  # a long-lived server that has seen many references
                SHARED_INPUTS.clear()
                _shared_bytes = 0
            SHARED_INPUTS[path] = load_file(path)
            _shared_bytes += size
        except Exception:  # noqa: BLE001 - the child will load it itself and report what is wrong
            pass


def outer(job: dict[str, Any], progress: int) -> NoReturn:
    """The warm runner's entry point for one submission: read what the tasks need while the host's
    files can still be seen, enter the sandbox, then serve the job."""
    isolate.die_with_parent()
    work = Path(job["work"])
    capture = os.open(work / "output.txt", os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o600)
    inputs: dict[int, dict[str, torch.Tensor]] = {}
    for task in job["tasks"]:
        shared = SHARED_INPUTS.get(task["inputs"])
        # not shared (a case without inputs is shared as an empty dict): read now, before the walls
        inputs[task["index"]] = shared if shared is not None else load_file(task["inputs"])
    job["mapped"] = limits.mapped_bytes()
    isolate.run(lambda details: serve(job, progress, capture, inputs, details),
                binds=[isolate.Bind(work / "sub", isolate.SUBMISSION_DIR)],
                hide=[*(Path(p) for p in job["hide"]), GRADER_DIR], keep_fds=(progress, capture), scratch=[work],
                processes=int(job["limits"]["processes"]), report_fd=progress,
                memory=int(job["limits"]["memory_bytes"]) + CGROUP_MEMORY_SLACK,
                namespaces=bool(job["namespaces"]))


CGROUP_MEMORY_SLACK = 512 * 1024 * 1024
"""Room in the sandbox's memory cgroup beyond the student's allowance: pages of the warm server that the
child copies on write (Python touches them as it runs)."""
