"""Resource limits for the sandbox child, and applying them (in the child, before student code runs)."""

from __future__ import annotations

import os
import resource
import signal
from dataclasses import asdict, dataclass
from typing import Any

MiB = 1024 * 1024
ENVIRONMENT_KEPT = ("LANG", "LC_ALL", "LC_CTYPE", "TZ", "OMP_NUM_THREADS", "MKL_NUM_THREADS",
                    "CUDA_VISIBLE_DEVICES", "CUDA_DEVICE_ORDER", "CUDA_HOME", "CUDA_PATH", "LD_LIBRARY_PATH",
                    "NVIDIA_VISIBLE_DEVICES", "NVIDIA_DRIVER_CAPABILITIES", "PYTORCH_CUDA_ALLOC_CONF",
                    "CUBLAS_WORKSPACE_CONFIG")
"""Variables the child may inherit (locale, threads, what torch and CUDA read); nothing else."""


CASE_FLOOR_SECONDS = 2.0
"""No case is stopped sooner than this (wall clock), whatever the reference needs."""
CASE_FACTOR = 100.0
"""A case may take this many times what the reference needed for it, when that is more than the floor."""
IMPORT_SECONDS = 3.0
"""Added to the first case that imports a student's file (the import runs the file's top-level code)."""
CUDA_SECONDS = 30.0
"""The floor for cases on a GPU (the first one initialises CUDA in the child)."""


def case_seconds(reference_seconds: float, device: str, exercise_seconds: float) -> float:
    """The time limit of one case: a generous multiple of what the reference needed, with a floor, never
    more than the exercise's own limit. An endless loop then costs seconds, not the exercise's minute."""
    floor = CUDA_SECONDS if device == "cuda" else CASE_FLOOR_SECONDS
    return min(max(floor, CASE_FACTOR * reference_seconds), exercise_seconds)


SANDBOXES = ("auto", "process")
"""auto: Linux namespaces where available, else a plain child process; process: never namespaces."""


@dataclass(frozen=True)
class Limits:
    """What one submission's child may use. Every field is also a `grade check` option."""

    exercise_seconds: float = 60.0
    """Wall-clock time for one exercise (all its cases)."""
    submission_seconds: float = 600.0
    """Wall-clock time for the whole submission."""
    cpu_seconds: int = 600
    """CPU time for one child process."""
    memory_bytes: int = 2048 * MiB
    """Address space the student's code may add to what the warm runner has already mapped (torch)."""
    file_bytes: int = 64 * MiB
    """Largest file the child may write (its results and captured output included)."""
    processes: int = 64
    """Processes and threads the child may have at once."""
    output_chars: int = 4000
    """Characters of the student's printed output kept for the report; the rest is dropped."""

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @staticmethod
    def from_json(data: dict[str, Any]) -> Limits:
        return Limits(**data)


def _mapped_bytes() -> int:
    """The process's current virtual size (VmSize), so the memory limit is added on top of it."""
    try:
        with open("/proc/self/status", encoding="utf-8") as f:
            for line in f:
                if line.startswith("VmSize:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def _count_processes_of(uid: int) -> int:
    count = 0
    try:
        for entry in os.scandir("/proc"):
            if entry.name.isdigit():
                try:
                    if entry.stat().st_uid == uid:
                        count += len(os.listdir(f"/proc/{entry.name}/task"))
                except OSError:
                    continue
    except OSError:
        return 0
    return count


def mapped_bytes() -> int:
    """What this process has mapped now (measured before entering the sandbox, which may have no /proc)."""
    return _mapped_bytes()


def apply(limits: Limits, *, nproc: bool, mapped: int = 0) -> dict[str, str]:
    """Apply the limits to this process (inherited by its children); return what was applied.
    ``mapped``: the address space already in use, when measured beforehand."""
    applied: dict[str, str] = {}

    def setl(name: str, which: int, soft: int, hard: int | None = None) -> None:
        try:
            _, old_hard = resource.getrlimit(which)
            hard = soft if hard is None else hard
            if old_hard != resource.RLIM_INFINITY:
                soft, hard = min(soft, old_hard), min(hard, old_hard)
            resource.setrlimit(which, (soft, hard))
            applied[name] = str(soft)
        except (ValueError, OSError):
            applied[name] = "unavailable"

    setl("core", resource.RLIMIT_CORE, 0)
    # SIGXCPU at the soft limit (reported as "CPU time"), SIGKILL a little later if it is ignored
    setl("cpu", resource.RLIMIT_CPU, int(limits.cpu_seconds), int(limits.cpu_seconds) + 5)
    setl("file", resource.RLIMIT_FSIZE, int(limits.file_bytes))
    mapped = mapped or _mapped_bytes()
    if mapped:
        setl("memory", resource.RLIMIT_AS, mapped + int(limits.memory_bytes))
    else:
        applied["memory"] = "unavailable"
    if nproc:  # counts every process of this user, so the limit is what runs now plus the allowance
        setl("processes", resource.RLIMIT_NPROC, _count_processes_of(os.geteuid()) + int(limits.processes))
    # writing past the file limit should fail with an error, not kill the process with SIGXFSZ
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    return applied
