"""The sandbox's walls (Linux): a private root given only what the child needs, no privileges, a
seccomp filter, no network, and a PID namespace whose processes all end when its first one ends.

``run(body, ...)`` never returns: it runs ``body`` (which must end with ``os._exit``) inside the walls,
or, where the platform refuses namespaces (macOS, containers without user namespaces), in a new
session of the calling process. The caller learns what was reached from the ``details`` passed to
``body``; this process's exit status (code or signal) is ``body``'s.

Default deny. The child's root is an empty, read-only tmpfs into which are bound, read-only and at
their own paths, the interpreter (``sys.base_prefix``), the environment's prefix and site-packages,
``/usr`` (minus ``/usr/local``) and five device nodes; the submission is bound read-only at
``/submission``; ``/work`` (its working folder and HOME) and ``/tmp`` are fresh, small tmpfs; ``/proc``
is the PID namespace's own. Nothing else exists: no repository, no ``.git``, no tests, no other
submission's scratch, no batch inputs or outputs. Paths in ``hide`` that fall inside a bound folder
(the reference's spec in site-packages, a bundle's fixtures) are covered with an empty tmpfs.

Then the process that runs the student's code drops every capability (effective, permitted,
inheritable, ambient and the bounding set), locks the securebits, sets ``PR_SET_NO_NEW_PRIVS`` and
loads a seccomp filter (libseccomp, through ``pyseccomp``) that refuses with EPERM: mount, umount2,
pivot_root, chroot, unshare, setns, clone with namespace flags, ptrace, process_vm_readv/writev,
bpf, perf_event_open, keyctl and the key syscalls, kexec_*, module loading, the new mount API, and
a few more (``DENIED``); ``clone3`` answers ENOSYS so that libc falls back to ``clone``, whose flags
the filter can see; ``socket`` and ``socketpair`` answer EAFNOSUPPORT for every family but ``AF_UNIX``
(``SOCKET_RULE``: vsock reaches the host from inside a network namespace). All file descriptors but
the progress pipe and the output capture are closed.
When the grader runs as root, the child's uid 0 maps to ``nobody`` (65534) outside, so even an
escape would not be root on the host.

Sequence (the only way an unprivileged process gets these namespaces):

    outer (this process)     inner (forked)                 PID 1 (forked)            worker (PID 2)
    ────────────────────     ─────────────────────────      ──────────────────────    ──────────────
    open the bind sources    unshare(USER|NS|NET|PID|IPC)
    (O_PATH)
    write uid/gid maps  ◄──  "ready"
    join a pids cgroup
    "go" ──────────────────► setresuid(0); build the root
                             in a tmpfs (binds by fd)
                             fork ────────────────────────► mount /proc, pivot_root,
                                                            drop capabilities
                                                            fork ───────────────────► drop capabilities,
                                                                                      seccomp, body()
                                                            wait; report its status
                             wait; exit like the   ◄──────  on a pipe (PID 1 ignores
                             reported status                most signals itself)
    wait; exit like inner ◄─

Each process after ``outer`` has the kernel kill it when its parent dies, so killing ``outer`` ends
PID 1, and with it every process of the namespace. Where a wall cannot be built, the run goes on
with the others and ``details`` says which one is missing and why.
"""

from __future__ import annotations

import ctypes
import errno
import os
import platform
import signal
import site
import socket
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

