"""The warm runner: a fork server that has imported torch and the child code, forking one child per
submission, so that a submission costs a fork instead of an interpreter start and a torch import.

Why not ``multiprocessing``'s forkserver: it re-imports the caller's ``__main__`` in every child
(slow under pytest, a fork loop for scripts without a ``__main__`` guard) and pickles its arguments.
This one speaks a line protocol over a Unix socket:

    grading process                                   fork server
    "run <n>\\n" + n bytes of job JSON, with the
    write end of a progress pipe attached  ────────►  fork: the child runs child.outer(job, fd)
                                           ◄────────  "pid <pid>\\n"
                                           ◄────────  "exit <pid> <wait status>\\n" when it ends

The server never touches CUDA, so its children may initialise CUDA afresh; it dies with the grading
process (parent-death signal), and its children die with it.
"""

from __future__ import annotations

import json
import os
import select
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

from grader.sandbox.limits import ENVIRONMENT_KEPT
from grader.startup import heavy_imports


class ForkServerError(ConnectionError):
    """The fork server ended, stopped or stopped answering."""


SPAWN_SECONDS = 30.0
"""How long a running fork server may take to fork a child; past that it is taken for stuck and replaced."""
START_SECONDS = 180.0
"""How long a fresh server may take to answer first (it imports torch and warms up before it listens)."""
SERVER_ENVIRONMENT = ("PATH", "PYTHONPATH", "PYTHONHASHSEED", "SYSTEMROOT")
"""The grading process's variables the fork server starts with, besides the child's own list: its
environment is what ``/proc/self/environ`` shows every child, so no secret may be in it."""


