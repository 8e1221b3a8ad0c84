"""grade batch --executor ray on a real local Ray cluster: the same files as the local executor, workers killed
in the middle, a killed driver that resumes. Needs the extra (pip install -e ".[cluster]"); select with -m cluster.

Nothing here is mocked: the CLI runs start their own local Ray instance (as `grade batch --executor ray` does
without --address), and the in-process tests share one module-scoped cluster (ray.init with two CPUs), whose
worker processes are killed with SIGKILL as a node's death would end them.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from conftest import ROOT, SOLUTIONS
from corpus import build, variants
from test_batch import make_class
from test_notebook import MASK_IGNORED, solution_cells, write_notebook

from grader import api, batch
from grader.batch import cluster, intake
from grader.batch.worker import Grading
from grader.sandbox.limits import Limits
from grader.version import __version__

pytestmark = pytest.mark.cluster
LIMITS = Limits(exercise_seconds=5)


def make_big_class(folder: Path, size: int = 60) -> Path:
    """test_batch's class (correct, stubs one folder down, mutants, a syntax error, an endless loop, a zip one
    folder down, a zip slip), a notebook, a folder with a link and an oversized file, one with none of the files,
    then the corpus's correct-but-different variants and mutants up to ``size``."""
    make_class(folder)
    write_notebook(folder / "nina.ipynb", solution_cells(MASK_IGNORED))
    olga = folder / "olga"
    shutil.copytree(SOLUTIONS, olga, ignore=shutil.ignore_patterns("__pycache__"))
    os.symlink("/etc/hostname", olga / "notes.txt")
    (folder / "pat").mkdir()
    (folder / "pat" / "readme.txt").write_text("I could not finish\n")
    pool = [*variants("correct"), *variants("mutants")]
    taken = len(list(folder.iterdir()))
    for i in range(size - taken):
        build(pool[(i * 7) % len(pool)], folder / f"s{i:03d}")
    assert len(list(folder.iterdir())) == size
    return folder