CLONE_NEWNS = 0x00020000
CLONE_NEWCGROUP = 0x02000000
CLONE_NEWUTS = 0x04000000
CLONE_NEWIPC = 0x08000000
CLONE_NEWUSER = 0x10000000
CLONE_NEWPID = 0x20000000
CLONE_NEWNET = 0x40000000
CLONE_NEWTIME = 0x00000080
NAMESPACE_FLAGS = (CLONE_NEWNS, CLONE_NEWCGROUP, CLONE_NEWUTS, CLONE_NEWIPC, CLONE_NEWUSER, CLONE_NEWPID,
                   CLONE_NEWNET, CLONE_NEWTIME)
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC = 1, 2, 4, 8
MS_REMOUNT, MS_NOATIME, MS_NODIRATIME, MS_BIND, MS_REC = 32, 1024, 2048, 4096, 16384
MS_PRIVATE, MS_RELATIME = 1 << 18, 1 << 21
ST_RELATIME = 4096
MNT_DETACH = 2
PR_SET_PDEATHSIG = 1
PR_CAPBSET_DROP = 24
PR_SET_SECUREBITS = 28
PR_SET_NO_NEW_PRIVS = 38
PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL = 47, 4
SECUREBITS_LOCKED_ROOTLESS = 0x2F
"""NOROOT, NO_SETUID_FIXUP and KEEP_CAPS, each locked: uid 0 gains nothing from execve or setuid."""
LINUX_CAPABILITY_VERSION_3 = 0x20080522
SETUP_FAILED = 125
NOBODY = 65534
SCRATCH_SIZE = "64m"
"""Room in /work and in /tmp each (tmpfs: memory, so it is bounded)."""
DEVICES = ("null", "zero", "full", "random", "urandom")
SUBMISSION_DIR = "/submission"
WORK_DIR = "/work"
SYS_PIVOT_ROOT = {"x86_64": 155, "aarch64": 41, "riscv64": 41, "ppc64le": 203, "s390x": 217}

DENIED = (
    "mount", "umount2", "pivot_root", "chroot", "unshare", "setns", "ptrace", "process_vm_readv",
    "process_vm_writev", "bpf", "perf_event_open", "keyctl", "add_key", "request_key", "kexec_load",
    "kexec_file_load", "init_module", "finit_module", "delete_module", "open_by_handle_at",
    "name_to_handle_at", "fsopen", "fsconfig", "fsmount", "fspick", "move_mount", "open_tree",
    "mount_setattr", "swapon", "swapoff", "reboot", "syslog", "acct", "quotactl", "userfaultfd",
    "lookup_dcookie", "settimeofday", "clock_settime", "clock_adjtime", "adjtimex", "iopl", "ioperm",
    "execve", "execveat", "io_uring_setup", "io_uring_enter", "io_uring_register",
)
"""Syscalls the student's process may not make (EPERM). No exec: the child never needs a new program,
and a new interpreter would run code no scan has read, with a fresh address-space limit."""
SOCKET_CALLS = ("socket", "socketpair")
SOCKET_RULE = ("socket() and socketpair() for AF_UNIX only: every other family (inet, inet6, vsock, packet, "
               "netlink, ...) refused with EAFNOSUPPORT")
"""No network of any family. A network namespace does not cover vsock (the host answers a guest's vsock connect),
and the process level has no network namespace at all, so the filter refuses the family itself. AF_UNIX stays:
``socketpair()`` is how ``multiprocessing`` pipes and torch's tensor sharing pass data between the sandbox's own
processes, and under namespaces a Unix socket reaches nothing outside (the abstract namespace belongs to the
network namespace; the private root holds no host socket file)."""


@dataclass(frozen=True)
class Bind:
    """A host path shown inside the sandbox."""

    source: Path
    target: str
    writable: bool = False


def _libc() -> Any:
    return ctypes.CDLL(None, use_errno=True)


def _check(result: int, what: str) -> None:
    if result != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"{what}: {os.strerror(err)}")


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


# --- what the child is given ------------------------------------------------------------------------

def system_paths() -> list[Path]:
    """Folders the child needs to run Python and torch: the interpreter, the environment, /usr."""
    wanted = [Path(sys.base_prefix), Path(sys.base_exec_prefix), Path(sys.prefix), Path(sys.exec_prefix),
              *(Path(p) for p in site.getsitepackages()), Path("/usr")]
    user_site = site.getusersitepackages() if site.ENABLE_USER_SITE else None
    if user_site and Path(user_site).is_dir() and user_site in sys.path:
        wanted.append(Path(user_site))
    resolved = []
    for path in wanted:
        try:
            real = path.resolve(strict=True)
        except OSError:
            continue
        if real.is_dir() and real != Path("/") and real not in resolved:
            resolved.append(real)
    # a folder inside another one already given is given with it
    return sorted(p for p in resolved if not any(p != q and p.is_relative_to(q) for q in resolved))


_FILTER: Any = None
_FILTER_ERROR = ""


