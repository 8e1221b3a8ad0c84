"""grader.clicklang: `grade help`, what --lang was meant to be, and command descriptions that are never cut."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from grader import cli, clicklang
from grader.messages import HELP_TEXTS


@pytest.fixture
def run(monkeypatch):
    for var in ("GRADER_LANG", "LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("COLUMNS", "80")

    def invoke(*args: str):
        return CliRunner().invoke(cli.main, list(args), catch_exceptions=False, prog_name="grade")
    return invoke


def test_grade_help_is_grade_dash_dash_help(run):
    assert run("help").output == run("--help").output and run("help").exit_code == 0
    assert run("help", "quiz").output == run("quiz", "--help").output
    ko = run("help", "--lang", "ko")
    assert ko.exit_code == 0 and "명령:" in ko.output and "사용법: grade [OPTIONS] COMMAND" in ko.output
    assert "사용법: grade quiz" in run("help", "quiz", "--lang", "ko").output


@pytest.mark.parametrize("asked, meant", [("kr", "ko"), ("KR", "ko"), ("korean", "ko"), ("ko_KR", "ko"),
                                          ("ko-KR.UTF-8", "ko"), ("english", "en"), ("eng", "en"), ("xx", None)])
def test_what_a_mistyped_language_was_meant_to_be(asked, meant):
    assert clicklang.suggest_lang(asked) == meant


def test_lang_kr_is_refused_with_ko_suggested_in_korean(run):
    result = run("--lang", "kr")
    assert result.exit_code == 2
    assert "'kr'이라는 언어는 없습니다. 혹시 --lang ko인가요?" in result.output
    result = run("quiz", "--lang=english")
    assert result.exit_code == 2 and "did you mean --lang en?" in result.output
    result = run("list", "--lang", "zz")
    assert result.exit_code == 2 and "use one of en, ko" in result.output


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_command_descriptions_in_help_are_never_cut(run, lang):
    page = run("help", "--lang", lang).output
    commands = page.split("명령:" if lang == "ko" else "Commands:")[1]
    assert "..." not in commands, page
    flat = " ".join(page.split())
    for name, command in cli.main.commands.items():
        text = HELP_TEXTS.get(lang, {}).get(name) or command.help or ""
        first = " ".join(text.strip().split("\n\n")[0].split())
        assert first in flat, (name, first, page)
