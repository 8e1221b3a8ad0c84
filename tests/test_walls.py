"""The sandbox's walls, attacked from inside: what the child can see, what it keeps, what it may call,
and what the grading process accepts from it. Each probe makes ``padding_mask`` return a wrong mask
(or raise) when an attack succeeds, so the test fails if a wall falls; the other exercises must keep
their marks and nothing may be left running.

The probes use ``ctypes`` and ``os`` as an attacker would; the forbidden-code scan flags those uses and
takes the exercise's points, so the assertions look at the cases' statuses (what the sandbox returned),
not at the score."""

from __future__ import annotations

import os
import signal
import stat
import time
from pathlib import Path

import pytest
from conftest import ROOT, SOLUTIONS
from test_hostile import PADDING, by_id, grade, hostile, leftovers

from grader import clean
from grader.results import Status
from grader.sandbox import forkserver, isolate, transfer
from grader.sandbox.forkserver import server

pytestmark = pytest.mark.skipif(not Path("/proc/self/uid_map").exists(), reason="Linux namespaces only")

WRONG = "    return (tokens == pad_id)[:, None, None, :]"


@pytest.fixture(scope="module")
def walls(reference):
    result = grade(SOLUTIONS, exercises=["causal_mask"], reference=reference)
    details = result.isolation_details
    if details.get("level") != "namespaces" or not str(details.get("filesystem", "")).startswith("private root"):
        pytest.skip(f"this machine refuses the private root: {details}")
    return details


def cases_passed(result, exercise: str = "padding_mask") -> bool:
    ex = by_id(result)[exercise]
    return all(c.status is Status.PASSED for c in ex.cases)


def others_intact(result, bad: str = "padding_mask") -> None:
    for e in result.exercises:
        if e.id != bad:
            assert e.status is Status.PASSED, (e.id, e.cases[0].failure)
    deadline = time.monotonic() + 5
    while leftovers() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not leftovers()


def probe(condition: str) -> str:
    """A padding_mask body that returns the wrong mask when ``condition`` (an attack's success) holds.
    ``read(path)`` in the condition is a file's bytes, or b'' where it cannot be read."""
    reader = ("    def read(path):\n        try:\n            with open(path, 'rb') as f:\n"
              "                return f.read()\n        except OSError:\n            return b''\n")
    return f"{reader}    if {condition}:\n    {WRONG}\n{PADDING}"


def test_details_name_every_wall(walls):
    assert walls["capabilities"] == "none" and walls["no_new_privs"] is True
    assert walls["seccomp"].startswith("libseccomp")
    assert walls["environment"].startswith("minimal")
    assert walls["proc"] == "this namespace's"


def test_capability_sets_are_empty_and_no_new_privs(submission, reference, walls):
    check = ("any(line.split()[1].strip('0') for line in open('/proc/self/status') "
             "if line.startswith(('CapEff', 'CapPrm', 'CapInh', 'CapBnd', 'CapAmb'))) "
             "or 'NoNewPrivs:\\t1' not in open('/proc/self/status').read() "
             "or 'Seccomp:\\t2' not in open('/proc/self/status').read()")
    result = grade(hostile(submission, probe(check)), reference=reference)
    assert cases_passed(result)
    others_intact(result)


@pytest.mark.parametrize("call", [
    "libc.umount2(b'/submission', 2)",
    "libc.mount(b'none', b'/', None, 32 | 4096, None)",  # remount / read-write
    "libc.mount(b'tmpfs', b'/work', b'tmpfs', 0, None)",
    "libc.unshare(0x10000000)",  # a new user namespace, where capabilities would come back
    "libc.syscall(101, 16, 1, 0, 0)",  # ptrace(PTRACE_ATTACH, 1)
    "libc.syscall(155, b'/tmp', b'/tmp')",  # pivot_root
    "libc.syscall(308, 3, 0)",  # setns
    "libc.syscall(425, 8, 0)",  # io_uring_setup
])
def test_privileged_calls_fail_with_eperm(submission, reference, walls, call):
    body = ("    import ctypes\n    libc = ctypes.CDLL(None, use_errno=True)\n"
            f"    failed = {call} != 0 and ctypes.get_errno() == 1\n" + probe("not failed"))
    result = grade(hostile(submission, body), exercises=["padding_mask"], reference=reference)
    assert cases_passed(result), by_id(result)["padding_mask"].cases[0].failure