def prepare() -> None:
    """Build the seccomp filter once (the fork server calls this; every child then only loads it)."""
    global _FILTER, _FILTER_ERROR
    if _FILTER is not None or _FILTER_ERROR:
        return
    try:
        import pyseccomp as sc
    except (ImportError, OSError, AttributeError) as exc:  # no libseccomp on this system
        _FILTER_ERROR = f"libseccomp unavailable ({type(exc).__name__})"
        return
    try:
        flt = sc.SyscallFilter(sc.ALLOW)
        for name in DENIED:
            try:
                flt.add_rule(sc.ERRNO(errno.EPERM), name)
            except (OSError, ValueError, RuntimeError):  # not a syscall on this architecture
                pass
        for flag in NAMESPACE_FLAGS:
            flt.add_rule(sc.ERRNO(errno.EPERM), "clone", sc.Arg(0, sc.MASKED_EQ, flag, flag))
        for call in SOCKET_CALLS:  # the family is the first argument of both
            flt.add_rule(sc.ERRNO(errno.EAFNOSUPPORT), call, sc.Arg(0, sc.NE, socket.AF_UNIX))
        try:  # clone3 passes its flags in memory the filter cannot read: libc then falls back to clone
            flt.add_rule(sc.ERRNO(errno.ENOSYS), "clone3")
        except (OSError, ValueError, RuntimeError):
            pass
        _FILTER = flt
    except (OSError, ValueError, RuntimeError) as exc:
        _FILTER_ERROR = f"filter not built ({exc})"


def _drop_privileges(libc: Any) -> str:
    """Empty every capability set, lock the securebits, set no-new-privileges. Returns what was reached."""
    for cap in range(64):
        if libc.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0:
            if ctypes.get_errno() == errno.EINVAL:  # past the last capability this kernel knows
                break
            _check(-1, f"drop capability {cap} from the bounding set")
    libc.prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0)
    libc.prctl(PR_SET_SECUREBITS, SECUREBITS_LOCKED_ROOTLESS, 0, 0, 0)  # best effort: the sets below suffice

    class Header(ctypes.Structure):
        _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]

    class Data(ctypes.Structure):
        _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32), ("inheritable", ctypes.c_uint32)]

    data = (Data * 2)()
    _check(libc.capset(ctypes.byref(Header(LINUX_CAPABILITY_VERSION_3, 0)), data), "capset")
    _check(libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "no_new_privs")
    return "none"


def _load_filter() -> str:
    if _FILTER is None:
        prepare()
    if _FILTER is None:
        return f"none: {_FILTER_ERROR}"
    try:
        _FILTER.load()
    except OSError as exc:
        return f"none: not loaded ({exc.strerror})"
    return ("libseccomp: " + ", ".join(("clone(namespaces)", *DENIED[:6])) + f" and {len(DENIED) - 6} more refused; "
            + SOCKET_RULE)


def _close_fds(keep: Sequence[int]) -> None:
    low = 3
    for fd in sorted(k for k in keep if k >= 3):
        os.closerange(low, fd)
        low = fd + 1
    os.closerange(low, 1 << 16)


# --- building the root ------------------------------------------------------------------------------

def _mount(libc: Any, source: bytes | None, target: str, fstype: bytes | None, flags: int, data: bytes | None,
           what: str) -> None:
    _check(libc.mount(source, target.encode(), fstype, flags, data), what)


def _remount_readonly(libc: Any, target: str, source_flags: int) -> None:
    flags = MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV
    for st, ms in ((MS_NOEXEC, MS_NOEXEC), (MS_NOATIME, MS_NOATIME), (MS_NODIRATIME, MS_NODIRATIME),
                   (ST_RELATIME, MS_RELATIME)):
        if source_flags & st:  # flags locked on the source mount must be kept
            flags |= ms
    _mount(libc, None, target, None, flags, None, f"read-only {target}")