def grade_cli(klass: Path, out: Path, *extra: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    done = subprocess.run([sys.executable, "-m", "grader", "batch", str(klass), "--assignment", "transformer",
                           "--output", str(out), "--workers", "2", *extra], capture_output=True, text=True, cwd=ROOT)
    if check:
        assert done.returncode == 0, done.stderr[-3000:]
    return done


def without_host(data: dict) -> dict:
    """A result without what describes the machine that graded it rather than the grading: the worker's host, and
    the sandbox's ``isolation_details`` (which walls that host could raise: a process limit by cgroup or by rlimit,
    the address-space limit measured from the grading process's size, which differs by a few pages between two
    local runs of the same class too). The isolation level, the scores, cases and messages are all compared."""
    if isinstance(data.get("batch"), dict):
        data["batch"].pop("host", None)

    def graded(node):
        if isinstance(node, dict):
            return {k: graded(v) for k, v in node.items() if k != "isolation_details"}
        if isinstance(node, list):
            return [graded(v) for v in node]
        return node

    return graded(data)


def assert_same_output(local: Path, other: Path, names: set[str] | None = None, *, from_ray: bool = True) -> None:
    """Every text file the local executor wrote is in ``other`` with the same content (each <name>.json apart from the
    worker's host, which a Ray worker records, and the machine's sandbox description, see :func:`without_host`); the gradebook byte for
    byte. ``names``: only these students' files (a subset of the class)."""
    files = sorted(p.relative_to(local) for p in local.rglob("*") if p.is_file() and p.suffix in (".json", ".md", ".csv", ".html"))
    if names is None:
        assert (local / "gradebook.csv").read_bytes() == (other / "gradebook.csv").read_bytes()
        assert files == sorted(p.relative_to(other) for p in other.rglob("*")
                               if p.is_file() and p.suffix in (".json", ".md", ".csv", ".html"))
    else:
        files = [f for f in files if f.stem in names]
        assert len(files) >= 2 * len(names)
    for rel in files:
        if rel.suffix == ".json" and rel.parent == Path("."):
            a = json.loads((local / rel).read_text())
            b = json.loads((other / rel).read_text())
            if rel.name == "summary.json" or "submission" not in a:  # the batch's own files (times.json)
                pass
            elif from_ray:
                assert isinstance(b["batch"].get("host"), str) and b["batch"]["host"], rel  # ray: the worker's host
            else:
                assert "host" not in b["batch"], rel
            assert without_host(a) == without_host(b), rel
        else:
            assert (local / rel).read_text() == (other / rel).read_text(), rel


def gradebook_rows(out: Path) -> dict[str, str]:
    lines = (out / "gradebook.csv").read_text().splitlines()
    return {line.split(",", 1)[0]: line for line in lines[1:]}


@pytest.fixture(scope="module")
def big(tmp_path_factory):
    """The class of 60, graded once with the local executor (the answer every other way must give)."""
    pytest.importorskip("ray", reason='the Ray executor needs the extra: pip install -e ".[cluster]"')
    root = tmp_path_factory.mktemp("cluster")
    klass = make_big_class(root / "class")
    local = root / "local"
    grade_cli(klass, local)
    return klass, local


@pytest.fixture(scope="module")
def ray_cluster():
    """One real local Ray cluster for the in-process tests (two CPUs, as on the test machine)."""
    ray = pytest.importorskip("ray", reason='the Ray executor needs the extra: pip install -e ".[cluster]"')
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    yield ray
    ray.shutdown()


def test_ray_executor_gives_the_local_executor_s_files_for_a_class_of_60(big, tmp_path):
    klass, local = big
    out = tmp_path / "ray"
    done = grade_cli(klass, out, "--executor", "ray")  # a local Ray instance, started and stopped by grade batch
    assert "60/60" in done.stderr  # the progress bar counted every submission, as with the local executor
    assert_same_output(local, out)
    rows = gradebook_rows(out)
    assert len(rows) == 60 and rows["alice"].split(",")[1] == "100" and rows["mallory"].endswith(",invalid")
    assert rows["pat"].endswith(",invalid") and rows["nina"].split(",")[1] != "100"  # a notebook, one mask ignored
    assert "notes.txt (symbolic link)" in json.loads((out / "olga.json").read_text())["batch"]["left_out"]
    again = grade_cli(klass, out, "--executor", "ray")  # resume: nothing to grade, nothing sent to the cluster
    assert "0 graded now, 60 unchanged and kept" in " ".join(again.stdout.split())
    assert_same_output(local, out)


def _busy_workers() -> list[int]:
    """Ray worker processes of this user that are running a chunk right now (Ray titles them by the task)."""
    pids = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/cmdline", "rb") as f:
                    title = f.read()
                owner = os.stat(f"/proc/{entry}").st_uid
            except OSError:
                continue
            if title.startswith(b"ray::grade_chunk") and owner == os.getuid():
                pids.append(int(entry))
    return pids


def _kill_a_busy_worker(killed: list[int]) -> None:
    if not killed:
        for pid in _busy_workers()[:1]:
            os.kill(pid, signal.SIGKILL)
            killed.append(pid)


def _subset(klass: Path, dest: Path, names: list[str]) -> Path:
    dest.mkdir()
    for name in names:
        src = klass / name
        if src.is_dir():
            shutil.copytree(src, dest / name, symlinks=True)
        else:
            shutil.copy2(src, dest / name)
    return dest


SUBSET = ["alice", "bob", "carol", "dan", "erin", "gina.zip", "mallory.zip", "nina.ipynb", "olga", "pat",
          "s000", "s001", "s002", "s003", "s004", "s005"]


def _stems(names: list[str]) -> set[str]:
    return {n.rsplit(".", 1)[0] for n in names}


def _no_orphan_fork_servers() -> None:
    deadline = time.monotonic() + 10
    while True:
        lines = subprocess.run(["ps", "-eo", "ppid=,args="], capture_output=True, text=True).stdout.splitlines()
        orphans = [line for line in lines if line.split(None, 1)[0] == "1" and "grader.sandbox.forkserver" in line]
        if not orphans or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert not orphans


def test_a_worker_killed_mid_batch_is_retried_and_every_submission_gets_its_result(big, ray_cluster, tmp_path):
    klass, local = big
    part = _subset(klass, tmp_path / "class", SUBSET)
    out = tmp_path / "out"
    killed: list[int] = []
    progress: list[tuple[str, int, int]] = []

    def on_progress(name: str, done: int, total: int) -> None:
        progress.append((name, done, total))
        _kill_a_busy_worker(killed)  # after the first chunk came back, one still running is killed

    report = batch.run(part, assignment="transformer", output=out, executor="ray", limits=None,
                       on_progress=on_progress)
    assert killed, "no worker was running a chunk when the first result came back"
    assert not report.failed and len(report.graded) == len(SUBSET)  # Ray ran the killed chunk again
    assert [d for _, d, _ in progress] == list(range(1, len(SUBSET) + 1)) and {t for _, _, t in progress} == {len(SUBSET)}
    assert_same_output(local, out, _stems(SUBSET))
    rows, full = gradebook_rows(out), gradebook_rows(local)
    assert rows == {name: full[name] for name in rows} and len(rows) == len(SUBSET)
    _no_orphan_fork_servers()


def test_a_chunk_lost_for_good_is_recorded_per_submission_and_graded_by_the_next_run(big, ray_cluster, tmp_path,
                                                                                    monkeypatch):
    klass, local = big
    part = _subset(klass, tmp_path / "class", SUBSET)
    out = tmp_path / "out"
    monkeypatch.setattr(cluster, "RETRIES", 0)  # no retry left: the killed chunk is lost
    killed: list[int] = []
    report = batch.run(part, assignment="transformer", output=out, executor="ray",
                       on_progress=lambda *_: _kill_a_busy_worker(killed))
    assert killed and report.failed, (killed, report.failed)
    assert len(report.graded) + len(report.failed) == len(SUBSET)  # none lost: each has its record
    for name in report.failed:
        data = json.loads((out / f"{name}.json").read_text())
        assert data["batch"]["status"] == "grader_error" and data["batch"]["reason"]["code"] == "cluster.lost"
        assert "WorkerCrashedError" in data["error"] or "died" in data["error"], data["error"]
    summary = json.loads((out / "summary.json").read_text())
    assert sorted(summary["grader_errors"]) == sorted(report.failed)
    again = batch.run(part, assignment="transformer", output=out, executor="ray")
    assert sorted(again.graded) == sorted(report.failed) and not again.failed  # the next run grades exactly those
    assert_same_output(local, out, _stems(SUBSET))


def test_a_killed_driver_resumes_with_the_same_gradebook(big, tmp_path):
    klass, local = big
    part = _subset(klass, tmp_path / "class", SUBSET)
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "grader", "batch", str(part), "--assignment", "transformer", "--output", str(out),
           "--workers", "2", "--executor", "ray"]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and len(list(out.glob("*.json"))) < 2:
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)  # the driver alone, as `kill -9 PID` would
    proc.wait()
    first = {p.name for p in out.glob("*.json")}
    assert 2 <= len(first) < len(SUBSET) and not (out / "gradebook.csv").exists()
    for path in out.glob("*.json"):  # whatever the driver wrote is whole
        json.loads(path.read_text())
    done = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0, done.stderr[-3000:]
    assert f"{len(first)} unchanged and kept" in " ".join(done.stdout.split())
    assert_same_output(local, out, _stems(SUBSET))
    rows, full = gradebook_rows(out), gradebook_rows(local)
    assert rows == {name: full[name] for name in rows} and len(rows) == len(SUBSET)


