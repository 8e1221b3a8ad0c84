"""Linux namespaces for the sandbox child: no network, a read-only view with the reference hidden,
and a PID namespace whose processes all end when its first process ends.

``run(body, ...)`` never returns: it runs ``body`` (which must end with ``os._exit``) either in fresh
user, mount, network, PID and IPC namespaces, or, where the platform refuses them (macOS, containers
without user namespaces), in a new session of the calling process. The caller learns which from the
``details`` passed to ``body``; this process's exit status (code or signal) is ``body``'s.

Sequence (the only way an unprivileged process gets these namespaces):

    outer (this process)     inner (forked)                 PID 1 (forked)            worker (PID 2)
    ────────────────────     ─────────────────────────      ──────────────────────    ──────────────
                             unshare(USER|NS|NET|PID|IPC)
    write uid/gid maps  ◄──  "ready"
    join a pids cgroup
    "go" ──────────────────► setresuid(0); mounts: private,
                             scratch writable, the rest
                             read-only, tmpfs over hidden
                             fork ────────────────────────► mount a fresh /proc
                                                            fork ───────────────────► body()
                                                            wait; report its status
                             wait; exit like the   ◄──────  on a pipe (PID 1 ignores
                             reported status                most signals itself)
    wait; exit like inner ◄─

Each process after ``outer`` has the kernel kill it when its parent dies, so killing ``outer`` ends
PID 1, and with it every process of the namespace.
"""

from __future__ import annotations

import ctypes
import os
import signal
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NoReturn

CLONE_NEWNS = 0x00020000
CLONE_NEWIPC = 0x08000000
CLONE_NEWUSER = 0x10000000
CLONE_NEWPID = 0x20000000
CLONE_NEWNET = 0x40000000
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC = 1, 2, 4, 8
MS_REMOUNT, MS_NOATIME, MS_NODIRATIME, MS_BIND, MS_REC = 32, 1024, 2048, 4096, 16384
MS_PRIVATE, MS_RELATIME = 1 << 18, 1 << 21
KEEP_FLAGS = {"nosuid": MS_NOSUID, "nodev": MS_NODEV, "noexec": MS_NOEXEC, "noatime": MS_NOATIME,
              "nodiratime": MS_NODIRATIME, "relatime": MS_RELATIME}
PR_SET_PDEATHSIG = 1
SETUP_FAILED = 125
CGROUP_ROOTS = (Path("/sys/fs/cgroup/pids"), Path("/sys/fs/cgroup"))


def _libc() -> Any:
    return ctypes.CDLL(None, use_errno=True)


def _check(result: int, what: str) -> None:
    if result != 0:
        errno = ctypes.get_errno()
        raise OSError(errno, f"{what}: {os.strerror(errno)}")


def _die_with_parent(libc: Any) -> None:
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


def die_with_parent() -> None:
    """Have the kernel kill this process when its parent ends (Linux; a no-op elsewhere)."""
    try:
        _die_with_parent(_libc())
    except (OSError, AttributeError):
        pass


def exit_like(status: int) -> NoReturn:
    """End this process the way a child with wait ``status`` ended (same signal or exit code)."""
    if os.WIFSIGNALED(status):
        sig = os.WTERMSIG(status)
        try:
            signal.signal(sig, signal.SIG_DFL)
        except (OSError, ValueError):  # SIGKILL and SIGSTOP cannot be handled: they are already default
            pass
        os.kill(os.getpid(), sig)
    os._exit(os.WEXITSTATUS(status) if os.WIFEXITED(status) else 1)


def _mounts(libc: Any, hide: Sequence[Path], writable: Sequence[Path]) -> None:
    _check(libc.mount(None, b"/", None, MS_REC | MS_PRIVATE, None), "make mounts private")
    keep = []
    for path in writable:  # a fresh bind mount of its own, so the read-only remount below skips it
        p = str(path).encode()
        _check(libc.mount(p, p, None, MS_BIND | MS_REC, None), f"bind {path}")
        keep.append(str(path))
    with open("/proc/self/mountinfo", encoding="utf-8") as f:
        mounts = [(line.split()[4], line.split()[5]) for line in f]
    for point, options in mounts:
        if point in keep or any(point.startswith(k + "/") for k in keep):
            continue
        flags = MS_REMOUNT | MS_BIND | MS_RDONLY
        for option in options.split(","):
            flags |= KEEP_FLAGS.get(option, 0)
        if libc.mount(None, point.encode(), None, flags, None) != 0 and point == "/":
            _check(-1, "read-only /")
    for path in hide:
        if path.exists():
            _check(libc.mount(b"tmpfs", str(path).encode(), b"tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV,
                              b"size=4k,mode=555"), f"hide {path}")