def _build_root(libc: Any, root: str, sources: dict[str, tuple[int, int]], binds: Sequence[Bind],
                system: Sequence[Path], hide: Sequence[Path]) -> None:
    """Make ``root`` a tmpfs holding only what the child is given (``sources``: path -> (O_PATH fd, flags))."""
    if os.environ.get("NLPG_SIMULATE_FAIL"):
        raise OSError(22, "simulated")
    _mount(libc, b"tmpfs", root, b"tmpfs", MS_NOSUID | MS_NODEV, b"size=1m,mode=755", "the new root")

    def bind(key: str, target: str, writable: bool, is_dir: bool = True) -> None:
        if key not in sources:
            raise OSError(errno.ENOENT, f"cannot open {key}")
        fd, flags = sources[key]
        path = root + target
        if is_dir:
            os.makedirs(path, exist_ok=True)
        else:
            os.makedirs(os.path.dirname(path), exist_ok=True)
            os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o644))
        _mount(libc, f"/proc/self/fd/{fd}".encode(), path, None, MS_BIND | MS_REC, None, f"bind {target}")
        if not writable:
            _remount_readonly(libc, path, flags)

    # the scratch tmpfs first: the interpreter or the environment may live under /tmp or /work (a CI
    # runner's venv), and their binds, made next, must land on top of the tmpfs, not under it
    for target in (WORK_DIR, "/tmp"):
        os.makedirs(root + target, exist_ok=True)
        mode = "1777" if target == "/tmp" else "755"
        _mount(libc, b"tmpfs", root + target, b"tmpfs", MS_NOSUID | MS_NODEV,
               f"size={SCRATCH_SIZE},nr_inodes=4096,mode={mode}".encode(), f"tmpfs {target}")
    for path in system:
        bind(str(path), str(path), False)
    if Path("/usr") in system and not any(p.is_relative_to("/usr/local") for p in system if p != Path("/usr")):
        if os.path.isdir(root + "/usr/local"):  # programs installed by hand: not the child's business
            _mount(libc, b"tmpfs", root + "/usr/local", b"tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV,
                   b"size=4k,mode=555", "hide /usr/local")
    for name in ("bin", "sbin", "lib", "lib64", "lib32", "libx32"):
        host = Path("/") / name
        if host.is_symlink():  # merged /usr: /lib -> usr/lib
            os.symlink(os.readlink(host), f"{root}/{name}")
    for b in binds:
        bind(str(b.source), b.target, b.writable)
    for name in DEVICES:
        if f"/dev/{name}" in sources:
            bind(f"/dev/{name}", f"/dev/{name}", True, is_dir=False)
    os.makedirs(root + "/proc", exist_ok=True)
    for path in hide:  # inside a bound folder (the grader's specs in site-packages, a bundle's fixtures)
        inside = root + str(path)
        if any(path.is_relative_to(s) for s in system) and os.path.isdir(inside):
            _mount(libc, b"tmpfs", inside, b"tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV, b"size=4k,mode=555",
                   f"hide {path}")


def _readonly_host(libc: Any, hide: Sequence[Path], writable: Sequence[Path]) -> None:
    """Where no private root can be built: every mount read-only but ``writable``, ``hide`` covered."""
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
            flags |= {"nosuid": MS_NOSUID, "nodev": MS_NODEV, "noexec": MS_NOEXEC, "noatime": MS_NOATIME,
                      "nodiratime": MS_NODIRATIME, "relatime": MS_RELATIME}.get(option, 0)
        if libc.mount(None, point.encode(), None, flags, None) != 0 and point == "/":
            _check(-1, "read-only /")
    for path in hide:
        if path.exists():
            _check(libc.mount(b"tmpfs", str(path).encode(), b"tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV,
                              b"size=4k,mode=555"), f"hide {path}")


