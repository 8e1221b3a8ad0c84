"""PrairieLearn: `grade export prairielearn` and `--format prairielearn`, validated against PrairieLearn's formats.

info.json and results.json are validated against schemas written here from PrairieLearn's documentation
(tests/prairielearn/README.md says which pages; no AGPL file of PrairieLearn's is copied). The question's grading command, tests/run.sh, runs here as the container would run
it, with /grade replaced by a folder. No PrairieLearn server or grading container runs here.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner

from grader import cli
from tests.corpus import CORPUS, build, load

HERE = Path(__file__).resolve().parent / "prairielearn"
SOLUTIONS = Path(__file__).resolve().parents[1] / "solutions" / "transformer"
FILES = ["positional.py", "attention.py", "multihead.py", "layers.py"]


def _validator(name: str) -> jsonschema.Draft7Validator:
    schema = json.loads((HERE / name).read_text(encoding="utf-8"))
    jsonschema.Draft7Validator.check_schema(schema)
    return jsonschema.Draft7Validator(schema, format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER)


@pytest.fixture(scope="module")
def question(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("pl") / "transformer"
    done = CliRunner().invoke(cli.main, ["export", "prairielearn", "--assignment", "transformer", "--output", str(out)])
    assert done.exit_code == 0, done.output
    assert "PrairieLearn" in done.output
    return out


def run_question(question: Path, student: Path, tmp: Path, grade_exit: int | None = None) -> dict:
    """tests/run.sh as PrairieLearn's container runs it: the files in JOB/student, the result in JOB/results."""
    job = tmp / "grade"
    shutil.copytree(student, job / "student", ignore=shutil.ignore_patterns("__pycache__", "assignment.toml"))
    wrapper = tmp / "grade-command"
    body = f"exit {grade_exit}" if grade_exit is not None else f'exec "{sys.executable}" -m grader "$@"'
    wrapper.write_text(f"#!/bin/sh\n{body}\n")
    wrapper.chmod(0o755)
    env = {**os.environ, "NLP_GRADER_JOB": str(job), "NLP_GRADER_GRADE": str(wrapper)}
    done = subprocess.run([str(question / "tests" / "run.sh")], env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    return json.loads((job / "results" / "results.json").read_text(encoding="utf-8"))


def test_info_json_validates_against_prairielearns_schema(question):
    info = json.loads((question / "info.json").read_text(encoding="utf-8"))
    _validator("info.schema.json").validate(info)
    assert info["gradingMethod"] == "External" and info["type"] == "v3"
    entry = info["externalGradingOptions"]["entrypoint"]
    assert entry == "/grade/tests/run.sh" and os.access(question / "tests" / "run.sh", os.X_OK)
    html = (question / "question.html").read_text(encoding="utf-8")
    assert f'<pl-file-upload file-names="{", ".join(FILES)}">' in html and "<pl-external-grader-results>" in html
    assert "FROM prairielearn/grader-python" in (question / "grader-image" / "Dockerfile").read_text()
    # the schema is no formality: what PrairieLearn refuses is refused
    broken = {**info, "externalGradingOptions": {"entrypoint": entry}}
    with pytest.raises(jsonschema.ValidationError):
        _validator("info.schema.json").validate(broken)


def test_results_of_a_correct_a_failing_and_an_ungradable_submission(question, tmp_path):
    validator = _validator("results.schema.json")
    correct = run_question(question, SOLUTIONS, tmp_path / "correct")
    validator.validate(correct)
    assert correct["score"] == 1.0 and correct["gradable"] is True
    assert all(t["points"] == t["max_points"] for t in correct["tests"])
    hidden = [t for t in correct["tests"] if "hidden" in t["description"]]
    assert hidden, "the question grades the hidden cases"

    mutant = build(load(CORPUS / "mutants" / "sdpa_no_sqrt.py"), tmp_path / "mutant-src")
    failing = run_question(question, mutant, tmp_path / "failing")
    validator.validate(failing)
    points = sum(t["points"] for t in failing["tests"])
    most = sum(t["max_points"] for t in failing["tests"])
    assert most == pytest.approx(100) and 0 < failing["score"] < 1
    assert points / most == pytest.approx(failing["score"], abs=1e-4)  # the element's sum is the score
    lost = [t for t in failing["tests"] if t["points"] < t["max_points"]]
    assert lost and {t["name"].split(":")[0] for t in lost} == {"scaled_dot_product_attention"}
    assert any("no_sqrt_dk" in t["output"] for t in lost)
    assert "scaled_dot_product_attention" in failing["output"]  # the whole report

    ungradable = run_question(question, SOLUTIONS, tmp_path / "fault", grade_exit=3)
    validator.validate(ungradable)
    assert ungradable["gradable"] is False and "exit code 3" in ungradable["message"]
    with pytest.raises(jsonschema.ValidationError):
        validator.validate({**correct, "score": 1.5})