class ForkServer:
    """The grading process's handle on the fork server (thread-safe; started on first use).

    Every call has a time limit: a server that ended, was stopped (SIGSTOP) or stopped answering is
    killed and a fresh one started for the next call, never waited on forever."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._sock: socket.socket | None = None
        self._proc: subprocess.Popen[bytes] | None = None
        self._buffer = b""
        self._exits: dict[int, int] = {}
        self._answered = False

    def start(self) -> None:
        """Start the server (once)."""
        with self._lock:
            self._start()

    def _start(self) -> None:
        if self._proc is not None and self._proc.poll() is None:
            return
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        env = {k: v for k, v in os.environ.items() if k in SERVER_ENVIRONMENT or k in ENVIRONMENT_KEPT}
        package_root = str(Path(__file__).resolve().parents[2])
        env["PYTHONPATH"] = os.pathsep.join(p for p in (package_root, env.get("PYTHONPATH")) if p)
        self._proc = subprocess.Popen(
            [sys.executable, "-m", "grader.sandbox.forkserver", str(theirs.fileno())],
            pass_fds=(theirs.fileno(),), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL, env=env, close_fds=True,
            start_new_session=True,  # Ctrl-C in the terminal reaches the grading process only, never the server
        )
        theirs.close()
        self._sock, self._buffer, self._exits = ours, b"", {}
        self._answered = False

    def stop(self) -> None:
        """Kill the server (its children die with it); the next call starts a fresh one."""
        with self._lock:
            self._kill()

    def _kill(self) -> None:
        if self._proc is not None:
            try:
                self._proc.kill()
                self._proc.wait(timeout=10)
            except (OSError, subprocess.TimeoutExpired):
                pass
        if self._sock is not None:
            self._sock.close()
        self._proc, self._sock, self._buffer, self._exits = None, None, b"", {}

    def kill_now(self) -> None:
        """Kill the server without waiting for the lock (an interrupt may come while a call holds it)."""
        proc = self._proc
        if proc is not None:
            try:
                proc.kill()
            except OSError:
                pass

    def healthy(self) -> bool:
        """Running and not stopped (a SIGSTOP, or a debugger)."""
        if self._proc is None or self._proc.poll() is not None:
            return False
        try:
            with open(f"/proc/{self._proc.pid}/stat", "rb") as f:
                state = f.read().rsplit(b")", 1)[1].split()[0]
            return state not in (b"T", b"t", b"Z", b"X")
        except (OSError, IndexError):
            return True  # no /proc (macOS): poll() is all there is

    def _line(self, timeout: float | None) -> bytes | None:
        assert self._sock is not None
        while b"\n" not in self._buffer:
            if timeout is not None and not select.select([self._sock], [], [], timeout)[0]:
                return None
            chunk = self._sock.recv(4096)
            if not chunk:
                raise ForkServerError("the fork server ended")
            self._buffer += chunk
        line, self._buffer = self._buffer.split(b"\n", 1)
        return line

    def _handle(self, line: bytes) -> int | None:
        word, *rest = line.decode(errors="replace").split()
        if word == "exit" and len(rest) == 2 and all(r.lstrip("-").isdigit() for r in rest):
            self._exits[int(rest[0])] = int(rest[1])
            return None
        if word == "pid" and len(rest) == 1 and rest[0].isdigit():
            return int(rest[0])
        raise ForkServerError(f"unexpected message from the fork server: {line[:80]!r}")

    def spawn(self, job: bytes, progress_fd: int) -> int:
        """Fork a child running ``child.outer`` on ``job``; return its pid. A server that does not
        answer within ``SPAWN_SECONDS`` is replaced once; ForkServerError if the new one fails too."""
        for attempt in (1, 2):
            with self._lock:
                self._start()
                try:
                    return self._spawn(job, progress_fd)
                except (OSError, ForkServerError):
                    self._kill()
                    if attempt == 2:
                        raise ForkServerError("the fork server did not answer") from None
        raise AssertionError("unreachable")

    def _spawn(self, job: bytes, progress_fd: int) -> int:
        assert self._sock is not None
        self._sock.settimeout(SPAWN_SECONDS)
        try:
            socket.send_fds(self._sock, [f"run {len(job)}\n".encode()], [progress_fd])
            self._sock.sendall(job)
        finally:
            self._sock.settimeout(None)
        limit = SPAWN_SECONDS if self._answered else START_SECONDS
        deadline = time.monotonic() + limit
        while True:
            remaining = deadline - time.monotonic()
            line = self._line(timeout=min(0.5, remaining)) if remaining > 0 else None
            if line is None:
                if remaining > 0 and self.healthy():  # still starting, or busy: keep waiting
                    continue
                raise ForkServerError(f"no answer from the fork server in {limit:.0f} s" if remaining <= 0
                                      else "the fork server ended or was stopped")
            pid = self._handle(line)
            if pid is not None:
                self._answered = True
                return pid

    def wait(self, pid: int, timeout: float | None) -> int | None:
        """The child's wait status once the server reports it ended (None if not within ``timeout``).
        ForkServerError as soon as the server is gone or stopped.

        Reads in short turns so that other threads (batch workers) can spawn and wait meanwhile."""
        deadline = None if timeout is None else time.monotonic() + timeout
        checked = time.monotonic()
        while True:
            with self._lock:
                if pid in self._exits:
                    return self._exits.pop(pid)
                if self._sock is None:
                    raise ForkServerError("the fork server was replaced")
                line = self._line(timeout=0.05)
                if line is not None:
                    self._handle(line)
                    continue
                if time.monotonic() - checked > 0.5:
                    checked = time.monotonic()
                    if not self.healthy():
                        self._kill()
                        raise ForkServerError("the fork server ended or was stopped")
            if deadline is not None and time.monotonic() >= deadline:
                return None


_SERVER = ForkServer()

META_PRELOAD = ("torch._dynamo",)
"""Imported by torch the first time an op runs on the ``meta`` device: more than a second that the fork server
spends once, before forking the first child of a job with a case on ``meta`` (no built-in assignment has one),
instead of in every child; a job without one never pays it."""


def server() -> ForkServer:
    return _SERVER


def warm_up() -> None:
    """Start the fork server now, so that it imports torch while the caller imports its own and prepares the
    cases."""
    _SERVER.start()


# --- the server process ---------------------------------------------------------------------------

def _recv_exact(sock: socket.socket, n: int) -> bytes:
    data = b""
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            raise EOFError
        data += chunk
    return data


def _warm(meta: bool) -> None:
    """Run each kind of operation the drivers use once, so every child inherits torch's first-call work
    (lazy imports, dispatch caches, meta kernels) instead of paying it again."""
    import tempfile

    import torch
    from safetensors.torch import load_file, save_file

    devices = ["cpu", "meta"] if meta else ["cpu"]
    for device in devices:
        for dtype in (torch.float32, torch.float64):
            layer = torch.nn.Sequential(torch.nn.Linear(4, 4), torch.nn.LayerNorm(4), torch.nn.Dropout(0.1))
            layer = layer.to(dtype).to(device)
            x = torch.randn(2, 3, 4, dtype=dtype).to(device).requires_grad_(device == "cpu")
            mask = torch.ones(3, 3, dtype=torch.bool, device=device).tril()
            scores = (x @ x.transpose(-2, -1)).masked_fill(~mask, -1e9)
            out = torch.softmax(scores, dim=-1) @ layer(x)
            if device == "cpu":
                out.sum().backward()
                with tempfile.TemporaryDirectory() as tmp:
                    save_file({"x": out.detach()}, f"{tmp}/w.safetensors")
                    load_file(f"{tmp}/w.safetensors")


def _warm_meta(job: dict) -> bool:
    """Before the first job with a case on ``meta``: torch's compiler stack, imported and warmed once."""
    if not any(task.get("device") == "meta" for task in job.get("tasks", ())):
        return False
    import importlib

    with heavy_imports():
        for name in META_PRELOAD:
            importlib.import_module(name)
        _warm(meta=True)
    return True


