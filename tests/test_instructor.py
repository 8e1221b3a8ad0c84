"""The instructor's day, end to end on a generated class: batch, review, regrade one, re-render, export.

Three exercises are graded (hidden cases included) to keep this quick; every command runs through the CLI.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import SOLUTIONS, STUBS
from corpus import _patch, build, variants
from test_instructor_similar import disguise

from grader import batch, cli, stats
from grader.batch import history
from grader.report import gradescope, stored

EXERCISES = ["masked_softmax", "scaled_dot_product_attention", "causal_mask"]
NARROW = [arg for e in EXERCISES for arg in ("--exercise", e)]


def solution(folder: Path) -> Path:
    shutil.copytree(SOLUTIONS, folder, ignore=shutil.ignore_patterns("__pycache__"))
    return folder


def make_class(root: Path) -> Path:
    klass = root / "class"
    klass.mkdir()
    solution(klass / "alice")
    shutil.copytree(STUBS, klass / "bob" / "handout", ignore=shutil.ignore_patterns("__pycache__"))  # one level down
    mutants = {v.name: v for v in variants("mutants")}
    correct = {v.name: v for v in variants("correct")}
    build(mutants["sdpa_no_sqrt"], klass / "carol")
    (klass / "dave").mkdir()
    (klass / "dave" / "readme.txt").write_text("I could not do it\n")  # not a submission
    deep = klass / "erin" / "hw" / "src"
    deep.parent.mkdir(parents=True)
    solution(deep)  # two levels down
    gina = build(correct["sdpa_einsum"], klass / "gina")
    for name in ("masked_softmax_manual", "masks_arange"):  # her own way in three exercises
        for file, patch in correct[name].sections.items():
            (gina / file).write_text(_patch((gina / file).read_text(), patch))
    frank = klass / "frank"
    frank.mkdir()
    for path in gina.glob("*.py"):
        (frank / path.name).write_text(disguise(path.read_text()))  # renamed and reordered
    with zipfile.ZipFile(klass / "hank.zip", "w") as zf:  # a zip with a folder inside: fine
        for path in SOLUTIONS.glob("*.py"):
            zf.write(path, f"hank-hw/{path.name}")
    return klass


def invoke(*args: str):
    return CliRunner().invoke(cli.main, [str(a) for a in args])


@pytest.fixture(scope="module")
def day(tmp_path_factory):
    root = tmp_path_factory.mktemp("day")
    klass = make_class(root)
    out = root / "out"
    result = invoke("batch", klass, "--assignment", "transformer", "--output", out, "--workers", "2", *NARROW,
                    "--lang", "en")
    assert result.exit_code == 0, result.output
    return klass, out, result.output


def record(out: Path, name: str) -> dict:
    return json.loads((out / f"{name}.json").read_text(encoding="utf-8"))


def files_of(folder: Path) -> dict[str, tuple[bytes, int]]:
    return {str(p.relative_to(folder)): (p.read_bytes(), p.stat().st_ino) for p in sorted(folder.rglob("*"))
            if p.is_file()}


def copy_out(out: Path, dest: Path) -> Path:
    shutil.copytree(out, dest)
    return dest


# --- 4. what is not a submission ---------------------------------------------------------------------

def test_folders_without_the_assignment_s_files_are_invalid_and_say_why(day):
    _, out, said = day
    status = {r["student"]: r["status"] for r in csv.DictReader((out / "gradebook.csv").open())}
    assert status == {"alice": "graded", "bob": "graded", "carol": "graded", "dave": "invalid", "erin": "invalid",
                      "frank": "graded", "gina": "graded", "hank": "graded"}
    dave = record(out, "dave")
    assert "none of the assignment's files" in dave["error"] and "readme.txt" in dave["error"]
    assert dave["batch"]["reason"]["code"] == "batch.invalid.no_files"
    erin = record(out, "erin")
    assert "too deep" in erin["error"] and "hw/src/" in erin["error"]
    assert "hw/src/" in (out / "erin.md").read_text()
    assert "not gradable (see their .json and .md): dave, erin" in " ".join(said.split())
    assert record(out, "bob")["score"] == 0 and record(out, "hank")["score"] == record(out, "alice")["score"] == 25


# --- 3. what students see ------------------------------------------------------------------------------

def _hidden_lines(md: str) -> list[str]:
    return [line for line in md.splitlines() if line.startswith("- ") and "(hidden)" in line]


def test_feedback_shows_hidden_cases_by_status_and_check_only(day, tmp_path):
    _, original, _ = day
    out = copy_out(original, tmp_path / "out")
    visible = (out / "carol.md").read_text()
    lines = _hidden_lines(visible)
    assert lines and all(line.endswith("failed \\[values\\]") for line in lines), lines
    assert "(no_sqrt_dk)" in visible and "largest difference" in visible  # the visible case, in full
    assert invoke("report", out, "--feedback", "full", "--lang", "en").exit_code == 0
    full = (out / "carol.md").read_text()
    assert all("differ beyond the tolerance" in line for line in _hidden_lines(full)), _hidden_lines(full)
    assert invoke("report", out, "--feedback", "summary", "--lang", "en").exit_code == 0
    summary = (out / "carol.md").read_text()
    assert "```" not in summary and "[values]" not in summary and "| `scaled_dot_product_attention` |" in summary


def test_gradescope_output_follows_the_feedback_level(day):
    from test_formats import validate_gradescope

    _, out, _ = day
    result = stored.result_from(record(out, "carol"))
    assert result is not None
    by_level = {}
    for level in ("full", "visible", "summary"):
        data = gradescope.to_dict(result, "en", execution_time=1.0, feedback=level)
        validate_gradescope(data)
        by_level[level] = {t["name"]: t["output"] for t in data["tests"]}
    hidden = [c.id for e in result.exercises for c in e.cases if c.hidden and c.status.value == "failed"]
    assert hidden
    for case in hidden:
        name = f"scaled_dot_product_attention: {case}"
        assert "largest difference" in by_level["full"][name]
        # the case's own part: its name, status and check; the exercise's notes above it are the same at each level
        assert by_level["visible"][name].splitlines()[-1] == f"case {case} (hidden): failed [values]"
        assert "largest difference" not in by_level["visible"][name]
        assert by_level["summary"][name] == "failed"
    assert "largest difference" in by_level["visible"]["scaled_dot_product_attention: self_3d"]


def test_stored_results_come_back_whole(day):
    _, out, _ = day
    for name in ("alice", "carol", "bob"):
        data = record(out, name)
        result = stored.result_from(data)
        assert stored.decode(json.loads(json.dumps(stored.encode(result)))) == result
    assert stored.result_from(record(out, "dave")) is None
    with pytest.raises(stored.StoredError):
        stored.decode({"$": "os.system"})


# --- 1. rendering again, in another language, without running student code ---------------------------

def test_report_renders_again_in_korean_without_running_student_code(day, tmp_path, monkeypatch):
    from grader import api

    _, original, _ = day
    out = copy_out(original, tmp_path / "out")
    gradebook = (out / "gradebook.csv").read_bytes()

    def refuse(*_a, **_k):
        raise AssertionError("grade report ran student code")

    monkeypatch.setattr(api, "check", refuse)
    monkeypatch.setattr(api.runner, "run_tasks", refuse)
    result = invoke("report", out, "--lang", "ko")
    assert result.exit_code == 0, result.output
    assert "학생 코드는 실행하지 않았습니다" in result.output
    carol = record(out, "carol")
    assert carol["lang"] == "ko" and "허용 오차" in json.dumps(carol, ensure_ascii=False)
    assert "(비공개)" in (out / "carol.md").read_text() and "풀지 않음" in (out / "bob.md").read_text()
    assert "맨 위 폴더나 한 단계 아래" in (out / "erin.md").read_text() and "너무 깊이" in record(out, "erin")["error"]
    assert (out / "gradebook.csv").read_bytes() == gradebook


def test_a_batch_in_another_language_renders_again_instead_of_keeping_stale_files(day, tmp_path):
    klass, original, _ = day
    out = copy_out(original, tmp_path / "out")
    result = invoke("batch", klass, "--assignment", "transformer", "--output", out, *NARROW, "--lang", "ko")
    assert result.exit_code == 0, result.output
    assert "바뀌지 않아 유지 8" in " ".join(result.output.split())  # nothing graded again
    assert "(비공개)" in (out / "carol.md").read_text() and record(out, "carol")["lang"] == "ko"
    result = invoke("batch", klass, "--assignment", "transformer", "--output", out, *NARROW, "--lang", "en")
    assert result.exit_code == 0
    assert files_of(out).keys() == files_of(original).keys()
    for name, (data, _) in files_of(original).items():
        if not name.endswith(".png"):
            assert (out / name).read_bytes() == data, name  # back to the English files, byte for byte


# --- 2. regrading one ------------------------------------------------------------------------------------

def test_only_regrades_one_submission_and_leaves_every_other_file_as_it_was(day, tmp_path):
    klass, original, _ = day
    out = copy_out(original, tmp_path / "out")
    before = files_of(out)
    report = batch.run(klass, assignment="transformer", output=out, exercises=EXERCISES, only=["carol"])
    assert report.graded == ["carol"] and sorted(report.skipped) == ["alice", "bob", "dave", "erin", "frank", "gina",
                                                                      "hank"]
    after = files_of(out)
    assert after.keys() == before.keys() | {"history.jsonl"}  # the regrade is recorded
    assert after["carol.json"][1] != before["carol.json"][1]  # written again
    for name, (data, inode) in before.items():
        if name in ("carol.json", "carol.md", "code/carol.json", "index.html"):  # the class page flags the regrade
            continue
        assert after[name] == (data, inode), name  # the same bytes, never rewritten
    regraded, first = json.loads(after["carol.json"][0]), json.loads(before["carol.json"][0])
    assert regraded["score"] == first["score"] and regraded["batch"]["content_hash"] == first["batch"]["content_hash"]
    [line] = history.read(out)
    assert line["student"] == "carol" and line["old"]["score"] == line["new"]["score"] == first["score"]
    assert "Regrade history" in (out / "carol.md").read_text()


def test_only_with_an_unknown_name_is_a_usage_error(day, tmp_path):
    klass, original, _ = day
    result = invoke("batch", klass, "--assignment", "transformer", "--output", tmp_path / "o", "--only", "carl")
    assert result.exit_code == 2 and "no submission called carl" in result.output and "carol" in result.output


def test_memory_and_timeout_reach_the_sandbox(tmp_path):
    klass = tmp_path / "class"
    hog = solution(klass / "hog")
    text = (hog / "attention.py").read_text()
    marker = "def causal_mask(size: int, device: torch.device | str | None = None) -> torch.Tensor:"
    assert marker in text, "the solution's causal_mask signature changed"
    head, tail = text.split(marker)
    body_start = tail.index('"""', tail.index('"""') + 3) + 3
    tail = tail[:body_start] + "\n    _ballast = torch.ones(300 * 2**20 // 8, dtype=torch.float64)" + tail[body_start:]
    (hog / "attention.py").write_text(head + marker + tail)
    out = tmp_path / "out"
    args = ["batch", klass, "--assignment", "transformer", "--output", out, "--exercise", "causal_mask"]
    assert invoke(*args).exit_code == 0
    assert record(out, "hog")["exercises"][0]["status"] == "passed"
    assert invoke(*args, "--only", "hog", "--memory", "128", "--timeout", "20").exit_code == 0
    squeezed = record(out, "hog")["exercises"][0]
    assert squeezed["status"] == "error", squeezed["status"]


# --- 5. class statistics ------------------------------------------------------------------------------

def test_summary_counts_cases_checks_and_quartiles(day):
    _, out, said = day
    summary = json.loads((out / "summary.json").read_text())
    # as the gradebook counts them: the invalid submissions (dave, erin) as 0
    graded = [record(out, n)["score"] for n in ("alice", "bob", "carol", "frank", "gina", "hank")] + [0, 0]
    import statistics

    assert summary["quartiles"]["median"] == pytest.approx(statistics.median(graded))
    assert summary["quartiles"]["min"] == 0 and summary["quartiles"]["max"] == 25
    sdpa = [c for c in summary["cases"] if c["exercise"] == "scaled_dot_product_attention"]
    failed = [c for c in sdpa if c["failed"]]
    assert len(failed) >= 8 and all(c["failed"] == 1 and c["checks"] == {"values": 1} for c in failed)  # carol's
    assert all(c["not_attempted"] == 1 and c["runs"] == 6 for c in sdpa)  # bob's stubs, counted apart
    rates = {e["id"]: e for e in summary["exercises"]}
    assert rates["scaled_dot_product_attention"]["passed"] == 4 and rates["scaled_dot_product_attention"]["graded"] == 6
    assert {(m["exercise"], m["mistake"]) for m in summary["top_mistakes"]} == {
        ("scaled_dot_product_attention", "no_sqrt_dk")}
    assert "cases failed most often" in said


def test_a_mistake_counts_on_its_own_exercise_not_downstream(assignment):
    row = {"submission": "x", "score": 0, "max_score": 100, "exercises": [
        {"id": "scaled_dot_product_attention", "status": "failed", "mistakes": [{"id": "no_sqrt_dk"}], "cases": [],
         "diagnoses": [{"id": "scale_factor"}]},
        {"id": "MultiHeadAttention", "status": "failed", "cases": [],
         "mistakes": [{"id": "no_sqrt_dk"}, {"id": "mha_no_sqrt_dk"}],
         "diagnoses": [{"id": "no_sqrt_dk"}, {"id": "scale_factor"}, {"id": "weights_not_normalised"}]}]}
    summary = stats.summarize([row], assignment)
    assert [(m["exercise"], m["mistake"]) for m in summary["top_mistakes"]] == [
        ("scaled_dot_product_attention", "no_sqrt_dk"), ("MultiHeadAttention", "mha_no_sqrt_dk")]
    assert [(d["exercise"], d["diagnosis"]) for d in summary["diagnoses"]] == [
        ("scaled_dot_product_attention", "scale_factor"), ("MultiHeadAttention", "weights_not_normalised")]


def test_both_plots_are_readable_in_grayscale(day):
    from matplotlib import image

    _, out, _ = day
    for name in ("scores.png", "exercises.png"):
        pixels = image.imread(out / name)[..., :3]
        assert pixels.shape[0] > 100
        spread = (pixels.max(axis=-1) - pixels.min(axis=-1)).max()
        assert spread < 0.02, f"{name} uses colour: it must read the same in grayscale"
        assert (pixels < 0.5).mean() > 0.005  # and it draws something dark


# --- 6. similarity ------------------------------------------------------------------------------------------

def test_the_renamed_copy_is_listed_with_a_side_by_side_diff(day, tmp_path):
    _, original, said = day
    with (original / "similarity.csv").open() as f:
        rows = list(csv.DictReader(f))
    assert [(r["a"], r["b"]) for r in rows] == [("frank", "gina")], rows
    assert set(rows[0]["exercises"].split(";")) >= {"masked_softmax", "scaled_dot_product_attention", "causal_mask"}
    summary = json.loads((original / "summary.json").read_text())
    assert [(p["a"], p["b"]) for p in summary["similar"]] == [("frank", "gina")]
    diff = (original / summary["similar"][0]["diff"]).read_text()
    assert "einsum" in diff and "<mark" in diff and "<script" not in diff  # what is alike, marked
    assert "a reason to look, not evidence" in " ".join(said.split())
    out = copy_out(original, tmp_path / "out")
    (out / "similarity.csv").unlink()
    result = invoke("similar", out, "--threshold", "0.9", "--lang", "en")
    assert result.exit_code == 0 and "frank" in result.output and (out / "similarity.csv").exists()
    result = invoke("similar", out, "--threshold", "1", "--lang", "en")
    said = " ".join(result.output.split())
    assert result.exit_code == 0 and ("frank" in said) == (summary["similar"][0]["score"] >= 1)


# --- 7. LMS exports -----------------------------------------------------------------------------------------

def write_roster(path: Path) -> Path:
    with path.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "Email address"])
        w.writerow(["    Points Possible", "", "", "", "", ""])  # as Canvas's own export has it
        for i, (name, login) in enumerate([("Alice A", "alice"), ("Carol C", "Carol "), ("Dave D", "dave"),
                                            ("=cmd|calc", "zed"), ("Gina G", "gina")]):
            w.writerow([name, 100 + i, f"S{i}", login, "A01", f"{login.strip().lower()}@uni.test"])
    return path


def test_canvas_export_has_one_row_per_roster_student(day, tmp_path):
    _, out, _ = day
    roster = write_roster(tmp_path / "roster.csv")
    target = tmp_path / "canvas.csv"
    result = invoke("export", "canvas", out, "--roster", roster, "--match", "SIS Login ID", "--output", target,
                    "--lang", "en")
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(target.open()))
    assert rows[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "transformer"]
    assert rows[1][0] == "Points Possible" and float(rows[1][5]) == 100
    by_login = {r[3]: r for r in rows[2:]}
    assert len(rows) == 2 + 5
    assert float(by_login["alice"][5]) == 25 and float(by_login["Carol"][5]) == record(out, "carol")["score"]
    assert float(by_login["dave"][5]) == 0  # invalid: a zero
    assert by_login["zed"][5] == "" and by_login["zed"][0] == "'=cmd|calc"  # nothing submitted; no formula
    said = " ".join(result.output.split())
    assert "no value of the roster column SIS Login ID (not exported): bob, erin, frank, hank" in said
    assert "no submission (their grade is left blank): zed" in said


def test_moodle_export_is_keyed_by_the_identifier(day, tmp_path):
    _, out, _ = day
    roster = write_roster(tmp_path / "roster.csv")
    target = tmp_path / "moodle.csv"
    result = invoke("export", "moodle", out, "--roster", roster, "--match", "SIS Login ID", "--id-column",
                    "Email address", "--output", target, "--lang", "ko")
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(target.open()))
    assert rows[0] == ["Email address", "transformer"] and len(rows) == 6
    assert dict(rows[1:])["gina@uni.test"] == str(record(out, "gina")["score"])
    assert "명단 5행" in result.output
    bad = invoke("export", "moodle", out, "--roster", roster, "--match", "login", "--output", target, "--lang", "en")
    assert bad.exit_code == 2 and "the roster has no column login" in bad.output


# --- 8. Gradescope in the class's language ------------------------------------------------------------------

def test_gradescope_autograder_reports_in_korean(tmp_path):
    target = tmp_path / "autograder.zip"
    result = invoke("export", "gradescope", "--assignment", "transformer", "--output", target, "--lang", "ko")
    assert result.exit_code == 0, result.output
    source = tmp_path / "source"
    with zipfile.ZipFile(target) as zf:
        zf.extractall(source)
    script = (source / "run_autograder").read_text()
    assert "--lang ko" in script and "--feedback visible" in script and "점수가 아닙니다" in script
    os.chmod(source / "run_autograder", 0o755)
    submission, results = tmp_path / "submission", tmp_path / "results"
    shutil.copytree(STUBS, submission)
    env = {**os.environ, "AUTOGRADER_SOURCE": str(source), "AUTOGRADER_SUBMISSION": str(submission),
           "AUTOGRADER_RESULTS": str(results), "AUTOGRADER_GRADE": str(Path(sys.executable).parent / "grade")}
    subprocess.run([str(source / "run_autograder")], env=env, capture_output=True, text=True, check=True)
    data = json.loads((results / "results.json").read_text())
    assert data["tests"] and all(t["output"].startswith("풀지 않음") for t in data["tests"] if t["output"])
    shutil.rmtree(submission)
    submission.write_text("not a folder")
    subprocess.run([str(source / "run_autograder")], env=env, capture_output=True, text=True, check=True)
    failed = json.loads((results / "results.json").read_text())
    assert failed["score"] == 0 and "이것은 점수가 아닙니다" in failed["output"]
