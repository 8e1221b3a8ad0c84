"""Hostile submissions: each is contained, gets a clear status and message, costs only its own
exercise, and leaves no process behind."""

from __future__ import annotations

import os
import socket
import subprocess
import time

import pytest
import torch
from conftest import SOLUTIONS

from grader import api
from grader.results import Status
from grader.sandbox.forkserver import server
from grader.sandbox.limits import Limits, MiB

PADDING = "    return (tokens != pad_id)[:, None, None, :]"
CAUSAL = "    return torch.ones(size, size, dtype=torch.bool, device=device).tril()"
KEEP = ["padding_mask", "causal_mask", "masked_softmax"]


def by_id(result):
    return {e.id: e for e in result.exercises}


def leftovers(marker: str | None = None) -> list[str]:
    """Processes still alive under the fork server, or anywhere with ``marker`` in their command line."""
    proc = server()._proc
    out = subprocess.run(["ps", "-eo", "ppid=,pid=,args="], capture_output=True, text=True).stdout
    found = []
    for line in out.splitlines():
        ppid, _, args = line.strip().split(None, 2) + [""] * (3 - len(line.strip().split(None, 2)))
        if (proc is not None and ppid == str(proc.pid)) or (marker and marker in args and "ps -eo" not in args):
            found.append(line)
    return found


def grade(sub, exercises=KEEP, **kw):
    return api.check(sub, exercises=exercises, **kw)


def hostile(submission, body: str, target: str = PADDING):
    return submission(("attention.py", target, body))


def assert_contained(result, bad: str, status: Status, key: str, marker: str | None = None):
    ex = by_id(result)
    # the sandbox's verdict is the case's; code the scan does not allow (ctypes, os.fork, subprocess) also
    # takes the exercise's points, which is the scan's doing, not the sandbox's
    case = ex[bad].cases[0]
    assert case.status is status, (case.status, case.failure)
    assert case.failure.message.key == key
    flagged = [n for n in ex[bad].notes if n.key.startswith("check.") and n.key != "check.forbidden_call"]
    assert ex[bad].status is (Status.FAILED if flagged else status), (ex[bad].status, flagged)
    assert ex[bad].score == 0
    for other, r in ex.items():
        if other != bad:
            assert r.status is Status.PASSED, (other, r.cases[0].failure)
    deadline = time.monotonic() + 5
    while leftovers(marker) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not leftovers(marker)


@pytest.fixture(scope="module")
def level(reference):
    result = api.check(SOLUTIONS, exercises=["causal_mask"], reference=reference)
    return result.isolation_details


# --- resources ------------------------------------------------------------------------------------

def test_memory_bomb_reports_memory(submission, reference):
    sub = hostile(submission, "    hog = []\n    while True:\n        hog.append(bytearray(50 * 1024 * 1024))")
    result = grade(sub, reference=reference, limits=Limits(memory_bytes=300 * MiB))
    assert_contained(result, "padding_mask", Status.ERROR, "check.memory")


def test_huge_tensor_allocation_reports_memory(submission, reference):
    sub = hostile(submission, "    return torch.ones(10**6, 10**6)")
    result = grade(sub, reference=reference, limits=Limits(memory_bytes=300 * MiB))
    assert_contained(result, "padding_mask", Status.ERROR, "check.memory")


def test_oversized_output_is_refused_before_transfer(submission, reference):
    sub = hostile(submission, "    return torch.zeros(60_000_000, device=tokens.device)")  # on the right device
    result = grade(sub, reference=reference)
    assert_contained(result, "padding_mask", Status.ERROR, "check.too_large")
    params = by_id(result)["padding_mask"].cases[0].failure.message.params
    assert params["size"] == "228.9 MiB"


def test_cpu_time_limit(submission, reference):
    sub = hostile(submission, "    while True:\n        pass", target=CAUSAL)
    result = grade(sub, reference=reference, limits=Limits(cpu_seconds=2), timeout=60)
    assert_contained(result, "causal_mask", Status.TIMEOUT, "check.cpu_time")


def test_submission_time_limit_stops_everything_left(submission, reference):
    sub = hostile(submission, "    import time\n    time.sleep(30)\n" + PADDING)
    result = grade(sub, exercises=["causal_mask", "padding_mask", "split_heads"], reference=reference,
                   limits=Limits(submission_seconds=3), timeout=60)
    ex = by_id(result)  # graded in the assignment's order: causal_mask, padding_mask, split_heads
    assert ex["causal_mask"].status is Status.PASSED
    assert ex["padding_mask"].status is Status.TIMEOUT
    assert ex["padding_mask"].cases[0].failure.message.key == "check.submission_timeout"
    assert ex["split_heads"].status is Status.TIMEOUT
    assert not leftovers()


