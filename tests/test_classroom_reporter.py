"""GitHub Classroom's points: `grade check --format github-classroom` read by the Classroom reporter's own code.

The reporter's published source (tests/classroom_reporter/src, unchanged) runs in node on what we write for three
submissions (correct, failing, erroring) and on the released workflow's fallback; the points it would post to the
`run-autograding-tests` check run (what Classroom records) must be ours. Node is required: CI installs it (.ci/run);
without it these tests fail and say so, never skip.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from grader import release
from tests.corpus import CORPUS, build, load

ROOT = Path(__file__).resolve().parents[1]
REPORTER = Path(__file__).resolve().parent / "classroom_reporter"
SOLUTIONS = ROOT / "solutions" / "transformer"


def _node() -> str:
    node = shutil.which("node") or shutil.which("nodejs")
    if node is None:
        why = ("node is missing: these tests run GitHub Classroom's reporter (JavaScript) on our output. "
               "Install it (Debian: apt-get install nodejs; .ci/run does this as root)")
        if os.environ.get("CI"):  # CI has it: a missing node there is a failure, never a silent skip
            pytest.fail(why, pytrace=False)
        pytest.skip(why)
    return node


def run_reporter(results: dict, runner: str = "nlpgrader") -> tuple[dict, list[str], str]:
    """The reporter's main.js on one runner result: (the check-run update it sends, its table rows, its output)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("INPUT_", "GITHUB_"))}
    env |= {"INPUT_RUNNERS": runner, f"{runner.upper()}_RESULTS": base64.b64encode(json.dumps(results).encode()).decode(),
            "GITHUB_TOKEN": "token", "GITHUB_REPOSITORY": "course/student-repo", "GITHUB_RUN_ID": "1"}
    done = subprocess.run([_node(), "src/main.js"], cwd=REPORTER, env=env, capture_output=True, text=True, timeout=60)
    out = done.stdout
    assert done.returncode in (0, 1), done.stderr
    updates = [json.loads(line.split(" ", 1)[1]) for line in out.splitlines() if line.startswith("CHECK_RUN_UPDATE ")]
    assert len(updates) == 1, out + done.stderr
    rows = [json.loads(line.split(" ", 1)[1]) for line in out.splitlines() if line.startswith("TABLE_ROW ")]
    return updates[0], rows, out


def grade(folder: Path, fmt: str) -> tuple[int, dict]:
    done = subprocess.run([sys.executable, "-m", "grader", "check", str(folder), "--assignment", "transformer",
                           "--format", fmt], capture_output=True, text=True, timeout=300)
    assert done.returncode in (0, 1), done.stderr
    return done.returncode, json.loads(done.stdout)


@pytest.fixture(scope="module")
def submissions(tmp_path_factory) -> dict[str, Path]:
    base = tmp_path_factory.mktemp("classroom")
    correct = base / "correct"
    shutil.copytree(SOLUTIONS, correct, ignore=shutil.ignore_patterns("__pycache__"))
    failing = build(load(CORPUS / "mutants" / "sdpa_no_sqrt.py"), base / "failing")
    erroring = base / "erroring"
    shutil.copytree(SOLUTIONS, erroring, ignore=shutil.ignore_patterns("__pycache__"))
    attention = erroring / "attention.py"
    attention.write_text(attention.read_text(encoding="utf-8") + "\ndef broken(:\n", encoding="utf-8")
    return {"correct": correct, "failing": failing, "erroring": erroring}


@pytest.mark.parametrize("kind", ["correct", "failing", "erroring"])
def test_the_reporter_posts_our_points(submissions, kind):
    code, ours = grade(submissions[kind], "json")
    _, classroom = grade(submissions[kind], "github-classroom")
    update, rows, out = run_reporter(classroom)
    posted = json.loads(update["output"]["text"])
    # what Classroom records: the sum of the tests' scores over max_score
    assert posted["maxPoints"] == ours["max_score"] == 100
    assert posted["totalPoints"] == pytest.approx(ours["score"], abs=1e-6)
    assert update["output"]["summary"].startswith("Points ") and update["check_run_id"] == 7
    passed = sum(e["status"] == "passed" for e in ours["exercises"])
    assert f"Grand total tests passed: {passed}/{len(ours['exercises'])}" in out
    assert rows[0][0] == "nlpgrader" and rows[-1][0] == "Total: "
    if kind == "correct":
        assert code == 0 and ours["score"] == 100 and "SET_FAILED" not in out
        assert rows[-1][1:] == ["100", "100"]  # the log's table agrees where every exercise has full marks
    elif kind == "failing":
        assert code == 1 and 0 < ours["score"] < 100 and "SET_FAILED Some tests failed." in out
        assert classroom["status"] == "fail"
        failed = {t["name"]: t for t in classroom["tests"] if t["status"] == "fail"}
        assert "no_sqrt_dk" in failed["scaled_dot_product_attention"]["message"]  # the named mistake
    else:
        errors = [t for t in classroom["tests"] if t["status"] == "error"]
        assert code == 1 and "attention.py" in {t["filename"] for t in errors}  # and the files that import it
        assert {e["status"] for e in ours["exercises"] if e["file"] == "attention.py"} == {"error"}
        assert "SET_FAILED" in out and "Error: " in out  # the reporter prints an erroring test's message
        assert "syntax error in attention.py" in out


def test_the_workflow_hands_the_reporter_its_result():
    """The released workflow: the reporter reads <RUNNER>_RESULTS for each runner named, and posts to the check run
    named run-autograding-tests, which is the job's name; when grade itself fails, the step's fallback result is an
    error worth 0 of the assignment's points."""
    workflow = yaml.safe_load(release.WORKFLOW.format(name="transformer", failed=release.classroom_failed(100)))
    job = workflow["jobs"]["run-autograding-tests"]
    steps = {s.get("id") or s.get("name") or s.get("uses"): s for s in job["steps"]}
    reporter = steps["Autograding Reporter"]
    assert reporter["uses"] == "classroom-resources/autograding-grading-reporter@v1"
    runner = reporter["with"]["runners"]
    assert reporter["env"] == {f"{runner.upper()}_RESULTS": "${{steps." + runner + ".outputs.result}}"}
    assert runner in steps and "--format github-classroom" in steps[runner]["run"]
    assert workflow["permissions"]["checks"] == "write"
    fallback = release.classroom_failed(100).replace("@CODE@", "3")
    update, _, out = run_reporter(json.loads(fallback))
    assert json.loads(update["output"]["text"]) == {"totalPoints": 0, "maxPoints": 100}
    assert "SET_FAILED Some tests errored." in out and "exit code 3" in out and "종료 코드 3" in out
