"""Gradescope results.json and JUnit XML, checked against their consumers' expectations."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from conftest import STUBS

from grader import api, cli
from grader.report import gradescope, junit

NO_SQRT = ("attention.py", "scores = q @ k.transpose(-2, -1) / math.sqrt(d_k)", "scores = q @ k.transpose(-2, -1)")
EXERCISES = ["scaled_dot_product_attention", "causal_mask", "PositionwiseFeedForward"]


@pytest.fixture(scope="module")
def broken_result(tmp_path_factory, reference):
    import shutil

    from conftest import SOLUTIONS

    sub = tmp_path_factory.mktemp("broken") / "sub"
    shutil.copytree(SOLUTIONS, sub)
    path = sub / NO_SQRT[0]
    path.write_text(path.read_text().replace(NO_SQRT[1], NO_SQRT[2]))
    return sub, api.check(sub, exercises=EXERCISES, hidden=True, reference=reference)


def validate_gradescope(data: dict) -> None:
    """The fields and types of Gradescope's autograder results specification."""
    allowed_top = {"score", "execution_time", "output", "output_format", "test_output_format", "test_name_format",
                   "visibility", "stdout_visibility", "extra_data", "tests", "leaderboard"}
    assert set(data) <= allowed_top, set(data) - allowed_top
    assert isinstance(data["score"], (int, float)) and isinstance(data["execution_time"], (int, float))
    assert isinstance(data["output"], str)
    assert data.get("output_format", "text") in ("text", "html", "simple_format", "md", "ansi")
    visibilities = {"hidden", "after_due_date", "after_published", "visible"}
    numbers = set()
    for t in data["tests"]:
        assert set(t) <= {"score", "max_score", "status", "name", "name_format", "number", "output", "output_format",
                          "tags", "visibility", "extra_data"}, t
        assert isinstance(t["name"], str) and t["name"]
        assert isinstance(t["score"], (int, float)) and isinstance(t["max_score"], (int, float))
        assert 0 <= t["score"] <= t["max_score"] + 1e-9
        assert t["status"] in ("passed", "failed")
        assert t["visibility"] in visibilities
        assert isinstance(t["output"], str) and isinstance(t["tags"], list)
        assert t["number"] not in numbers
        numbers.add(t["number"])
    assert abs(sum(t["score"] for t in data["tests"]) - data["score"]) < 1e-3 * max(1, len(data["tests"]))


def test_gradescope_results_follow_the_specification(broken_result):
    _, result = broken_result
    data = gradescope.to_dict(result, "en", execution_time=1.5)
    validate_gradescope(data)
    by_name = {t["name"]: t for t in data["tests"]}
    hidden = [t for t in data["tests"] if t["visibility"] != "visible"]
    assert hidden and all(t["visibility"] == "after_published" for t in hidden)
    failing = by_name["scaled_dot_product_attention: self_3d"]
    assert failing["status"] == "failed" and failing["score"] == 0
    assert "no_sqrt_dk" in failing["output"] and "largest difference" in failing["output"]
    assert by_name["causal_mask: size_4"]["status"] == "passed"
    assert data["score"] == result.score


def test_gradescope_hidden_visibility_is_configurable(broken_result):
    _, result = broken_result
    data = gradescope.to_dict(result, "ko", execution_time=0.1, hidden_visibility="hidden")
    assert {t["visibility"] for t in data["tests"]} == {"visible", "hidden"}
    with pytest.raises(ValueError, match="hidden_visibility"):
        gradescope.to_dict(result, "en", execution_time=0.1, hidden_visibility="later")


def test_junit_parses_with_a_junit_reader(broken_result, tmp_path):
    from junitparser import Failure, JUnitXml

    _, result = broken_result
    path = tmp_path / "results.xml"
    path.write_text(junit.dumps(result, "en"))
    xml = JUnitXml.fromfile(str(path))
    suites = {s.name: s for s in xml}
    assert set(suites) == set(EXERCISES)
    sdpa = suites["scaled_dot_product_attention"]
    assert sdpa.tests == len(result.exercises[0].cases)
    failures = [c for c in sdpa if c.result and isinstance(c.result[0], Failure)]
    assert len(failures) == sdpa.failures > 0
    assert "largest difference" in failures[0].result[0].text and "no_sqrt_dk" in failures[0].result[0].text
    assert suites["causal_mask"].failures == 0 and suites["causal_mask"].errors == 0


def test_junit_marks_stubs_skipped(reference):
    from junitparser import JUnitXml, Skipped

    result = api.check(STUBS, exercises=["causal_mask"], reference=reference)
    xml = JUnitXml.fromstring(junit.dumps(result, "en"))
    cases = [c for suite in xml for c in suite]
    assert cases and all(isinstance(c.result[0], Skipped) for c in cases)


def test_cli_formats_and_min_score(broken_result):
    sub, _ = broken_result
    runner = CliRunner()
    args = ["check", str(sub), "--exercise", "causal_mask", "--exercise", "scaled_dot_product_attention"]
    out = runner.invoke(cli.main, [*args, "--format", "gradescope", "--hidden-visibility", "after_due_date"])
    data = json.loads(out.output)
    validate_gradescope(data)
    assert {t["visibility"] for t in data["tests"]} == {"visible"}  # no --hidden: visible cases only
    junit_out = runner.invoke(cli.main, [*args, "--format", "junit"])
    assert junit_out.exit_code == 1 and junit_out.output.startswith("<?xml")
    assert runner.invoke(cli.main, [*args, "--format", "junit", "--min-score", "5"]).exit_code == 0


def test_json_diffs_are_strict_json_when_values_are_not_finite():
    """A NaN or an infinity in a diff must not become a bare NaN/Infinity token, which JSON readers
    outside Python (jq, JavaScript, Gradescope's Ruby) refuse."""
    import torch

    from grader.compare import diff
    from grader.report import json as json_report
    from grader.spec import Tolerance

    d = diff(torch.tensor([1.0, 2.0, 3.0], dtype=torch.float64),
             torch.tensor([float("inf"), float("nan"), 3.0], dtype=torch.float64), Tolerance(atol=1e-6, rtol=1e-5))
    assert d is not None and d.mismatched == 2

    def refuse(token: str) -> None:
        raise AssertionError(f"non-standard JSON token {token}")

    data = json.loads(json.dumps(json_report._diff(d), allow_nan=False), parse_constant=refuse)
    assert data["max_abs"] == "inf" and data["expected"] in ("inf", "nan")
    assert data["grid"]["expected"] == [["inf", "nan", 3.0]] and data["grid"]["got"] == [[1.0, 2.0, 3.0]]
