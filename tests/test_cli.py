"""The grade command as people use it: exit codes, formats, languages, usage errors."""

from __future__ import annotations

import json
import shutil

import pytest
from click.testing import CliRunner
from conftest import SOLUTIONS, STUBS

from grader import api, cli


@pytest.fixture
def run(monkeypatch):
    for var in ("GRADER_LANG", "LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(var, raising=False)

    def invoke(*args: str, **kw):
        return CliRunner().invoke(cli.main, list(args), catch_exceptions=False, **kw)

    return invoke


def test_json_on_solutions_with_hidden_is_full_marks(run):
    result = run("check", str(SOLUTIONS), "--assignment", "transformer", "--hidden", "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["score"] == data["max_score"] == 100
    assert data["schema"] == "nlp-grader/result/v1"
    assert data["isolation"] in ("namespaces", "process") and data["isolation_details"]["level"] == data["isolation"]
    ids = [e["id"] for e in data["exercises"]]
    assert ids == ["sinusoidal_positional_encoding", "masked_softmax", "scaled_dot_product_attention", "causal_mask",
                   "padding_mask", "split_heads", "combine_heads", "MultiHeadAttention", "PositionwiseFeedForward",
                   "EncoderLayer", "DecoderLayer"]
    for e in data["exercises"]:
        assert {"id", "score", "max_score", "status", "cases", "mistakes"} <= set(e)
        assert any(c["hidden"] for c in e["cases"])


def test_json_on_stubs_is_zero_and_not_attempted(run):
    result = run("check", str(STUBS), "--format", "json")
    assert result.exit_code == 1
    data = json.loads(result.output)
    assert data["score"] == 0 and data["max_score"] == 100
    assert {e["status"] for e in data["exercises"]} == {"not_attempted"}


def test_no_arguments_checks_the_current_folder(run, tmp_path, monkeypatch):
    shutil.copytree(STUBS, tmp_path / "transformer")
    monkeypatch.chdir(tmp_path / "transformer")
    result = run()
    assert result.exit_code == 1
    assert "transformer: 0 / 100" in result.output
    assert "not attempted" in result.output
    korean = run("--lang", "ko")  # options alone also mean `grade check`
    assert korean.exit_code == 1 and "시도 안 함" in korean.output


def test_broken_submission_text_report_in_both_languages(run, submission):
    sub = submission(("attention.py", "scores = q @ k.transpose(-2, -1) / math.sqrt(d_k)", "scores = q @ k.transpose(-2, -1)"))
    en = run("check", str(sub), "--exercise", "scaled_dot_product_attention", "--lang", "en")
    ko = run("check", str(sub), "--exercise", "scaled_dot_product_attention", "--lang", "ko")
    assert en.exit_code == ko.exit_code == 1
    assert "the scores are not scaled" in en.output and "(no_sqrt_dk)" in en.output
    assert "largest difference" in en.output
    assert "점수를 스케일하지 않았습니다" in ko.output and "가장 큰 차이" in ko.output


def test_min_score_sets_the_exit_code(run, submission):
    sub = submission(("attention.py", "scores = q @ k.transpose(-2, -1) / math.sqrt(d_k)", "scores = q @ k.transpose(-2, -1)"))
    args = ["check", str(sub), "--exercise", "scaled_dot_product_attention", "--exercise", "causal_mask", "--format", "json"]
    assert run(*args, "--min-score", "5").exit_code == 0
    assert run(*args, "--min-score", "15").exit_code == 1


@pytest.mark.parametrize("args,needle", [
    (["check", "/no/such/folder"], "does not exist"),
    (["check", ".", "--assignment", "nope"], "no assignment called 'nope'"),
    (["check", str(SOLUTIONS), "--exercise", "attention"], "no exercise called attention"),
])
def test_usage_errors_exit_2_with_a_message(run, args, needle):
    result = run(*args)
    assert result.exit_code == 2
    assert needle in result.output


def test_usage_error_in_korean(run):
    result = run("check", "/no/such/folder", "--lang", "ko")
    assert result.exit_code == 2 and "없습니다" in result.output


def test_folder_that_is_no_assignment(run, tmp_path):
    result = run("check", str(tmp_path))
    assert result.exit_code == 2 and "--assignment" in result.output


def test_grader_fault_exits_3_with_an_apology(run, monkeypatch):
    def boom(*a, **k):
        raise RuntimeError("internal")

    monkeypatch.setattr(api, "check", boom)
    result = CliRunner().invoke(cli.main, ["check", str(STUBS), "--lang", "en"])
    assert result.exit_code == 3
    assert "the grader itself failed" in result.output


def test_student_text_is_never_read_as_markup(run, submission):
    sub = submission(("attention.py", "    return (tokens != pad_id)[:, None, None, :]",
                      '    print("[bold red]x[/y] [/]")\n    raise ValueError("[/x] [link=evil]oops")'))
    result = run("check", str(sub), "--exercise", "padding_mask")
    assert result.exit_code == 1
    assert "[/x] [link=evil]oops" in result.output
    assert "[bold red]x[/y] [/]" in result.output


def test_list_shows_exercises_and_points(run):
    result = run("list", "--lang", "ko")
    assert result.exit_code == 0
    assert "MultiHeadAttention" in result.output and "100점" in result.output
