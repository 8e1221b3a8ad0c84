"""The grading process's side of the sandbox: the warm runner, timeouts and collecting results.

The warm runner (:mod:`grader.sandbox.forkserver`) imports torch and the child code once; every
submission is then a fork of it, not a new interpreter. The grading process never forks itself and
the fork server never touches CUDA, so a child may initialise CUDA afresh.

One child runs a submission's tasks in order and reports ``start i`` / ``done i``. When an
exercise runs past its time limit the child (and every process of its sandbox) is killed, the
exercise's remaining tasks are marked ``timeout``, and a fresh child carries on with the next
exercise. A child that dies in the middle of a task costs that task only.
"""

from __future__ import annotations

import json
import os
import select
import shutil
import signal
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch

from grader import clean, safefs
from grader.sandbox import isolate, transfer
from grader.sandbox.forkserver import ForkServerError, server, warm_up  # noqa: F401  (warm_up: part of this module's API)
from grader.sandbox.limits import ENVIRONMENT_KEPT, IMPORT_SECONDS, Limits, case_seconds
from grader.sandbox.protocol import OutcomeStatus, RecordKind, RecordStatus

MAX_RESULT_BYTES = 64 * 1024 * 1024
RECORD_BYTES = 1024 * 1024
"""Room for a result's JSON record on top of its tensors."""
MAX_LINE_BYTES = 1024 * 1024
MIN_TASK_BYTES = 1024 * 1024
STARTUP_SECONDS = 120.0
SUBMISSION_IGNORE = ("__pycache__", ".git", ".ipynb_checkpoints")


@dataclass(frozen=True)
class Task:
    """One driver call for the child."""

    index: int
    exercise: str
    case: str
    file: str
    name: str
    driver: str
    args: Mapping[str, Any]
    device: str
    inputs: Mapping[str, torch.Tensor]
    max_bytes: int = MIN_TASK_BYTES
    inputs_file: Path | None = None
    """The inputs already written as safetensors (shared by every submission of a batch); else written per run."""
    """Largest result the child may send back for this task."""
    forbidden: tuple[str, ...] = ()
    reaches: frozenset[str] = frozenset()
    """Names of the submission's own functions and classes this exercise's code can reach (static.reaches):
    once one of them is found looping, the cases that would call it again are not run."""
    reference_seconds: float | None = None
    """What the reference needed for this case: its time limit derives from it (``limits.case_seconds``;
    the first case of a file also gets ``IMPORT_SECONDS``). None: only the exercise's limit applies."""
    """Dotted names the exercise forbids: calling one trips the child's tripwire (record ``forbidden_call``)."""


@dataclass(frozen=True)
class Outcome:
    """What came back for one task."""

    status: OutcomeStatus
    record: Mapping[str, Any] = field(default_factory=dict)
    """The child's record (for errors: kind, type, message, traceback, ...) or the runner's."""
    entries: Mapping[str, transfer.Entry] = field(default_factory=dict)


@dataclass(frozen=True)
class RunResult:
    outcomes: Mapping[int, Outcome]
    stdout: str
    """The start of what the student's code printed (truncated)."""
    isolation: Mapping[str, Any]
    """What the sandbox reached: level (namespaces or process), network, filesystem, limits."""


def run_tasks(submission: Path, tasks: Sequence[Task], *, limits: Limits | None = None,
              hide: Sequence[Path] = (), namespaces: bool = True, shared_inputs: bool = False) -> RunResult:
    """Run ``tasks`` (grouped by exercise, in order) against ``submission`` in sandboxed children.

    ``hide`` lists paths the child must not see (the reference, other submissions, the output folder);
    they are hidden only where namespaces are available (see ``isolation`` in the result).
    ``shared_inputs``: the tasks' ``inputs_file`` are shared by many runs (a batch); the fork server
    loads them once and every child inherits them.
    """
    work = Path(tempfile.mkdtemp(prefix="nlp-grader-"))
    try:
        return _Run(submission, list(tasks), limits or Limits(), hide, namespaces, work, shared_inputs).run()
    finally:
        shutil.rmtree(work, ignore_errors=True)