def _enter_root(libc: Any, root: str) -> str:
    """In PID 1: a /proc of this namespace, then make ``root`` the root and drop the old one.
    Returns what /proc is (a container that masks parts of its own /proc refuses a new one)."""
    try:
        _mount(libc, b"proc", root + "/proc", b"proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, None, "mount /proc")
        proc = "this namespace's"
    except OSError as exc:
        proc = f"none ({exc.strerror})"
    os.chdir(root)
    number = SYS_PIVOT_ROOT.get(platform.machine())
    if number is None:
        raise OSError(errno.ENOSYS, f"pivot_root: unknown on {platform.machine()}")
    _check(libc.syscall(number, b".", b"."), "pivot_root")
    _check(libc.umount2(b".", MNT_DETACH), "detach the old root")
    os.chdir("/")
    _mount(libc, None, "/", None, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV, None, "read-only /")
    return proc


def _open_sources(binds: Sequence[Bind], system: Sequence[Path]) -> dict[str, tuple[int, int]]:
    """O_PATH descriptors of every bind source (path -> (descriptor, mount flags of the source))."""
    sources: dict[str, tuple[int, int]] = {}
    paths = [*(str(p) for p in system), *(str(b.source) for b in binds), *(f"/dev/{d}" for d in DEVICES)]
    for path in paths:
        try:
            fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
        except OSError:
            continue
        try:
            flags = os.statvfs(path).f_flag
        except OSError:
            flags = 0
        sources[path] = (fd, flags)
    return sources


# --- the sequence ----------------------------------------------------------------------------------

def run(body: Callable[[dict[str, Any]], NoReturn], *, binds: Sequence[Bind], hide: Sequence[Path],
        processes: int, memory: int, keep_fds: Sequence[int] = (), scratch: Sequence[Path] = (),
        report_fd: int | None = None, namespaces: bool = True) -> NoReturn:
    """Run ``body(details)`` in the strongest isolation available; exit as it exits.

    ``processes`` and ``memory`` bound the whole sandbox (cgroups, where writable); ``scratch``: host
    folders left writable where no private root can be built (the run's own); ``report_fd``: where to
    say ``oom`` when the memory cgroup's OOM killer ended the run."""
    if not namespaces or not hasattr(os, "fork") or not Path("/proc/self/uid_map").exists():
        _fallback(body, "disabled" if not namespaces else "unsupported", binds)
    libc = _libc()
    system = system_paths()
    missing = [b.source for b in binds if not b.source.exists()]
    if missing:
        raise FileNotFoundError(f"sandbox bind sources missing: {missing}")
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
        # opened in the new mount namespace (a bind must come from it) and before this process becomes
        # the sandbox's user, who may not be able to walk to them (/root/.pyenv, a venv under /tmp/tmp.X)
        sources = _open_sources(binds, system)
        os.write(ready_w, b"1")
        os.close(ready_w)
        go = os.read(go_r, 4)
        if go[:1] != b"1":
            os._exit(SETUP_FAILED)
        details: dict[str, Any] = {"level": "namespaces", "network": "none", "pid_namespace": True,
                                   "host_uid": "nobody" if go[2:3] == b"n" else "the grader's"}
        root = f"/tmp/.nlp-grader-root-{os.getpid()}"  # a mount point in this namespace only
        private = built = False
        try:
            os.setresgid(0, 0, 0)
            os.setresuid(0, 0, 0)
            _check(libc.mount(None, b"/", None, MS_REC | MS_PRIVATE, None), "make mounts private")
            _mount(libc, b"tmpfs", "/tmp", b"tmpfs", MS_NOSUID | MS_NODEV, b"size=1m,mode=700", "a place to build")
            built = True
            os.mkdir(root, 0o755)
            _build_root(libc, root, sources, binds, system, hide)
            private = True
        except OSError as exc:
            details["private_root"] = f"refused: {exc.strerror or exc}"
            if built:  # the host's /tmp again (the scratch folder is there)
                libc.umount2(b"/tmp", MNT_DETACH)
            try:  # the older wall: the host's view, read-only, with the listed paths hidden
                _readonly_host(libc, hide, scratch)
                details["filesystem"] = "host view, read-only; listed paths hidden (no private root)"
            except OSError as exc2:
                details["filesystem"] = f"not isolated: {exc2.strerror or exc2}"
        for fd, _ in sources.values():
            os.close(fd)
        _die_with_parent(libc)
        details["process_limit"] = "cgroup" if go[1:2] == b"c" else "rlimit"
        details["memory_limit"] = "cgroup (all processes together) and address space" if go[3:4] == b"m" \
            else "address space, per process"
        status_r, status_w = os.pipe()  # PID 1 cannot die of most signals itself: it reports the worker's
        first = os.fork()
        if first == 0:  # PID 1 of the new namespace: when it ends, every process in it ends
            os.close(status_r)
            _die_with_parent(libc)
            if os.getppid() == 1:
                os._exit(SETUP_FAILED)
            if private:
                try:
                    details["proc"] = _enter_root(libc, root)
                    details["filesystem"] = ("private root: read-only interpreter, site-packages and /usr; "
                                             "submission read-only; fresh /work and /tmp")
                    details["paths"] = {"submission": SUBMISSION_DIR, "work": WORK_DIR, "tmp": "/tmp"}
                except OSError as exc:
                    details["filesystem"] = f"not isolated: {exc.strerror or exc}"
            else:  # a /proc that shows only this namespace's processes, where the host allows it
                libc.mount(b"proc", b"/proc", b"proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, None)
            # PID 1 ignores signals it has no handler for (SIGXCPU, SIGTERM, ...): the student's code
            # runs in a second process, where signals act as they do anywhere else
            worker = os.fork()
            if worker == 0:
                os.close(status_w)
                _die_with_parent(libc)
                _close_fds(keep_fds)
                _walls(libc, details)
                _run_body(body, details)
            try:
                _drop_privileges(libc)
            except OSError:
                pass
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
        _fallback(body, "unavailable", binds)
    nobody = False
    try:
        uid, gid = os.geteuid(), os.getegid()
        if uid != 0:
            Path(f"/proc/{pid}/setgroups").write_text("deny")
            Path(f"/proc/{pid}/uid_map").write_text(f"0 {uid} 1")
            Path(f"/proc/{pid}/gid_map").write_text(f"0 {gid} 1")
        else:  # the grader is root: the child's root is nobody on the host
            Path(f"/proc/{pid}/setgroups").write_text("deny")
            Path(f"/proc/{pid}/uid_map").write_text(f"0 {NOBODY} 1")
            Path(f"/proc/{pid}/gid_map").write_text(f"0 {NOBODY} 1")
            nobody = True
    except OSError:
        os.write(go_w, b"0")
        os.waitpid(pid, 0)
        _fallback(body, "unavailable", binds)
    groups = _join_cgroups(pid, processes, memory)
    pids_limited = any((g / "pids.max").exists() for g in groups)
    memory_limited = any((g / "memory.max").exists() or (g / "memory.limit_in_bytes").exists() for g in groups)
    os.write(go_w, b"1" + (b"c" if pids_limited else b"r") + (b"n" if nobody else b"u")
             + (b"m" if memory_limited else b"a"))
    os.close(go_w)
    _, status = os.waitpid(pid, 0)
    if _out_of_memory(groups) and report_fd is not None:  # the grading process learns why it ended
        try:
            os.write(report_fd, b"oom\n")
        except OSError:
            pass
    for group in groups:
        _remove_group(group)
    exit_like(status)


def _walls(libc: Any, details: dict[str, Any]) -> None:
    """In the worker, before the student's code: no privileges, then the seccomp filter."""
    try:
        details["capabilities"] = _drop_privileges(libc)
        details["no_new_privs"] = True
    except OSError as exc:
        details["capabilities"] = f"kept: {exc.strerror or exc}"
        details["no_new_privs"] = False
    details["seccomp"] = _load_filter()
    if details["seccomp"].startswith("libseccomp"):
        details["network"] = "none: an empty network namespace, and " + SOCKET_RULE
    else:
        details["network"] = "an empty network namespace only: vsock not covered (no seccomp filter)"


CGROUP_CONTROLLERS = {"pids": (Path("/sys/fs/cgroup/pids"), "pids.max"),
                      "memory": (Path("/sys/fs/cgroup/memory"), "memory.limit_in_bytes")}
"""cgroup v1 hierarchies and their limit files; cgroup v2 (one hierarchy) uses pids.max and memory.max."""
CGROUP_V2 = Path("/sys/fs/cgroup")


def _group_name(pid: int) -> str:
    return f"nlp-grader-{os.getpid()}-{pid}"


def _join_cgroups(pid: int, processes: int, memory: int) -> list[Path]:
    """Put ``pid`` into new cgroups limiting its processes and its memory (all its processes together:
    the address-space limit binds each process alone), where cgroups are writable."""
    joined: list[Path] = []
    v2 = CGROUP_V2 / "cgroup.subtree_control"
    try:
        controllers = v2.read_text().split() if v2.exists() else []
    except OSError:
        controllers = []
    if controllers:
        wanted = {"pids.max": str(processes), "memory.max": str(memory)}
        group = _make_group(CGROUP_V2, pid, {k: v for k, v in wanted.items() if k.split(".")[0] in controllers})
        return [group] if group is not None else []
    for name, (root, limit_file) in CGROUP_CONTROLLERS.items():
        if (root / "cgroup.procs").exists():
            group = _make_group(root, pid, {limit_file: str(processes if name == "pids" else memory)})
            if group is not None:
                joined.append(group)
    return joined


def _make_group(root: Path, pid: int, limits: dict[str, str]) -> Path | None:
    if not limits:
        return None
    group = root / _group_name(pid)
    try:
        group.mkdir()
        for file, value in limits.items():
            (group / file).write_text(value)
        (group / "cgroup.procs").write_text(str(pid))
        return group
    except OSError:
        _remove_group(group)
        return None


def _remove_group(group: Path, tries: int = 20) -> None:
    for _ in range(tries):  # EBUSY while the last killed processes are still being reaped
        try:
            group.rmdir()
            return
        except FileNotFoundError:
            return
        except OSError:
            import time

            time.sleep(0.01)


def _out_of_memory(groups: Sequence[Path]) -> bool:
    """Whether the kernel's OOM killer acted in the run's memory cgroup."""
    for group in groups:
        for file, marker in (("memory.events", "oom_kill"), ("memory.oom_control", "oom_kill")):
            try:
                for line in (group / file).read_text().splitlines():
                    key, _, value = line.partition(" ")
                    if key == marker and value.strip().isdigit() and int(value) > 0:
                        return True
            except OSError:
                continue
    return False


def remove_cgroups(pid: int) -> None:
    """Remove the cgroups of the sandbox whose outer process was ``pid`` (it may have been killed
    before it could); called by the process that forked ``pid``, so the names match."""
    roots = [CGROUP_V2, *(root for root, _ in CGROUP_CONTROLLERS.values())]
    for root in roots:
        group = root / f"nlp-grader-{pid}-"
        try:
            stale = [p for p in root.glob(group.name + "*") if p.is_dir()]
        except OSError:
            continue
        for path in stale:
            try:  # whatever is still in it is the killed sandbox's: end it, then the group can go
                for line in (path / "cgroup.procs").read_text().split():
                    try:
                        os.kill(int(line), signal.SIGKILL)
                    except (ProcessLookupError, PermissionError, ValueError):
                        pass
            except OSError:
                pass
            _remove_group(path, tries=100)


def _fallback(body: Callable[[dict[str, Any]], NoReturn], why: str, binds: Sequence[Bind]) -> NoReturn:
    try:
        os.setsid()  # its own session and process group, killed whole at the end
    except OSError:
        pass
    details: dict[str, Any] = {
        "level": "process", "network": "open", "pid_namespace": False, "namespaces": why,
        "filesystem": "as the user running the grader", "process_limit": "rlimit",
        "paths": {"submission": "", "work": "", "tmp": ""},
    }
    details["capabilities"] = "those of the user running the grader"
    try:
        _check(_libc().prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "no_new_privs")
        details["no_new_privs"] = True
    except (OSError, AttributeError):
        details["no_new_privs"] = False
    details["seccomp"] = _load_filter() if sys.platform.startswith("linux") else "none: not Linux"
    if details["seccomp"].startswith("libseccomp"):  # no network namespace: the host's Unix sockets stay reachable
        details["network"] = SOCKET_RULE + "; the host's Unix sockets (files and the abstract namespace) reachable"
    _run_body(body, details)


def _run_body(body: Callable[[dict[str, Any]], NoReturn], details: dict[str, Any]) -> NoReturn:
    """``body`` must end the process; if it raises instead, this process still ends here (it is a fork:
    unwinding would run the caller's code, the fork server's loop, in a second copy)."""
    try:
        body(details)
    finally:
        os._exit(SETUP_FAILED)
