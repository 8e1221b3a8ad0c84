"""Every message exists in English and Korean, with the same placeholders."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest

from grader.messages import CATALOGS, render, resolve_lang
from grader.results import Message

GRADER = Path(__file__).resolve().parents[1] / "grader"


def _fields(template: str) -> set[str]:
    return {f for _, f, _, _ in string.Formatter().parse(template) if f}


def test_catalogs_have_the_same_keys_and_placeholders():
    en, ko = CATALOGS["en"], CATALOGS["ko"]
    assert set(en) == set(ko)
    for key in en:
        assert _fields(en[key]) == _fields(ko[key]), key
    assert all(re.search(r"[가-힣]", ko[k]) for k in ko if not k.startswith("ui.title")), "untranslated Korean entry"


def test_every_key_used_in_the_code_is_in_the_catalogs():
    used = set()
    for path in GRADER.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        used |= set(re.findall(r'(?:Message\(|_fail\([^,]+, |render\(|_t\(lang, )"([a-z_]+\.[a-z_.]+)"', text))
    assert used, "the pattern found nothing: the test would be vacuous"
    missing = sorted(k for k in used if k not in CATALOGS["en"])
    assert not missing


def test_every_mistake_has_a_message(assignment):
    for exercise in assignment.exercises:
        for mistake in exercise.mistakes:
            assert f"mistake.{mistake.id}" in CATALOGS["en"], mistake.id


def test_render_fills_parameters_in_both_languages():
    msg = Message("check.shape", {"key": "out", "expected": [2, 3], "got": [3, 2]})
    assert render(msg, "en") == "out: expected shape [2, 3], got [3, 2]"
    assert "[2, 3]" in render(msg, "ko") and "모양" in render(msg, "ko")


@pytest.mark.parametrize("explicit,env,expected", [
    ("ko", {"GRADER_LANG": "en"}, "ko"),
    (None, {"GRADER_LANG": "ko"}, "ko"),
    (None, {"LANG": "ko_KR.UTF-8"}, "ko"),
    (None, {"LANG": "en_US.UTF-8"}, "en"),
    (None, {}, "en"),
])
def test_language_choice(monkeypatch, explicit, env, expected):
    for var in ("GRADER_LANG", "LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(var, raising=False)
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    assert resolve_lang(explicit) == expected