def main(fd: int) -> None:
    # Not PR_SET_PDEATHSIG: it fires when the *thread* that started this process ends, and a batch may
    # start it from a worker thread that ends with its pool. The server ends instead when its socket
    # closes (the grading process is gone) or when it is orphaned (checked below, every second at most).
    parent = os.getppid()
    with heavy_imports():  # torch and the child code, imported once for every fork
        from grader.sandbox import child, isolate

        isolate.prepare()  # the seccomp filter, built once
        _warm(meta=False)
    meta_ready = False

    sock = socket.socket(fileno=fd)
    # SIGCHLD wakes the loop below at once, so an exit is reported without waiting for a poll interval
    wake_r, wake_w = os.pipe2(os.O_NONBLOCK | os.O_CLOEXEC)
    signal.set_wakeup_fd(wake_w)
    signal.signal(signal.SIGCHLD, lambda *_: None)
    children: set[int] = set()
    buffer = b""
    while True:
        while children:  # reap and report
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                break
            if pid == 0:
                break
            children.discard(pid)
            sock.sendall(f"exit {pid} {status}\n".encode())
        ready = select.select([sock.fileno(), wake_r], [], [], 1.0)[0]
        if os.getppid() != parent:  # the grading process died without closing the socket
            break
        if wake_r in ready:
            try:
                os.read(wake_r, 4096)
            except BlockingIOError:
                pass
        if sock.fileno() not in ready:
            continue
        msg, fds, _, _ = socket.recv_fds(sock, 64, 1)
        if not msg:
            break
        buffer += msg
        while b"\n" not in buffer:
            more = sock.recv(64)
            if not more:
                return
            buffer += more
        header, _, rest = buffer.partition(b"\n")
        size = int(header.split()[1])
        job = rest + _recv_exact(sock, size - len(rest))
        buffer = b""
        parsed = json.loads(job)
        meta_ready = meta_ready or _warm_meta(parsed)
        child.preload(parsed)
        pid = os.fork()
        if pid == 0:
            signal.set_wakeup_fd(-1)
            signal.signal(signal.SIGCHLD, signal.SIG_DFL)
            sock.close()
            os.close(wake_r)
            os.close(wake_w)
            try:
                child.outer(parsed, fds[0])
            finally:  # never unwind into this loop: the fork would become a second server
                os._exit(isolate.SETUP_FAILED)
        for f in fds:
            os.close(f)
        children.add(pid)
        sock.sendall(f"pid {pid}\n".encode())
    for pid in children:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


if __name__ == "__main__":
    try:
        main(int(sys.argv[1]))
    finally:  # at once: a torch-loaded interpreter's teardown takes a second, and its children die with it
        os._exit(0)