class _Run:
    def __init__(self, submission: Path, tasks: list[Task], limits: Limits, hide: Sequence[Path],
                 namespaces: bool, work: Path, shared_inputs: bool = False) -> None:
        self.tasks, self.limits, self.work = tasks, limits, work
        self.namespaces = namespaces
        self.preload = shared_inputs and all(t.inputs_file is not None for t in tasks)
        # a hidden folder that holds the scratch folder (a class folder under /tmp, say) would hide it too
        self.hide = [str(Path(p).resolve()) for p in hide if not work.resolve().is_relative_to(Path(p).resolve())]
        self.outcomes: dict[int, Outcome] = {}
        self.case_limits = {t.index: case_seconds(t.reference_seconds, t.device, limits.exercise_seconds)
                            for t in tasks if t.reference_seconds is not None}
        self.stacks: dict[int, list[dict[str, Any]]] = {}
        self.looping: list[dict[str, Any]] = []
        """Where earlier cases were stuck when they ran out of time: {function, file, line}."""
        """Where the student's code was running when a case ran out of time (reported by the child)."""
        self.isolation: dict[str, Any] = {}
        self.deadline = time.monotonic() + limits.submission_seconds
        for d in ("in", "cwd", "tmp"):
            (work / d).mkdir()
        os.chmod(work, 0o755)  # the sandbox's user may be nobody: it must reach its submission
        # regular files only: a link (to /proc/self/mem, say), a pipe or a device is never opened
        self.left_out = safefs.copy_tree(submission, work / "sub", ignore=SUBMISSION_IGNORE)
        self.inputs: dict[int, str] = {}
        for t in tasks:
            if t.inputs_file is None:
                path = work / "in" / f"{t.index}.safetensors"
                path.write_bytes(transfer.pack({k: v.contiguous() for k, v in t.inputs.items()}, {}))
            self.inputs[t.index] = str(t.inputs_file or path)

    def run(self) -> RunResult:
        pending = self.tasks
        captured = ""
        while pending:
            pending = self._skip_looping(self._child(pending))
            captured = captured or _read_captured(self.work / "output.txt", self.limits.output_chars)
        return RunResult(outcomes=self.outcomes, stdout=captured, isolation=self.isolation)

    def _job(self, tasks: list[Task]) -> str:
        return json.dumps({
            "work": str(self.work), "hide": self.hide, "namespaces": self.namespaces, "preload": self.preload,
            "limits": self.limits.to_json(),
            "environment": {k: v for k, v in os.environ.items() if k in ENVIRONMENT_KEPT},
            "tasks": [{"index": t.index, "exercise": t.exercise, "file": t.file, "name": t.name,
                       "driver": t.driver, "args": t.args, "device": t.device, "max_bytes": t.max_bytes,
                       "seconds": self.case_limits.get(t.index),
                       "inputs": self.inputs[t.index], "forbidden": list(t.forbidden)}
                      for t in tasks],
        })

    def _child(self, tasks: list[Task]) -> list[Task]:
        """Run one child over ``tasks``; return the tasks still to run when it had to be stopped."""
        read_fd, write_fd = os.pipe()
        try:
            pid = server().spawn(self._job(tasks).encode(), write_fd)
        finally:
            os.close(write_fd)
        by_index = {t.index: t for t in tasks}
        left = sum(t.index not in self.outcomes for t in tasks)
        current: Task | None = None
        started: dict[str, float] = {}
        imported: set[str] = set()
        case_limit: float | None = None
        deadline = min(time.monotonic() + STARTUP_SECONDS, self.deadline)
        stream = ProgressStream(lambda i: min(by_index[i].max_bytes + RECORD_BYTES, MAX_RESULT_BYTES)
                                if i in by_index else None)
        try:
            while True:
                remaining = deadline - time.monotonic()
                if remaining <= 0 or not select.select([read_fd], [], [], remaining)[0]:
                    return self._timed_out(tasks, current, whole=deadline >= self.deadline, case_limit=case_limit)
                chunk = os.read(read_fd, 1 << 20)
                if not chunk:  # the child ended
                    try:
                        status = server().wait(pid, timeout=30)
                    except ForkServerError:  # the server went with it: a fresh one serves the next child
                        status = None
                    pid = 0
                    if current is None:  # it never started a task: the sandbox could not be set up
                        for t in tasks:
                            self.outcomes.setdefault(t.index, Outcome(OutcomeStatus.CRASHED, {
                                **_ended(status).record, "setup": str(self.isolation.get("setup_error", ""))}))
                        return []
                    if current.index not in self.outcomes:
                        self.outcomes[current.index] = _ended(status)
                    return [t for t in tasks if t.index not in self.outcomes]
                broken: Exception | None = None
                try:
                    events = stream.feed(chunk)
                except ProtocolError as exc:  # what came before the bad line is still each task's own
                    events, broken = exc.events, exc
                except Exception as exc:  # noqa: BLE001 - anything malformed: nothing in this chunk is used
                    events, broken = [], exc
                for word, rest, payload in events:
                    if word == "isolation" and not self.isolation:
                        self.isolation = _isolation(rest)
                        continue
                    if word == "oom" and current is not None and current.index not in self.outcomes:
                        # the memory cgroup's OOM killer ended the sandbox (several processes together)
                        self.outcomes[current.index] = Outcome(OutcomeStatus.ERROR, {"kind": RecordKind.MEMORY, "type": "cgroup"})
                        continue
                    if word == "stuck":  # where the student's code was when its case ran out of time
                        index, _, where = rest.partition(" ")
                        if _number(index) and int(index) in by_index:
                            self.stacks[int(index)] = _stack(where)
                        continue
                    if not _number(rest) or int(rest) not in by_index:
                        continue
                    task = by_index[int(rest)]
                    if word == "start":
                        current = task
                        now = time.monotonic()
                        first = started.setdefault(task.exercise, now)
                        deadline = min(first + self.limits.exercise_seconds, self.deadline)
                        case_limit = None
                        if task.index in self.case_limits:
                            case_limit = self.case_limits[task.index] + (0.0 if task.file in imported else IMPORT_SECONDS)
                            deadline = min(deadline, now + case_limit + STACK_GRACE)
                        imported.add(task.file)
                    elif word == "done" and task.index not in self.outcomes:
                        self.outcomes[task.index] = _collect(payload)
                        left -= 1
                        if not left:
                            return []  # whatever the child left behind is stopped below
                if broken is not None:  # the stream cannot be trusted past this point: a fresh child goes on
                    victim = current or next((t for t in tasks if t.index not in self.outcomes), None)
                    if victim is not None and victim.index not in self.outcomes:
                        self.outcomes[victim.index] = Outcome(OutcomeStatus.TRANSFER, {"message": clean.text(broken, 300)})
                    return [t for t in tasks if t.index not in self.outcomes]
        finally:
            os.close(read_fd)
            if pid:
                _stop(pid)

    def _skip_looping(self, pending: list[Task]) -> list[Task]:
        """Cases whose code would call a function found stuck in an endless loop are not run (they would
        cost their whole time limit each): they time out at once, naming that function."""
        left = []
        for t in pending:
            stuck = next((f for f in self.looping if f["function"] in t.reaches or f["function"] == t.name), None)
            if stuck is None:
                left.append(t)
            else:
                self.outcomes[t.index] = Outcome(OutcomeStatus.TIMEOUT, {"scope": "dependency", "limit": 0, **stuck})
        return left

    def _timed_out(self, tasks: list[Task], current: Task | None, whole: bool,
                   case_limit: float | None = None) -> list[Task]:
        """A deadline passed: the submission's (nothing more runs), a case's or an exercise's (the rest of
        that exercise is not run: its code would most likely loop again; the next exercise goes on)."""
        stack = self.stacks.get(current.index, []) if current is not None else []
        if whole:  # the submission's own limit: nothing more runs
            for t in tasks:
                if t.index not in self.outcomes:
                    record: dict[str, Any] = {"limit": self.limits.submission_seconds, "scope": "submission"}
                    if current is not None and t.index == current.index and stack:
                        record["stack"] = stack
                    self.outcomes[t.index] = Outcome(OutcomeStatus.TIMEOUT, record)
            return []
        stuck = current.exercise if current else tasks[0].exercise
        if stack:  # the innermost frame of the student's own: what later exercises must not call again
            self.looping.append({k: stack[-1][k] for k in ("function", "file", "line")})
        if current is not None and current.index not in self.outcomes:
            scope, limit = ("case", case_limit) if case_limit is not None else ("exercise", self.limits.exercise_seconds)
            self.outcomes[current.index] = Outcome(OutcomeStatus.TIMEOUT,
                                                   {"limit": round(limit, 1), "scope": scope, "stack": stack})
        for t in tasks:
            if t.exercise == stuck and t.index not in self.outcomes:
                self.outcomes[t.index] = Outcome(OutcomeStatus.TIMEOUT, {
                    "limit": self.limits.exercise_seconds, "scope": "skipped",
                    "after": current.case if current is not None else "", "stack": stack})
        return [t for t in tasks if t.index not in self.outcomes and t.exercise != stuck]


