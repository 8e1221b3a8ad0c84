"""The grading process's side of the sandbox: start the child, feed it tasks, enforce timeouts.

One child runs a whole submission. It reports ``start i`` / ``done i`` on a pipe; when an exercise
runs past its time limit the child's process group is killed, the exercise's remaining tasks are
marked ``timeout``, and a fresh child continues with the next exercise. A child that dies in the
middle of a task (segfault, ``os._exit``) costs that task only; the rest are run by a new child.
"""

from __future__ import annotations

import json
import os
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch
from safetensors.torch import save_file

import grader
from grader.sandbox import transfer

MAX_RESULT_BYTES = 64 * 1024 * 1024
MAX_CAPTURED = 4000
STARTUP_TIMEOUT = 120.0


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


@dataclass(frozen=True)
class Outcome:
    """What came back for one task."""

    status: str
    """ok, error (the student's code raised or could not be loaded), timeout, crashed, transfer."""
    record: Mapping[str, Any] = field(default_factory=dict)
    """The child's record (for errors: kind, type, message, traceback, ...)."""
    entries: Mapping[str, transfer.Entry] = field(default_factory=dict)


@dataclass(frozen=True)
class RunResult:
    outcomes: Mapping[int, Outcome]
    stdout: str
    """The first characters the student's code printed (truncated)."""
    isolation: str
    """The isolation level reached, e.g. ``process``."""


def _child_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "LC_ALL", "SYSTEMROOT", "TMPDIR")}
    package_root = str(Path(grader.__file__).resolve().parent.parent)
    env.update(PYTHONPATH=package_root, PYTHONDONTWRITEBYTECODE="1", PYTHONHASHSEED="0",
               OMP_NUM_THREADS="1", MKL_NUM_THREADS="1", PYTHONUNBUFFERED="1")
    return env


def _kill(proc: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    proc.wait()


def _read_captured(path: Path) -> str:
    try:
        with path.open("rb") as f:
            data = f.read(MAX_CAPTURED + 1)
    except OSError:
        return ""
    text = data[:MAX_CAPTURED].decode("utf-8", errors="replace")
    return text + ("\n…" if len(data) > MAX_CAPTURED else "")


def run_tasks(submission: Path, tasks: Sequence[Task], *, timeout: float) -> RunResult:
    """Run ``tasks`` (grouped by exercise, in order) against ``submission`` in child processes."""
    work = Path(tempfile.mkdtemp(prefix="nlp-grader-"))
    try:
        return _run(submission.resolve(), list(tasks), timeout, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _run(submission: Path, tasks: list[Task], timeout: float, work: Path) -> RunResult:
    in_dir, out_dir, cwd = work / "in", work / "out", work / "cwd"
    for d in (in_dir, out_dir, cwd):
        d.mkdir()
    for task in tasks:
        save_file({k: v.contiguous().clone() for k, v in task.inputs.items()}, str(in_dir / f"{task.index}.safetensors"))
    outcomes: dict[int, Outcome] = {}
    pending = tasks
    log = work / "stdout.txt"
    with log.open("wb") as log_file:
        while pending:
            pending = _run_child(submission, pending, timeout, in_dir, out_dir, cwd, log_file, outcomes)
    return RunResult(outcomes=outcomes, stdout=_read_captured(log), isolation="process")


def _run_child(submission: Path, tasks: list[Task], timeout: float, in_dir: Path, out_dir: Path, cwd: Path,
               log_file: Any, outcomes: dict[int, Outcome]) -> list[Task]:
    """Run one child over ``tasks``; return the tasks still to run when it had to be stopped."""
    read_fd, write_fd = os.pipe()
    job = {
        "submission": str(submission), "indir": str(in_dir), "outdir": str(out_dir),
        "tasks": [{"index": t.index, "exercise": t.exercise, "file": t.file, "name": t.name,
                   "driver": t.driver, "args": t.args, "device": t.device} for t in tasks],
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "grader.sandbox.child", str(write_fd)],
        stdin=subprocess.PIPE, stdout=log_file, stderr=subprocess.STDOUT, pass_fds=(write_fd,),
        cwd=cwd, env=_child_env(), start_new_session=True,
    )
    os.close(write_fd)
    assert proc.stdin is not None
    try:
        proc.stdin.write(json.dumps(job).encode() + b"\n")
        proc.stdin.close()
    except BrokenPipeError:
        pass
    by_index = {t.index: t for t in tasks}
    current: Task | None = None
    deadline = time.monotonic() + STARTUP_TIMEOUT + timeout
    exercise_started: dict[str, float] = {}
    buffer = b""
    try:
        while True:
            remaining = deadline - time.monotonic()
            ready = select.select([read_fd], [], [], max(remaining, 0))[0] if remaining > 0 else []
            if not ready:  # the exercise in progress ran out of time
                _kill(proc)
                stuck = current.exercise if current else tasks[0].exercise
                for t in tasks:
                    if t.exercise == stuck and t.index not in outcomes:
                        outcomes[t.index] = Outcome(status="timeout", record={"limit": timeout})
                return [t for t in tasks if t.index not in outcomes and t.exercise != stuck]
            chunk = os.read(read_fd, 4096)
            if not chunk:  # the child ended
                code = proc.wait()
                if current is not None and current.index not in outcomes:
                    outcomes[current.index] = Outcome(status="crashed", record={"returncode": code})
                return [t for t in tasks if t.index not in outcomes]
            buffer += chunk
            *lines, buffer = buffer.split(b"\n")
            for line in lines:
                word, _, idx = line.decode(errors="replace").partition(" ")
                if not idx.isdigit() or int(idx) not in by_index:
                    continue
                task = by_index[int(idx)]
                if word == "start":
                    current = task
                    started = exercise_started.setdefault(task.exercise, time.monotonic())
                    deadline = started + timeout
                elif word == "done":
                    outcomes[task.index] = _collect(out_dir / str(task.index))
    finally:
        os.close(read_fd)
        if proc.poll() is None:
            _kill(proc)
        else:
            try:  # whatever the child left in its process group goes too
                os.killpg(proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass


def _collect(path: Path) -> Outcome:
    try:
        record, tensors = transfer.read(path, MAX_RESULT_BYTES)
        if record.get("status") == "ok":
            return Outcome(status="ok", record=record, entries=transfer.decode(record.get("entries", {}), tensors))
        return Outcome(status="error", record=record)
    except (transfer.TransferError, OSError, ValueError) as exc:
        return Outcome(status="transfer", record={"message": str(exc)})