def test_cuda_on_a_cluster_without_gpus_is_a_usage_error(ray_cluster, tmp_path):
    klass = tmp_path / "class"
    shutil.copytree(SOLUTIONS, klass / "alice", ignore=shutil.ignore_patterns("__pycache__"))
    with pytest.raises(api.UsageError) as info:
        batch.run(klass, assignment="transformer", output=tmp_path / "out", executor="ray", device="cuda")
    assert info.value.message.key == "cluster.no_gpu"
    assert not list((tmp_path / "out").glob("*.json"))


# --- without a cluster: what the driver does with what workers send -----------------------------------

def test_a_worker_of_another_version_stops_the_batch():
    grading = Grading("transformer")
    reply = cluster.grade_chunk("0.0.0-elsewhere", grading, [])
    assert reply["results"] == [] and reply["version"] != "0.0.0-elsewhere"
    with pytest.raises(api.UsageError) as info:
        cluster._check_worker({**reply, "version": "0.0.0-elsewhere"})
    assert info.value.message.key == "cluster.version"


def test_a_worker_that_cannot_prepare_the_assignment_stops_the_batch():
    reply = cluster.grade_chunk(__version__, Grading("no-such-assignment"), [])
    assert reply["results"] == [] and reply["setup"] == "usage.unknown_assignment"
    with pytest.raises(api.UsageError) as info:
        cluster._check_worker(reply)
    assert info.value.message.key == "cluster.setup" and "usage.unknown_assignment" in info.value.message.params["detail"]