def test_print_flood_costs_nothing(submission, reference):
    sub = hostile(submission, "    for _ in range(2000):\n        print('x' * 100_000)\n" + PADDING)
    started = time.monotonic()
    result = grade(sub, reference=reference)
    assert time.monotonic() - started < 30
    assert by_id(result)["padding_mask"].status is Status.PASSED
    assert len(result.output) <= Limits().output_chars + 2


def test_native_output_flood_hits_the_file_limit(submission, reference):
    sub = hostile(submission, "    import os\n    while True:\n        os.write(1, b'x' * 1_000_000)")
    result = grade(sub, reference=reference, limits=Limits(file_bytes=8 * MiB))
    assert_contained(result, "padding_mask", Status.ERROR, "check.exception")
    # the path does not exist in the private root; read-only where a wall is missing: an OSError either way
    assert by_id(result)["padding_mask"].cases[0].failure.message.params["type"] in (
        "OSError", "FileNotFoundError", "PermissionError")


# --- crashes --------------------------------------------------------------------------------------

def test_segfault_is_named(submission, reference):
    sub = hostile(submission, "    import ctypes\n    ctypes.string_at(0)")
    result = grade(sub, reference=reference)
    assert_contained(result, "padding_mask", Status.ERROR, "check.signal")
    assert by_id(result)["padding_mask"].cases[0].failure.message.params["signal"] == "SIGSEGV"


def test_recursion_bomb(submission, reference):
    sub = hostile(submission, "    return padding_mask(tokens, pad_id)")
    result = grade(sub, reference=reference)
    assert_contained(result, "padding_mask", Status.ERROR, "check.exception")
    assert by_id(result)["padding_mask"].cases[0].failure.message.params["type"] == "RecursionError"


def test_wrong_return_type_and_nan(submission, reference):
    sub = submission(("attention.py", PADDING, "    return [[1, 0]]"),
                     ("attention.py", CAUSAL, "    return torch.full((size, size), float('nan'), device=device)"))
    result = grade(sub, exercises=["padding_mask", "causal_mask", "masked_softmax"], reference=reference)
    ex = by_id(result)
    assert ex["padding_mask"].cases[0].failure.message.key == "check.type"
    assert ex["padding_mask"].cases[0].failure.message.params["got"] == "list of 1"
    assert ex["causal_mask"].cases[0].failure.name == "dtype"
    assert ex["masked_softmax"].status is Status.PASSED


# --- nothing left running -------------------------------------------------------------------------

def _alive(comm: str) -> bool:
    return subprocess.run(["pgrep", "-x", comm], capture_output=True).returncode == 0


def test_new_session_and_threads_do_not_outlive_the_run(submission, reference, level):
    """A daemon in its own session (forked: no new program can be started) and a thread, both left behind."""
    body = ("    import os, threading, time\n"
            "    if os.fork() == 0:\n        try:\n            os.setsid()\n"
            "            with open('/proc/self/comm', 'w') as f:\n                f.write('nlpg-escape987')\n"
            "            time.sleep(987)\n        finally:\n            os._exit(0)\n"
            "    threading.Thread(target=time.sleep, args=(986,)).start()\n" + PADDING)
    result = grade(hostile(submission, body), reference=reference)
    assert all(c.status is Status.PASSED for c in by_id(result)["padding_mask"].cases), [  # (os.fork: flagged)
        (c.id, c.failure) for c in by_id(result)["padding_mask"].cases]
    if level["level"] == "namespaces":
        deadline = time.monotonic() + 5
        while _alive("nlpg-escape987") and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not _alive("nlpg-escape987")
    else:  # without a PID namespace a new session escapes; the README says so
        subprocess.run(["pkill", "-x", "nlpg-escape987"])
        pytest.fail("this machine has no PID namespaces: the escape is documented, not contained")


def test_fork_bomb_is_contained(submission, reference, level):
    if level.get("process_limit") != "cgroup" and os.geteuid() == 0:
        pytest.fail(f"no process limit can bind root here ({level}); a fork bomb would reach the machine")
    sub = hostile(submission, "    import os\n    while True:\n        try:\n            os.fork()\n"
                              "        except OSError:\n            pass", target=CAUSAL)
    result = grade(sub, reference=reference, timeout=4)
    assert_contained(result, "causal_mask", Status.TIMEOUT, "check.timeout")


# --- the sandbox's walls --------------------------------------------------------------------------