def test_no_repository_git_tests_or_other_scratch(submission, reference, walls, tmp_path):
    decoy = Path("/tmp") / f"nlp-grader-decoy-{os.getpid()}"
    decoy.mkdir(exist_ok=True)
    (decoy / "classmate.py").write_text("secret = 1\n")
    try:
        paths = [ROOT / ".git", ROOT / "tests", ROOT / "solutions", ROOT / "grader" / "specs", decoy, tmp_path,
                 Path("/etc/passwd"), Path("/root/.bashrc")]
        check = (f"any(__import__('os').path.exists(p) for p in {[str(p) for p in paths]!r}) "
                 "or any('nlp-grader' in n for n in __import__('os').listdir('/tmp'))")
        result = grade(hostile(submission, probe(check)), reference=reference)
        assert cases_passed(result)
        others_intact(result)
        # the probe can fail: without namespaces the same code sees the repository
        sub = submission(("attention.py", PADDING, probe(check)), name="control")
        result = grade(sub, reference=reference, sandbox="process")
        assert not cases_passed(result)
    finally:
        (decoy / "classmate.py").unlink()
        decoy.rmdir()


def test_the_child_sees_its_own_submission_read_only_and_fresh_scratch(submission, reference, walls):
    check = ("not __import__('os').path.isfile('/submission/attention.py') "
             "or __import__('os').access('/submission/attention.py', __import__('os').W_OK) "
             "or __import__('os').getcwd() != '/work' "
             "or any(__import__('os').path.isfile('/tmp/' + n) for n in __import__('os').listdir('/tmp'))")
    result = grade(hostile(submission, probe(check)), reference=reference)
    assert cases_passed(result)


def test_environment_holds_nothing_the_grader_had(submission, reference, walls, monkeypatch):
    monkeypatch.setenv("NLP_GRADER_TEST_SECRET", "s3cr3t-value")
    server().stop()  # a fresh server starts from the environment as it is now
    try:
        check = ("'s3cr3t' in repr(dict(__import__('os').environ)) "
                 "or b's3cr3t' in read('/proc/self/environ') or b's3cr3t' in read('/proc/1/environ') "
                 "or __import__('os').environ.get('HOME') != '/work'")
        result = grade(hostile(submission, probe(check)), reference=reference)
        assert cases_passed(result)
        assert "NLP_GRADER_TEST_SECRET" not in result.isolation_details["environment"]
    finally:
        server().stop()


def test_links_pipes_and_devices_in_a_submission_are_never_opened(submission, reference):
    sub = submission()
    (sub / "mem.py").symlink_to("/proc/self/mem")
    (sub / "stdin.py").symlink_to("/dev/stdin")
    os.mkfifo(sub / "pipe.py")
    started = time.monotonic()
    result = grade(sub, reference=reference)
    assert time.monotonic() - started < 60
    assert all(e.status is Status.PASSED for e in result.exercises)


def test_an_exception_message_with_surrogates_and_escapes_is_cleaned(submission, reference):
    body = "    raise ValueError('\\ud800 \\x1b[2J\\x1b]0;pwned\\x07 end')"
    result = grade(hostile(submission, body), reference=reference)
    failure = by_id(result)["padding_mask"].cases[0].failure
    assert by_id(result)["padding_mask"].status is Status.ERROR
    assert "\x1b" not in (failure.traceback or "") and "\ud800" not in (failure.traceback or "")
    assert "end" in failure.traceback
    others_intact(result)


