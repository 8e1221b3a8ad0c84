"""grade batch and grade merge on generated classes: correct, buggy, stub, broken, hostile, zipped, nested."""

from __future__ import annotations

import csv
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
from click.testing import CliRunner
from conftest import ROOT, SOLUTIONS, STUBS
from corpus import build, variants

from grader import api, batch, cli
from grader.sandbox.limits import Limits


def make_class(folder: Path, extra: int = 0) -> Path:
    folder.mkdir()
    mutants = {v.name: v for v in variants("mutants")}
    shutil.copytree(SOLUTIONS, folder / "alice", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(STUBS, folder / "bob" / "transformer", ignore=shutil.ignore_patterns("__pycache__"))  # nested
    build(mutants["sdpa_no_sqrt"], folder / "carol")
    build(mutants["mha_missing_w_o"], folder / "dan")
    broken = folder / "erin"
    shutil.copytree(SOLUTIONS, broken, ignore=shutil.ignore_patterns("__pycache__"))
    (broken / "layers.py").write_text("class EncoderLayer(:\n")
    hostile = folder / "frank"
    shutil.copytree(SOLUTIONS, hostile, ignore=shutil.ignore_patterns("__pycache__"))
    text = (hostile / "attention.py").read_text()
    (hostile / "attention.py").write_text(text.replace(
        "    return (tokens != pad_id)[:, None, None, :]", "    while True:\n        pass"))
    zipped = folder / "_gina"
    build(mutants["softmax_uniform_rows"], zipped)
    with zipfile.ZipFile(folder / "gina.zip", "w") as zf:
        for f in zipped.glob("*.py"):
            zf.write(f, f"gina-hw/{f.name}")
    shutil.rmtree(zipped)
    with zipfile.ZipFile(folder / "mallory.zip", "w") as zf:  # zip slip
        zf.writestr("../../escape.py", "print('x')")
    for i in range(extra):
        shutil.copytree(SOLUTIONS, folder / f"extra{i:02d}", ignore=shutil.ignore_patterns("__pycache__"))
    return folder


def gradebook(out: Path) -> list[dict]:
    with (out / "gradebook.csv").open() as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    root = tmp_path_factory.mktemp("batch")
    klass = make_class(root / "class")
    out = root / "out"
    report = batch.run(klass, assignment="transformer", output=out, workers=2, limits=Limits(exercise_seconds=5))
    return klass, out, report


def test_every_submission_gets_a_result(graded):
    klass, out, report = graded
    names = ["alice", "bob", "carol", "dan", "erin", "frank", "gina", "mallory"]
    assert sorted(report.graded) == names and not report.failed
    rows = {r["student"]: r for r in gradebook(out)}
    assert list(rows) == names
    assert float(rows["alice"]["score"]) == 100 and rows["alice"]["status"] == "graded"
    assert float(rows["bob"]["score"]) == 0  # stubs, one level down
    assert float(rows["carol"]["scaled_dot_product_attention"]) < 10 and float(rows["carol"]["MultiHeadAttention"]) == 16
    assert float(rows["dan"]["MultiHeadAttention"]) < 16
    assert float(rows["erin"]["EncoderLayer"]) == 0 and float(rows["erin"]["masked_softmax"]) == 10  # syntax error: one file
    assert float(rows["frank"]["padding_mask"]) == 0 and float(rows["frank"]["split_heads"]) == 6  # endless loop contained
    frank = json.loads((out / "frank.json").read_text())
    stuck = next(e for e in frank["exercises"] if e["id"] == "padding_mask")
    message = stuck["cases"][0]["checks"][-1]["message"]
    # the case's own limit (from the reference's cost) ran out well within the batch's 5 s, and says where
    assert stuck["status"] == "timeout" and "stuck in attention.py line" in message and "padding_mask" in message, message
    assert float(rows["gina"]["masked_softmax"]) < 10  # zipped, one level down
    assert rows["mallory"]["status"] == "invalid"
    # what stopped the code, told apart from graded; every number written one way (0, never 0.0 beside it)
    assert rows["erin"]["status"] == "syntax_error" and rows["frank"]["status"] == "timeout"
    assert rows["mallory"]["score"] == "0" and rows["bob"]["score"] == "0" and rows["alice"]["score"] == "100"
    assert "escape.py" in json.loads((out / "mallory.json").read_text())["error"]
    assert not (klass.parent / "escape.py").exists()


def test_results_have_the_check_schema_and_feedback(graded):
    _, out, _ = graded
    data = json.loads((out / "carol.json").read_text())
    assert data["schema"] == "nlp-grader/result/v1" and data["submission"] == "carol" and data["hidden"] is True
    sdpa = next(e for e in data["exercises"] if e["id"] == "scaled_dot_product_attention")
    assert [m["id"] for m in sdpa["mistakes"]] == ["no_sqrt_dk"]
    md = (out / "carol.md").read_text()
    assert md.startswith("# carol: transformer:") and "no_sqrt_dk" in md and "```text" in md
    assert not list(out.glob(".*.tmp"))  # nothing half-written
    erin = (out / "erin.md").read_text()  # one syntax error said once, with its line, not once per case
    assert erin.count("invalid syntax") == 1 and "class EncoderLayer(:" in erin and "signature" not in erin


def test_summary_and_plot(graded):
    _, out, report = graded
    summary = json.loads((out / "summary.json").read_text())
    assert summary["submissions"] == 8 and summary["graded"] == 7 and summary["invalid"] == ["mallory"]
    # the distribution counts what the gradebook counts: every row with a score, the invalid one as 0
    assert sum(summary["histogram"]["counts"]) == summary["scored"] == 8
    rows = gradebook(out)
    assert summary["mean"] == pytest.approx(sum(float(r["score"]) for r in rows) / len(rows), abs=0.01)
    assert summary["statuses"] == {"graded": 5, "syntax_error": 1, "timeout": 1, "invalid": 1}
    assert summary["pass_rates"]["causal_mask"] == pytest.approx(6 / 7, abs=1e-3)  # all but the stubs
    mistakes = {(m["exercise"], m["mistake"]) for m in summary["top_mistakes"]}
    assert ("scaled_dot_product_attention", "no_sqrt_dk") in mistakes
    assert ("MultiHeadAttention", "missing_output_projection") in mistakes
    png = out / "scores.png"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_resume_skips_unchanged_and_regrades_changed(graded, tmp_path):
    original, out, _ = graded
    klass = tmp_path / "class"
    shutil.copytree(original, klass)
    copy = tmp_path / "out"
    shutil.copytree(out, copy)
    before = (copy / "gradebook.csv").read_text()
    again = batch.run(klass, assignment="transformer", output=copy, workers=2, limits=Limits(exercise_seconds=5))
    assert again.graded == [] and sorted(again.skipped) == sorted(r["student"] for r in gradebook(out))
    assert (copy / "gradebook.csv").read_text() == before
    shutil.rmtree(klass / "carol")
    shutil.copytree(SOLUTIONS, klass / "carol", ignore=shutil.ignore_patterns("__pycache__"))  # carol fixed her code
    third = batch.run(klass, assignment="transformer", output=copy, workers=2, limits=Limits(exercise_seconds=5))
    assert third.graded == ["carol"]
    assert float({r["student"]: r for r in gradebook(copy)}["carol"]["score"]) == 100


def test_shards_merge_into_the_full_gradebook(graded, tmp_path):
    original, full, _ = graded
    klass = tmp_path / "class"
    shutil.copytree(original, klass, ignore=shutil.ignore_patterns("frank"))  # the endless loop only slows this down
    out = tmp_path / "full"
    shutil.copytree(full, out)
    (out / "frank.json").unlink()
    batch.write_gradebook(out, api.assignment_spec("transformer"))
    parts = []
    for k in (1, 2, 3):
        part = tmp_path / f"shard{k}"
        batch.run(klass, assignment="transformer", output=part, shard=f"{k}/3", limits=Limits(exercise_seconds=5))
        parts.append(part)
    names = [sorted(r["student"] for r in gradebook(p)) for p in parts]
    assert sorted(sum(names, [])) == sorted(r["student"] for r in gradebook(out))
    assert all(names)  # every shard got someone
    merged = tmp_path / "merged"
    batch.merge(parts, assignment="transformer", output=merged)
    strip = lambda rows: [{k: v for k, v in r.items()} for r in rows]  # noqa: E731
    assert strip(gradebook(merged)) == strip(gradebook(out))
    with pytest.raises(batch.BatchError, match="graded in both"):
        batch.merge([parts[0], out], assignment="transformer", output=tmp_path / "clash")


def test_bad_shard_and_folder_are_usage_errors(tmp_path):
    runner = CliRunner()
    result = runner.invoke(cli.main, ["batch", str(tmp_path), "--assignment", "transformer", "--output",
                                      str(tmp_path / "o"), "--shard", "4/3"])
    assert result.exit_code == 2 and "K must be between 1 and N" in result.output
    result = runner.invoke(cli.main, ["batch", str(tmp_path), "--assignment", "nope", "--output", str(tmp_path / "o")])
    assert result.exit_code == 2 and "no assignment called 'nope'" in result.output


def test_kill_9_in_the_middle_then_resume_gives_the_same_gradebook(tmp_path, graded):
    klass = make_class(tmp_path / "class", extra=4)
    shutil.rmtree(klass / "frank")  # keep this run quick
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "grader", "batch", str(klass), "--assignment", "transformer", "--output", str(out),
           "--workers", "1"]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True, cwd=ROOT)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and len(list(out.glob("*.json"))) < 2:
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    first = {p.name for p in out.glob("*.json")}
    assert 2 <= len(first) < 11 and not (out / "gradebook.csv").exists()
    for path in out.glob("*.json"):  # whatever is there is whole
        json.loads(path.read_text())
    done = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    said = " ".join(done.stdout.split())  # rich wraps the summary line
    assert f"{len(first)} unchanged and kept" in said, said  # what the killed run finished is not graded again
    clean = tmp_path / "clean"
    subprocess.run([*cmd[:-4], "--output", str(clean), "--workers", "2"], capture_output=True, cwd=ROOT, check=True)
    assert (out / "gradebook.csv").read_text() == (clean / "gradebook.csv").read_text()
    time.sleep(0.5)
    orphans = subprocess.run(["ps", "-eo", "ppid=,args="], capture_output=True, text=True).stdout.splitlines()
    assert not [line for line in orphans if line.split(None, 1)[0] == "1" and "grader.sandbox.forkserver" in line]


def test_cli_batch_in_korean(graded, tmp_path):
    klass, out, _ = graded
    copy = tmp_path / "out"
    shutil.copytree(out, copy)
    result = CliRunner().invoke(cli.main, ["batch", str(klass), "--assignment", "transformer", "--output", str(copy),
                                           "--lang", "ko"])
    assert result.exit_code == 0, result.output
    assert "바뀌지 않아 유지" in result.output and "문제별 통과율" in result.output