@pytest.fixture
def listener():
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(8)
    yield sock.getsockname()[1]
    sock.close()


def _network_probe(port: int) -> str:
    return (f"    import socket\n    try:\n        socket.create_connection(('127.0.0.1', {port}), timeout=2).close()\n"
            "        return tokens  # reached the network: a wrong answer on purpose\n"
            "    except OSError:\n        pass\n" + PADDING)


def test_no_network_in_the_sandbox(submission, reference, listener, level):
    result = grade(hostile(submission, _network_probe(listener)), reference=reference)
    assert result.isolation == level["level"] == "namespaces"
    assert by_id(result)["padding_mask"].status is Status.PASSED


def test_process_sandbox_refuses_inet_but_says_what_it_lacks(submission, reference, listener):
    """Without namespaces the seccomp filter is the whole network wall: inet is refused, the host's Unix
    sockets are not (the README's table says so)."""
    result = grade(hostile(submission, _network_probe(listener)), reference=reference, sandbox="process")
    assert result.isolation == "process"
    network = result.isolation_details["network"]
    if not result.isolation_details["seccomp"].startswith("libseccomp"):
        assert network == "open"
        assert by_id(result)["padding_mask"].status is Status.FAILED  # the probe got through: the test can fail
        return
    assert network.startswith("socket() and socketpair() for AF_UNIX only") and "host's Unix sockets" in network
    assert by_id(result)["padding_mask"].status is Status.PASSED


# family, type, protocol: every family but AF_UNIX, by number (a Python without the constant still asks)
FAMILIES = {
    "inet": (2, 1, 0),  # AF_INET, SOCK_STREAM
    "inet6": (10, 1, 0),  # AF_INET6
    "vsock": (40, 1, 0),  # AF_VSOCK: a network namespace does not cover it; the host answered (issue 22)
    "packet": (17, 2, 0),  # AF_PACKET, SOCK_DGRAM
    "netlink": (16, 2, 0),  # AF_NETLINK, NETLINK_ROUTE: the host's interfaces and routes
    "inet raw": (2, 3, 1),  # SOCK_RAW, ICMP
}


def _family_probe(family: int, kind: int, proto: int, pair: bool) -> str:
    make = f"socket.socketpair({family}, {kind}, {proto})" if pair else f"[socket.socket({family}, {kind}, {proto})]"
    return ("    import errno\n    import socket\n    try:\n"
            f"        made = {make}\n"
            "    except OSError as exc:\n"
            "        if exc.errno not in (errno.EAFNOSUPPORT, errno.EPERM, errno.EACCES):\n"
            "            raise\n"
            "    else:\n"
            "        for s in made:\n            s.close()\n"
            "        return tokens  # the socket was made: a wrong answer on purpose\n" + PADDING)


@pytest.mark.parametrize("pair", [False, True], ids=["socket", "socketpair"])
@pytest.mark.parametrize("family", FAMILIES, ids=list(FAMILIES))
def test_no_socket_of_any_family_but_unix(submission, reference, level, family, pair):
    if level.get("level") != "namespaces" or not str(level.get("seccomp", "")).startswith("libseccomp"):
        pytest.skip(f"no namespaces or no seccomp filter here: {level}")
    result = grade(hostile(submission, _family_probe(*FAMILIES[family], pair)), exercises=["padding_mask"],
                   reference=reference)
    case = by_id(result)["padding_mask"].cases[0]
    assert case.status is Status.PASSED, case.failure


def test_what_the_child_needs_still_works(submission, reference, level):
    """AF_UNIX stays: socketpair() and multiprocessing's pipes between the sandbox's own processes."""
    body = ("    import socket\n    a, b = socket.socketpair()\n    a.sendall(b'x')\n"
            "    assert b.recv(1) == b'x'\n    a.close(), b.close()\n"
            "    u = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)\n    u.close()\n"
            "    import multiprocessing.connection as c\n    r, w = c.Pipe()\n    w.send(1)\n    assert r.recv() == 1\n"
            + PADDING)
    result = grade(hostile(submission, body), exercises=["padding_mask"], reference=reference)
    case = by_id(result)["padding_mask"].cases[0]
    assert case.status is Status.PASSED, case.failure
    if level.get("level") == "namespaces" and str(level.get("seccomp", "")).startswith("libseccomp"):
        assert "AF_UNIX only" in level["network"] and "AF_UNIX only" in level["seccomp"]


def _reference_probe() -> str:
    path = SOLUTIONS / "attention.py"
    return (f"    import os\n    if os.path.exists({str(path)!r}):\n"
            "        raise RuntimeError('the reference is readable')\n" + PADDING)