def test_a_stopped_fork_server_is_replaced_not_waited_on(reference, monkeypatch):
    monkeypatch.setattr(forkserver, "SPAWN_SECONDS", 2.0)
    server().start()
    stuck = server()._proc
    assert stuck is not None
    os.kill(stuck.pid, signal.SIGSTOP)
    try:
        started = time.monotonic()
        result = grade(SOLUTIONS, exercises=["causal_mask"], reference=reference)
        assert time.monotonic() - started < 30
        assert by_id(result)["causal_mask"].status is Status.PASSED
        assert server()._proc is not stuck and stuck.poll() is not None
    finally:
        try:
            os.kill(stuck.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def test_a_child_that_dies_before_any_task_ends_the_run(tmp_path):
    """A sandbox that cannot start costs its tasks once, never a loop of new children."""
    sub = tmp_path / "sub"
    sub.mkdir()
    (sub / "attention.py").write_text("x = 1\n")
    from grader.sandbox import runner

    task = runner.Task(index=0, exercise="e", case="c", file="attention.py", name="f", driver="call", args={},
                       device="cpu", inputs={}, inputs_file=tmp_path / "no-such-inputs.safetensors")
    started = time.monotonic()
    run = runner.run_tasks(sub, [task], hide=[])
    assert time.monotonic() - started < 30
    assert run.outcomes[0].status in ("crashed", "error")


# --- what the grading process accepts ---------------------------------------------------------------

@pytest.mark.parametrize("record, field", [
    ({"status": "ok", "entries": {"out": {"kind": "sequence", "type": "list", "len": None}}}, "len"),
    ({"status": "error", "kind": "exception", "traceback": ["not", "text"]}, "traceback"),
    ({"status": "error", "kind": "exception", "line": "12"}, "line"),
    ({"status": "error", "kind": "state_dict", "missing": [1, 2]}, "missing"),
    ({"status": "passed"}, "status"),
    ({"status": "error"}, "kind"),
    ({"status": "ok", "entries": {"out": {"kind": "tensor", "dtype": "float32", "shape": [-1], "device": "cpu",
                                          "stored": False}}}, "tensor"),
    ({"status": "ok", "entries": {"out": {"kind": "value", "value": 10**30}}}, "range"),
])
def test_malformed_records_are_a_transfer_error_that_names_the_field(record, field):
    import json

    from safetensors.torch import save

    data = save({}, metadata={"record": json.dumps(record)})
    with pytest.raises(transfer.TransferError, match=field):
        record_, tensors = transfer.loads(data)
        transfer.decode(record_.get("entries", {}), tensors)


def test_record_text_is_cleaned_where_it_arrives():
    import json

    from safetensors.torch import save

    record = {"status": "error", "kind": "exception", "type": "E\x1b[31m", "message": "a\ud800b\x00c\u009b",
              "traceback": "x" * 10_000}
    data = save({}, metadata={"record": json.dumps(record)})
    got, _ = transfer.loads(data)
    assert got["type"] == "E[31m" and got["message"] == "a\ufffdbc"
    assert len(got["traceback"]) <= 4000


def test_clean_text_rules():
    assert clean.text("ok\n\ttab\r\n") == "ok\n\ttab\n"
    assert clean.text("\x1b[2J\x07\x7f\x85") == "[2J"
    assert clean.text("\ud800") == "\ufffd"
    assert clean.text(b"\xff\xfe") == "\ufffd\ufffd"
    assert clean.text("x" * 50, 10) == "x" * 9 + "…"
    assert clean.name("a\nb") == "a b"


def test_safe_copy_refuses_oversized_trees(tmp_path):
    from grader import safefs

    src = tmp_path / "src"
    src.mkdir()
    (src / "big.py").write_bytes(b"x" * 2048)
    with pytest.raises(safefs.UnsafeFile, match="at most"):
        safefs.copy_tree(src, tmp_path / "dst", max_bytes=1024)
    os.mkfifo(src / "fifo")
    (src / "link.py").symlink_to("/etc/passwd")
    skipped = safefs.copy_tree(src, tmp_path / "dst2")
    assert sorted(skipped) == ["fifo", "link.py"]
    assert stat.S_IMODE((tmp_path / "dst2" / "big.py").stat().st_mode) == 0o644


def test_isolate_knows_the_syscalls_it_denies():
    isolate.prepare()
    assert isolate._FILTER is not None, isolate._FILTER_ERROR
    for name in ("mount", "umount2", "pivot_root", "unshare", "setns", "ptrace", "process_vm_readv",
                 "process_vm_writev", "bpf", "perf_event_open", "keyctl", "kexec_load", "kexec_file_load"):
        assert name in isolate.DENIED


# --- found by attacking the sandbox (see the closing note of the issue) ------------------------------

def test_the_graders_own_modules_cannot_be_imported_inside(submission, reference, walls):
    """Importing grader.sandbox.tripwire used to hand the student the switch that turns the tripwires off."""
    check = "__import__('importlib').util.find_spec('grader') is not None or 'grader.sandbox.child' in __import__('sys').modules"
    result = grade(hostile(submission, probe(check)), reference=reference)
    assert cases_passed(result)


def test_no_new_program_can_be_started(submission, reference, walls):
    """exec would start an interpreter whose code no scan read, with a fresh address-space limit."""
    body = ("    import os, errno\n    try:\n        os.execv('/usr/bin/true', ['true'])\n"
            "    except OSError as exc:\n        refused = exc.errno == errno.EPERM\n" + probe("not refused"))
    result = grade(hostile(submission, body), exercises=["padding_mask"], reference=reference)
    assert cases_passed(result), by_id(result)["padding_mask"].cases[0].failure


def test_memory_is_bounded_for_all_processes_together(submission, reference, walls):
    if "cgroup" not in walls.get("memory_limit", ""):
        pytest.fail(f"no memory cgroup here ({walls.get('memory_limit')}): the README says what is left")
    from grader.sandbox.limits import Limits, MiB

    body = ("    import os, time\n    kids = []\n    for _ in range(4):\n        pid = os.fork()\n"
            "        if pid == 0:\n            b = bytearray(400 * 1024 * 1024)\n"
            "            for i in range(0, len(b), 4096):\n                b[i] = 1\n            time.sleep(30)\n"
            "            os._exit(0)\n        kids.append(pid)\n    for pid in kids:\n        os.waitpid(pid, 0)\n" + PADDING)
    started = time.monotonic()
    result = grade(hostile(submission, body), reference=reference, limits=Limits(memory_bytes=300 * MiB), timeout=60)
    assert time.monotonic() - started < 50
    case = by_id(result)["padding_mask"].cases[0]
    assert case.status is Status.ERROR and case.failure.message.key == "check.memory", case.failure
    others_intact(result)


@pytest.mark.parametrize("slow_reader", [False, True], ids=["as-it-comes", "coalesced"])
def test_a_malformed_progress_line_costs_the_case_not_the_run(submission, reference, slow_reader, monkeypatch):
    """'²'.isdigit() is True and int('²') raises: the grading process used to die of it. A slow reader
    gets the previous case's result, the next ``start`` and the bad line in one chunk: only the case that
    wrote the line may lose (CI once blamed the masked_softmax case read just before it)."""
    if slow_reader:
        from grader.sandbox import runner

        read = os.read

        def slow_read(fd: int, n: int) -> bytes:
            time.sleep(0.02)
            return read(fd, n)

        monkeypatch.setattr(runner.os, "read", slow_read)
    body = ("    import os\n    for f in os.listdir('/proc/self/fd'):\n        try:\n"
            "            if os.readlink('/proc/self/fd/' + f).startswith('pipe:'):\n"
            "                os.write(int(f), 'start \\u00b2\\ndone \\u00b2 \\u00b3\\n'.encode())\n"
            "        except OSError:\n            pass\n" + PADDING)
    result = grade(hostile(submission, body), reference=reference)
    assert by_id(result)["masked_softmax"].status is Status.PASSED
    assert by_id(result)["causal_mask"].status is Status.PASSED


def _groups() -> set[str]:
    found = set()
    for root in (Path("/sys/fs/cgroup/pids"), Path("/sys/fs/cgroup/memory"), Path("/sys/fs/cgroup")):
        if root.is_dir():
            found |= {p.name for p in root.glob("nlp-grader-*")}
    return found


def test_a_stopped_child_leaves_no_cgroup_behind(submission, reference, walls):
    before = _groups()
    result = grade(hostile(submission, "    while True:\n        pass"), reference=reference, timeout=2)
    assert by_id(result)["padding_mask"].cases[0].status is Status.TIMEOUT
    deadline = time.monotonic() + 2
    while not _groups() <= before and time.monotonic() < deadline:  # removed once its processes are reaped
        time.sleep(0.05)
    assert _groups() <= before


def test_the_fork_server_outlives_the_thread_that_started_it(reference):
    """A batch may start the server from a worker thread; the kernel's parent-death signal fires when that
    *thread* ends, which used to kill the server under the next submissions (grader_error in a batch)."""
    import threading

    def start_and_linger() -> None:  # the thread outlives the server's own start-up, then ends
        server().start()
        time.sleep(4)

    server().stop()
    starter = threading.Thread(target=start_and_linger)
    starter.start()
    starter.join()
    proc = server()._proc
    assert proc is not None
    time.sleep(1.5)
    assert proc.poll() is None
    result = grade(SOLUTIONS, exercises=["causal_mask"], reference=reference)
    assert by_id(result)["causal_mask"].status is Status.PASSED
    assert server()._proc is proc