def _stop(pid: int) -> None:
    """End the child and everything it started (its sandbox ends with it; in fallback, its group)."""
    for kill in (os.killpg, os.kill):
        try:
            kill(pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
    try:
        server().wait(pid, timeout=30)
    except ForkServerError:
        pass
    isolate.remove_cgroups(pid)  # killed, it could not remove its own


def _ended(status: int | None) -> Outcome:
    """The outcome of a task whose child ended (wait ``status``) before finishing it."""
    if status is not None and os.WIFSIGNALED(status):
        sig = os.WTERMSIG(status)
        try:
            name = signal.Signals(sig).name
        except ValueError:
            name = str(sig)
        return Outcome(OutcomeStatus.CRASHED, {"signal": name})
    return Outcome(OutcomeStatus.CRASHED, {"returncode": os.WEXITSTATUS(status) if status is not None else None})


def _isolation(text: str) -> dict[str, Any]:
    """What the sandbox reports it reached (sent before the student's code runs; cleaned all the same)."""
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        return {"level": "unknown"}
    if not isinstance(data, dict):
        return {"level": "unknown"}

    def plain(value: Any, depth: int = 0) -> Any:
        if isinstance(value, bool) or (isinstance(value, int) and abs(value) < 2**63):
            return value
        if isinstance(value, dict) and depth < 2:
            return {clean.name(k, 60): plain(v, depth + 1) for k, v in list(value.items())[:40]}
        return clean.text(value, 500)

    return {clean.name(k, 60): plain(v) for k, v in list(data.items())[:40]}


def _read_captured(path: Path, limit: int) -> str:
    """The start of what the student's code printed, cleaned (no control characters, valid text)."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        return ""
    try:
        data = os.read(fd, limit * 4 + 4)
    except OSError:
        return ""
    finally:
        os.close(fd)
    text = clean.text(data, limit * 4)
    return text[:limit] + ("\n…" if len(text) > limit else "")


def _collect(payload: bytes) -> Outcome:
    try:
        record, tensors = transfer.loads(payload)
        if record.get("status") == RecordStatus.OK:
            return Outcome(status=OutcomeStatus.OK, record=record, entries=transfer.decode(record.get("entries", {}), tensors))
        return Outcome(status=OutcomeStatus.ERROR, record=record)
    except transfer.TransferError as exc:
        return Outcome(status=OutcomeStatus.TRANSFER, record={"message": clean.text(exc, 500)})
    except Exception as exc:  # noqa: BLE001 - whatever the child sent costs this case, never the run
        return Outcome(status=OutcomeStatus.TRANSFER, record={"message": f"malformed result ({type(exc).__name__})"})


STACK_GRACE = 0.6
"""Seconds past a case's limit before the child is killed: its report of where it was stuck arrives first."""
MAX_STACK = 12


def _stack(text: str) -> list[dict[str, Any]]:
    """The child's report of where the student's code was running: [{file, line, function}], innermost last,
    checked and cleaned like everything else the child sends."""
    try:
        frames = json.loads(text)
    except (ValueError, RecursionError):
        return []
    out = []
    for f in frames[-MAX_STACK:] if isinstance(frames, list) else []:
        if not isinstance(f, dict) or not isinstance(f.get("line"), int) or isinstance(f.get("line"), bool):
            return []
        out.append({"file": clean.name(f.get("file"), 120), "line": max(0, min(f["line"], 10**7)),
                    "function": clean.name(f.get("function"), 120), "code": clean.name(f.get("code", ""), 160)})
    return out


def _number(text: str) -> bool:
    """ASCII digits only (``"²".isdigit()`` is True, and ``int("²")`` raises), at most 12 of them."""
    return 0 < len(text) <= 12 and text.isascii() and text.isdigit()


class ProtocolError(Exception):
    """The child broke the progress protocol (a result over its limit, a malformed or endless line).

    ``events`` are those complete before the violation: a good result read in the same chunk as a bad
    line still belongs to its task (dropping it blamed the case before the one that wrote the line).
    """

    def __init__(self, message: str, events: list[tuple[str, str, bytes]] | None = None) -> None:
        super().__init__(message)
        self.events = events or []


class ProgressStream:
    """The child's progress pipe, parsed as it arrives.

    Lines ``isolation {...}`` and ``start <i>``; then ``done <i> <n>`` followed by exactly ``n`` bytes:
    the task's result (:func:`transfer.dumps`). ``limit(i)`` is the most bytes task ``i`` may send
    (None for a task this child was not given); a larger announcement is refused before anything is read.
    Results travel in the pipe rather than in files: nothing to create, read back or delete per task,
    and nothing the child could change after it was sent.
    """

    def __init__(self, limit: Callable[[int], int | None]) -> None:
        self._limit = limit
        self._buffer = bytearray()
        self._pending: tuple[str, int] | None = None

    def feed(self, chunk: bytes) -> list[tuple[str, str, bytes]]:
        """Add what was read; return the complete events: (word, rest of the line, payload).

        A violation raises :class:`ProtocolError` carrying the events complete before it."""
        self._buffer += chunk
        events: list[tuple[str, str, bytes]] = []
        try:
            return self._parse(events)
        except ProtocolError as exc:
            exc.events = events
            raise

    def _parse(self, events: list[tuple[str, str, bytes]]) -> list[tuple[str, str, bytes]]:
        while True:
            if self._pending is not None:
                task, expected = self._pending
                if len(self._buffer) < expected:
                    return events
                payload = bytes(self._buffer[:expected])
                del self._buffer[:expected]
                self._pending = None
                events.append(("done", task, payload))
                continue
            end = self._buffer.find(b"\n")
            if end < 0:
                if len(self._buffer) > MAX_LINE_BYTES:
                    raise ProtocolError("protocol violation: a line without end")
                return events
            line = bytes(self._buffer[:end]).decode("utf-8", errors="replace")
            del self._buffer[:end + 1]
            word, _, rest = line.partition(" ")
            if word != "done":
                events.append((word, rest, b""))
                continue
            index, _, size = rest.partition(" ")
            limit = self._limit(int(index)) if _number(index) else None
            if limit is None or not _number(size):
                raise ProtocolError(f"protocol violation: {line[:80]!r}")
            if int(size) > limit:
                raise ProtocolError(f"a result of {int(size)} bytes, over the limit of {limit}")
            self._pending = (index, int(size))