def test_reference_is_hidden(submission, reference, level):
    result = grade(hostile(submission, _reference_probe()), reference=reference)
    assert level["filesystem"].startswith("private root")
    assert by_id(result)["padding_mask"].status is Status.PASSED


def test_files_outside_the_sandbox_are_read_only(submission, reference, tmp_path):
    target = tmp_path / "outside.txt"
    body = f"    open({str(target)!r}, 'w').write('pwned')\n" + PADDING
    result = grade(hostile(submission, body), reference=reference)
    assert by_id(result)["padding_mask"].status is Status.ERROR
    # the path does not exist in the private root; read-only where a wall is missing: an OSError either way
    assert by_id(result)["padding_mask"].cases[0].failure.message.params["type"] in (
        "OSError", "FileNotFoundError", "PermissionError")
    assert not target.exists()


# --- score integrity ------------------------------------------------------------------------------

def test_patching_comparisons_in_the_child_changes_nothing(submission, reference):
    body = ("    wrong = (tokens == pad_id)[:, None, None, :]\n"
            "    import numpy, torch\n    torch.allclose = lambda *a, **k: True\n    torch.equal = lambda *a, **k: True\n"
            "    numpy.allclose = lambda *a, **k: True\n    torch.Tensor.__eq__ = lambda *a, **k: True\n"
            "    return wrong")
    result = grade(hostile(submission, body), reference=reference)
    ex = by_id(result)["padding_mask"]
    assert ex.status is Status.FAILED and ex.score == 0
    assert [m.id for m in ex.mistakes] == ["padding_mask_polarity"]


def test_results_rewritten_after_they_were_sent_change_nothing(submission, reference):
    """Whatever the child does to the files it can reach once results are sent (here: cutting every file
    of its scratch folder to ten bytes) neither crashes the grading process (a memory-mapped result cut
    short raises SIGBUS there) nor changes the earlier exercises' values."""
    body = ("    import os\n"
            "    for top in (os.getcwd(), os.environ.get('TMPDIR', '/tmp'), os.path.dirname(__file__)):\n"
            "        for folder, _, files in os.walk(top):\n"
            "            for name in files:\n"
            "                try:\n"
            "                    os.truncate(os.path.join(folder, name), 10)\n"
            "                except OSError:\n"
            "                    pass\n" + PADDING)
    result = grade(hostile(submission, body), reference=reference)
    assert all(e.status is Status.PASSED for e in result.exercises), [(e.id, e.status) for e in result.exercises]


def test_lying_tensor_subclass_cannot_pass(submission, reference):
    body = ("    class Liar(torch.Tensor):\n"
            "        @classmethod\n"
            "        def __torch_function__(cls, func, types, args=(), kwargs=None):\n"
            "            return torch.ones(1, 1, 1, 7, dtype=torch.bool)\n"
            "    return torch.zeros(tokens.shape[0], 1, 1, tokens.shape[1], dtype=torch.bool).as_subclass(Liar)")
    result = grade(hostile(submission, body), reference=reference)
    ex = by_id(result)["padding_mask"]
    assert ex.status is Status.FAILED and ex.cases[0].failure.name == "values"


def test_hard_coded_visible_outputs_fail_hidden_and_salted_cases(submission, reference, assignment):
    exercise = assignment.exercise("padding_mask")
    visible = reference.prepare(exercise, exercise.cases[0])
    table = visible.truth["out"].tensor.tolist()
    body = f"    return torch.tensor({table}, dtype=torch.bool, device=tokens.device)"
    sub = hostile(submission, body)
    local = by_id(grade(sub, exercises=["padding_mask"], reference=reference))["padding_mask"]
    assert local.cases[0].status is Status.PASSED  # the copied case passes (the visible case elsewhere has other sizes)
    hidden = by_id(grade(sub, exercises=["padding_mask"], hidden=True, reference=reference))["padding_mask"]
    assert hidden.score < hidden.max_score
    salted = by_id(grade(sub, exercises=["padding_mask"], salt="term-2"))["padding_mask"]
    assert salted.status is Status.FAILED


def test_results_do_not_depend_on_torch_state_left_by_the_student(submission, reference):
    body = "    torch.set_default_dtype(torch.float64)\n    torch.manual_seed(123)\n" + PADDING
    result = grade(hostile(submission, body), reference=reference)
    assert all(e.status is Status.PASSED for e in result.exercises)
    assert torch.get_default_dtype() == torch.float32  # the grading process was never touched