@pytest.mark.parametrize("answer", [
    "not json", "[]", json.dumps({"stem": "bob", "status": "graded", "record": {}, "sources": {}}),
    json.dumps({"stem": "alice", "status": "passed", "record": {}, "sources": {}}),
    json.dumps({"stem": "alice", "status": "graded", "record": {}, "sources": {"a.py": 3}}),
    '{"stem": "alice", "status": "graded", "record": {"x": NaN}, "sources": {}}', 7,
])
def test_a_malformed_answer_from_a_worker_is_not_taken(answer):
    assert cluster._decode(answer, "alice") is None


def test_ray_missing_is_a_usage_error_that_says_how_to_install_it(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "ray", None)  # as if the extra were not installed: `import ray` fails
    with pytest.raises(api.UsageError) as info:
        batch.run(tmp_path, assignment="transformer", output=tmp_path / "out", executor="ray")
    assert info.value.message.key == "cluster.no_ray"
    from grader.messages import render

    assert 'pip install "nlp-grader[cluster]"' in render(info.value.message, "en")
    assert "설치" in render(info.value.message, "ko")


def test_address_without_ray_and_an_unknown_executor_are_usage_errors(tmp_path):
    from click.testing import CliRunner

    from grader import cli

    result = CliRunner().invoke(cli.main, ["batch", str(tmp_path), "--assignment", "transformer", "--output",
                                           str(tmp_path / "o"), "--address", "auto"])
    assert result.exit_code == 2 and "--address auto is for --executor ray" in result.output
    result = CliRunner().invoke(cli.main, ["batch", str(tmp_path), "--assignment", "transformer", "--output",
                                           str(tmp_path / "o"), "--executor", "dask"])
    assert result.exit_code == 2 and "dask" in result.output


def test_packed_submissions_unpack_to_what_the_local_executor_grades(tmp_path):
    """A folder (with a link left out), a zip and a notebook travel as bytes and come back as the same folder."""
    klass = tmp_path / "class"
    klass.mkdir()
    shutil.copytree(SOLUTIONS, klass / "olga", ignore=shutil.ignore_patterns("__pycache__"))
    (klass / "olga" / "sub").mkdir()
    (klass / "olga" / "sub" / "x.txt").write_text("x")
    os.symlink("/etc/hostname", klass / "olga" / "notes.txt")
    with zipfile.ZipFile(klass / "gina.zip", "w") as zf:
        zf.writestr("hw/attention.py", "x = 1\n")
    write_notebook(klass / "nina.ipynb", solution_cells())
    packed = {s.name: intake.pack(s) for s in batch.discover(klass)}
    olga = packed["olga"]
    assert olga.kind == "folder" and olga.left_out == ("notes.txt (symbolic link)",)
    assert all(isinstance(data, (bytes, type(None))) for _, data in olga.files) and ("sub", None) in olga.files
    assert (packed["gina"].kind, packed["gina"].name, packed["nina"].kind) == ("zip", "gina.zip", "notebook")
    shutil.rmtree(klass)  # the worker has only the bytes
    root = intake.unpack(olga, tmp_path / "w1" / "olga")
    assert (root / "sub" / "x.txt").read_text() == "x" and not (root / "notes.txt").exists()
    assert (root / "attention.py").read_bytes() == (SOLUTIONS / "attention.py").read_bytes()
    gina = intake.unpack(packed["gina"], tmp_path / "w2" / "gina")
    assert (gina / "hw" / "attention.py").read_text() == "x = 1\n"
    nina = intake.unpack(packed["nina"], tmp_path / "w3" / "nina")
    assert [p.name for p in nina.iterdir()] == ["submission.ipynb"]
    with pytest.raises(batch.BatchError, match="refusing"):
        intake.unpack(intake.Packed("folder", "eve", (("../escape.py", b"x"),)), tmp_path / "w4" / "eve")
    assert not (tmp_path / "w4" / "escape.py").exists()
