"""The grade command as people use it: exit codes, formats, languages, usage errors."""

from __future__ import annotations

import json
import shutil

import pytest
from click.testing import CliRunner
from conftest import SOLUTIONS, STUBS
from rich.cells import cell_len

from grader import api, cli


@pytest.fixture
def run(monkeypatch):
    for var in ("GRADER_LANG", "LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(var, raising=False)

    def invoke(*args: str, **kw):
        return CliRunner().invoke(cli.main, list(args), catch_exceptions=False, prog_name="grade", **kw)

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
    assert korean.exit_code == 1 and "풀지 않음" in korean.output
    assert "어텐션과 트랜스포머 · transformer: 0 / 100" in korean.output  # the title, in Korean


def test_broken_submission_text_report_in_both_languages(run, submission):
    sub = submission(("attention.py", "scores = q @ k.transpose(-2, -1) / math.sqrt(d_k)", "scores = q @ k.transpose(-2, -1)"))
    en = run("check", str(sub), "--exercise", "scaled_dot_product_attention", "--lang", "en")
    ko = run("check", str(sub), "--exercise", "scaled_dot_product_attention", "--lang", "ko")
    assert en.exit_code == ko.exit_code == 1
    assert "the scores are not scaled" in en.output and "(no_sqrt_dk)" in en.output
    assert "largest difference" in en.output
    assert "점수를 √d_k로 나누지 않았습니다" in ko.output and "1/√d_k 배율을 확인하세요" in ko.output
    assert "가장 큰 차이" in ko.output and "차이가 가장 큰 원소" in ko.output


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


def test_folder_that_is_no_assignment_says_where_to_go(run, tmp_path):
    result = run("check", str(tmp_path))
    assert result.exit_code == 2 and "--assignment" not in result.output
    assert "cd pretraining" in result.output or "cd transformer" in result.output  # none below: a known one's folder
    shutil.copytree(STUBS, tmp_path / "course" / "transformer")  # two levels down: locate does not look there
    result = run("check", str(tmp_path))
    assert result.exit_code == 2 and f"cd {tmp_path.as_posix()}/course/transformer" in result.output
    korean = run("check", str(tmp_path), "--lang", "ko")
    assert korean.exit_code == 2 and "과제 폴더로 가서" in korean.output and "/course/transformer" in korean.output


@pytest.mark.parametrize("lang,needle", [("en", "did you mean masked_softmax?"),
                                         ("ko", "혹시 masked_softmax를 찾으셨나요?")])
def test_a_mistyped_exercise_names_the_closest_one(run, lang, needle):
    result = run("check", str(SOLUTIONS), "--exercise", "masked_sofmax", "--lang", lang)
    assert result.exit_code == 2 and needle in result.output
    far = run("check", str(SOLUTIONS), "--exercise", "qwertyuiop", "--lang", lang)
    assert far.exit_code == 2 and "masked_softmax?" not in far.output and "qwertyuiop" in far.output


@pytest.mark.parametrize("args,en,ko", [
    (["chek"], "no command called 'chek'; did you mean check?", "'chek'(이)라는 명령이 없습니다. 혹시 check을(를)"),
    (["lst"], "did you mean list?", "혹시 list을(를) 찾으셨나요?"),
    (["export", "gradscope"], "Did you mean 'gradescope'?", "혹시 'gradescope'을(를) 찾으셨나요?"),
    (["list", "--assignment", "transfomer"], "did you mean transformer?", "혹시 transformer를 찾으셨나요?"),
    (["check", str(SOLUTIONS), "--assignment", "transfomer"], "did you mean transformer?", "혹시 transformer를"),
])
def test_mistyped_commands_and_assignments_name_the_closest_one(run, args, en, ko):
    english, korean = run(*args, "--lang", "en"), run(*args, "--lang", "ko")
    assert english.exit_code == korean.exit_code == 2
    assert en in english.output and ko in korean.output


def test_a_folder_named_like_a_command_is_still_graded(run, tmp_path, monkeypatch):
    shutil.copytree(STUBS, tmp_path / "chek")
    monkeypatch.chdir(tmp_path)
    result = run("chek", "--format", "json")
    assert result.exit_code == 1 and json.loads(result.output)["score"] == 0


@pytest.mark.parametrize("args,korean", [
    (["batch"], "꼭 필요한 인자가 빠졌습니다: 'SUBMISSIONS'"),
    (["check", ".", "--exercse", "masked_softmax"], "'--exercse' 옵션은 없습니다. 혹시 '--exercise'을(를) 찾으셨나요?"),
    (["check", ".", "--format", "jsn"], "'--format'의 값이 올바르지 않습니다: 'jsn'은(는) 쓸 수 없습니다"),
    (["check", ".", "--timeout", "0"], "허용 범위"),
    (["batch", "/no/such/folder", "--assignment", "transformer", "--output", "o"], "'/no/such/folder' 경로가 없습니다"),
])
def test_click_usage_errors_in_korean(run, monkeypatch, args, korean):
    ko = run(*args, "--lang", "ko")
    assert ko.exit_code == 2
    assert korean in ko.output
    assert "사용법: grade" in ko.output and "도움말은 'grade" in ko.output and "오류: " in ko.output
    for english in ("Usage:", "Error:", "Try '", "No such option", "Missing argument", "Invalid value", "is not one of"):
        assert english not in ko.output
    monkeypatch.setenv("GRADER_LANG", "ko")  # the environment asks for Korean too
    assert korean in run(*args).output
    monkeypatch.delenv("GRADER_LANG")
    en = run(*args)  # and English again afterwards: nothing of the Korean stays behind in click
    assert en.exit_code == 2 and "Usage: grade" in en.output and "Error: " in en.output and "사용법" not in en.output


def test_a_korean_locale_is_enough(run, monkeypatch):
    monkeypatch.setenv("LANG", "ko_KR.UTF-8")
    result = run("batch")
    assert result.exit_code == 2 and "사용법: grade batch" in result.output and "꼭 필요한 인자가 빠졌습니다" in result.output
    english = run("batch", "--lang", "en")  # --lang wins over the locale
    assert "Usage: grade batch" in english.output and "Missing argument 'SUBMISSIONS'" in english.output


def test_help_in_korean(run, monkeypatch):
    ko = run("check", "--help", "--lang", "ko")
    assert ko.exit_code == 0
    assert "사용법: grade check" in ko.output and "옵션:" in ko.output
    assert "이 문제만 채점합니다" in ko.output and "이 도움말을 보여 주고 끝냅니다" in ko.output
    assert "Usage:" not in ko.output and "Show this message" not in ko.output and "Only this exercise" not in ko.output
    monkeypatch.setenv("GRADER_LANG", "ko")
    top = run("--help")
    assert "명령:" in top.output and "어텐션과 트랜스포머 과제를 채점합니다" in top.output
    monkeypatch.setenv("COLUMNS", "80")  # wrapped by terminal cells: a Hangul syllable takes two
    for command in ([], ["check"], ["batch"], ["quiz"], ["release"]):
        page = run(*command, "--help").output
        assert max(cell_len(line) for line in page.splitlines()) <= 80, page
    monkeypatch.delenv("GRADER_LANG")
    en = run("check", "--help")
    assert "Usage: grade check" in en.output and "Only this exercise" in en.output and "Show this message" in en.output


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
    assert "어텐션과 트랜스포머" in result.output
    assert "Attention and the Transformer" in run("list", "--lang", "en").output


def test_the_cli_stops_an_endless_loop_by_the_cases_limit(submission):
    """`grade check` without --timeout gives each case its own limit (the exercise's 60 s would apply
    otherwise, five times over)."""
    text = (SOLUTIONS / "attention.py").read_text()
    start = text.index("def masked_softmax")
    body = text.index('"""', text.index('"""', start) + 3) + 3
    sub = submission()
    (sub / "attention.py").write_text(text[:body] + "\n    while True:\n        scores = scores + 0\n" + text[body:])
    result = CliRunner().invoke(cli.main, ["check", str(sub), "--exercise", "masked_softmax", "--exercise",
                                           "scaled_dot_product_attention", "--format", "json"], prog_name="grade")
    data = json.loads(result.output)
    first = data["exercises"][0]["cases"][0]["checks"][-1]
    assert data["exercises"][0]["status"] == "timeout" and "stuck in attention.py line" in first["message"]
    assert data["exercises"][1]["cases"][0]["checks"][-1]["code"] == "check.timeout_dependency"
