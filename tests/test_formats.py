"""Gradescope results.json and JUnit XML, checked against their consumers' expectations."""

from __future__ import annotations

import dataclasses
import json

import pytest
import torch
from click.testing import CliRunner
from conftest import STUBS

from grader import api, cli, score, specs
from grader.report import gradescope, junit
from grader.results import CaseResult, CheckResult, ExerciseResult, GradeResult, Message, Status
from grader.spec import Leaderboard, SpecError

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
    # "leaderboard": [{"name": ..., "value": ..., "order": "asc" | "desc"}] (order optional, "desc" by default)
    for entry in data.get("leaderboard", []):
        assert set(entry) <= {"name", "value", "order"} and {"name", "value"} <= set(entry), entry
        assert isinstance(entry["name"], str) and entry["name"]
        assert isinstance(entry["value"], (int, float, str)) and not isinstance(entry["value"], bool)
        assert entry.get("order", "desc") in ("asc", "desc")
    if "leaderboard" in data:
        assert isinstance(data["leaderboard"], list) and data["leaderboard"]
        assert len({e["name"] for e in data["leaderboard"]}) == len(data["leaderboard"])


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
    assert "leaderboard" not in data  # the transformer assignment declares none


def _training_result(checks: tuple[CheckResult, ...], status: Status) -> GradeResult:
    """A graded training submission whose training case ended with ``checks`` (what grader.checks makes of the
    judge's verdict), the leaderboard read from it as grader.api does."""
    case = CaseResult("copy_task", False, status, (CheckResult("signature", True), CheckResult("runs", True), *checks))
    exercise = ExerciseResult("train_copy_task", "train.py", 20.0 if status is Status.PASSED else 0.0, 20.0, status,
                              (case,))
    spec = specs.get("training")
    return GradeResult("training", exercise.score, 20.0, (exercise,), False, "cpu", "process", "0",
                       leaderboard=score.standings(spec, (exercise,)))


def test_gradescope_leaderboard_holds_what_the_training_judge_measured():
    """The training case's judge measures held-out exact copies and optimiser steps; Gradescope ranks by them in
    the documented format: from a passed case, from a failed one (its message's parameters), never from a case the
    judge did not measure (an error, or a leak of the held-out sequences)."""
    from grader.builtin.training import judges

    for accuracy, steps, status in ((0.9, 300, Status.PASSED), (0.2, 120, Status.FAILED)):
        held_out = torch.randint(2, 11, (100, 8))
        out = held_out.clone()
        out[int(accuracy * 100):, -1] = 0  # the rest miss their last token
        fresh = torch.randint(2, 11, (3, 100, 8))
        key, params = judges.copy_task({"held_out": held_out}, {
            "out": torch.stack([out] * 3), "fresh_src": fresh, "fresh_out": fresh, "steps": torch.full((3,), steps),
            "untouched": torch.zeros(3, dtype=torch.bool)}, {}) or (None, {})
        assert (key is None) == (status is Status.PASSED)
        check = CheckResult("copy_task", key is None, Message(key or "check.measured", params))
        data = gradescope.to_dict(_training_result((check,), status), "en", execution_time=1.0)
        validate_gradescope(data)
        assert data["leaderboard"] == [
            {"name": "Held-out exact copies (%)", "value": round(100 * accuracy, 1), "order": "desc"},
            {"name": "Optimizer steps", "value": steps, "order": "asc"}]
        json.loads(gradescope.dumps(_training_result((check,), status), "ko", execution_time=1.0))  # plain JSON
    raised = CheckResult("runs", False, Message("check.exception", {"type": "RuntimeError"}))
    leaked = CheckResult("copy_task", False, Message("training.check.copy_saw_held_out", {"held_out": 100, "fresh": 0}))
    for checks in ((), (raised,), (leaked,)):
        data = gradescope.to_dict(_training_result(checks, Status.FAILED), "en", execution_time=1.0)
        validate_gradescope(data)
        assert "leaderboard" not in data


def test_a_leaderboard_names_an_exercise_of_its_assignment_and_an_order():
    spec = specs.get("training")
    for entry in (Leaderboard("x", "no_such_exercise", "copy_task", "mean_steps"),
                  Leaderboard("x", "train_copy_task", "copy_task", "mean_steps", order="up")):
        with pytest.raises(SpecError, match="leaderboard"):
            dataclasses.replace(spec, leaderboard=(entry,))


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