def _join_pids_cgroup(pid: int, processes: int) -> Path | None:
    """Put ``pid`` into a new pids cgroup limited to ``processes`` tasks, where cgroups are writable."""
    for root in CGROUP_ROOTS:
        if not (root / "cgroup.procs").exists():
            continue
        if root == Path("/sys/fs/cgroup"):
            try:
                if "pids" not in (root / "cgroup.subtree_control").read_text():
                    continue
            except OSError:
                continue
        group = root / f"nlp-grader-{os.getpid()}-{pid}"
        try:
            group.mkdir()
            (group / "pids.max").write_text(str(processes))
            (group / "cgroup.procs").write_text(str(pid))
            return group
        except OSError:
            try:
                group.rmdir()
            except OSError:
                pass
    return None


def run(body: Callable[[dict[str, Any]], NoReturn], *, hide: Sequence[Path], writable: Sequence[Path],
        processes: int, namespaces: bool = True) -> NoReturn:
    """Run ``body(details)`` in the strongest isolation available; exit as it exits."""
    if not namespaces or not hasattr(os, "fork") or not Path("/proc/self/uid_map").exists():
        _fallback(body, "disabled" if not namespaces else "unsupported")
    libc = _libc()
    ready_r, ready_w = os.pipe()
    go_r, go_w = os.pipe()
    pid = os.fork()
    if pid == 0:  # inner
        os.close(ready_r)
        os.close(go_w)
        try:
            _check(libc.unshare(CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWNET | CLONE_NEWPID | CLONE_NEWIPC), "unshare")
        except OSError:
            os.write(ready_w, b"0")
            os._exit(SETUP_FAILED)
        os.write(ready_w, b"1")
        os.close(ready_w)
        go = os.read(go_r, 2)
        if go[:1] != b"1":
            os._exit(SETUP_FAILED)
        details: dict[str, Any] = {"level": "namespaces", "network": "none", "pid_namespace": True}
        try:
            os.setresgid(0, 0, 0)
            os.setresuid(0, 0, 0)
            _mounts(libc, hide, writable)
            details["filesystem"] = "read-only; reference hidden"
        except OSError as exc:
            details["filesystem"] = f"not isolated ({exc.strerror})"
        _die_with_parent(libc)
        details["process_limit"] = "cgroup" if go[1:] == b"c" else "rlimit"
        status_r, status_w = os.pipe()  # PID 1 cannot die of most signals itself: it reports the worker's
        first = os.fork()
        if first == 0:  # PID 1 of the new namespace: when it ends, every process in it ends
            os.close(status_r)
            _die_with_parent(libc)
            if os.getppid() == 1:
                os._exit(SETUP_FAILED)
            # a /proc that shows only this namespace's processes, where the host allows it
            libc.mount(b"proc", b"/proc", b"proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, None)
            # PID 1 ignores signals it has no handler for (SIGXCPU, SIGTERM, ...): the student's code
            # runs in a second process, where signals act as they do anywhere else
            worker = os.fork()
            if worker == 0:
                os.close(status_w)
                _die_with_parent(libc)
                body(details)
            _, status = os.waitpid(worker, 0)
            os.write(status_w, str(status).encode())
            os._exit(0)
        os.close(status_w)
        _, status = os.waitpid(first, 0)
        reported = os.read(status_r, 32)
        exit_like(int(reported) if reported.isdigit() else status)
    # outer
    os.close(ready_w)
    os.close(go_r)
    if os.read(ready_r, 2) != b"1":
        os.waitpid(pid, 0)
        _fallback(body, "unavailable")
    try:
        uid, gid = os.geteuid(), os.getegid()
        if uid != 0:
            Path(f"/proc/{pid}/setgroups").write_text("deny")
        Path(f"/proc/{pid}/uid_map").write_text(f"0 {uid} 1")
        Path(f"/proc/{pid}/gid_map").write_text(f"0 {gid} 1")
    except OSError:
        os.write(go_w, b"0")
        os.waitpid(pid, 0)
        _fallback(body, "unavailable")
    group = _join_pids_cgroup(pid, processes)
    os.write(go_w, b"1c" if group else b"1r")
    os.close(go_w)
    _, status = os.waitpid(pid, 0)
    if group is not None:
        try:
            group.rmdir()
        except OSError:
            pass
    exit_like(status)


def _fallback(body: Callable[[dict[str, Any]], NoReturn], why: str) -> NoReturn:
    try:
        os.setsid()  # its own session and process group, killed whole at the end
    except OSError:
        pass
    body({"level": "process", "network": "open", "pid_namespace": False, "namespaces": why,
          "filesystem": "as the user running the grader", "process_limit": "rlimit"})
