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


def _catalog_pairs():
    """The engine's catalogs, then every assignment plug-in's own."""
    from grader import specs

    yield "engine", CATALOGS["en"], CATALOGS["ko"]
    for name in specs.names():
        own = specs.messages(name)
        yield name, own.get("en", {}), own.get("ko", {})


def _all(lang: str) -> dict[str, str]:
    from grader import specs

    return {**CATALOGS[lang], **specs.all_messages(lang)}


def test_catalogs_have_the_same_keys_and_placeholders():
    for where, en, ko in _catalog_pairs():
        assert en and set(en) == set(ko), where
        for key in en:
            assert _fields(en[key]) == _fields(ko[key]), (where, key)
        assert all(re.search(r"[가-힣]", ko[k]) for k in ko if not k.startswith("ui.title")), f"untranslated Korean in {where}"


def test_assignment_messages_never_collide():
    """Assignments' keys are merged into one lookup: no plug-in may reuse the engine's keys or another plug-in's."""
    seen: dict[str, str] = {}
    for where, en, _ in _catalog_pairs():
        for key in en:
            if key == "title" and where != "engine":
                continue
            assert key not in seen, f"{key} is defined by {seen.get(key)} and by {where}"
            seen[key] = where


def test_every_key_used_in_the_code_is_in_the_catalogs():
    used = set()
    for path in GRADER.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        used |= set(re.findall(r'(?:Message\(|_fail\([^,]+, |render\(|_t\(lang, )"([a-z_]+\.[a-z_.]+)"', text))
    assert used, "the pattern found nothing: the test would be vacuous"
    missing = sorted(k for k in used if k not in _all("en"))
    assert not missing


def test_every_mistake_has_a_message():
    from grader import specs

    for name in specs.names():
        own = specs.messages(name)
        for exercise in specs.get(name).exercises:
            for mistake in exercise.mistakes:
                assert f"mistake.{mistake.id}" in own["en"] and f"mistake.{mistake.id}" in own["ko"], (name, mistake.id)


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


def test_korean_reads_as_written():
    """The wording a Korean speaker corrected stays corrected (grade's Korean is written, not translated)."""
    ko = _all("ko")
    text = "\n".join(ko.values())
    for translated in ("스케일하지", "서브층", "기대고 있습니다", "그것부터", "가장 많이 다른", "1/√d_k 인자"):
        assert translated not in text, translated
    assert ko["mistake.no_sqrt_dk"] == "점수를 √d_k로 나누지 않았습니다. 1/√d_k 배율을 확인하세요"
    assert "하위 층(sublayer)" in ko["mistake.missing_residual"]
    assert "을(를) 사용하는데 그 문제가 아직 통과하지 못했습니다. 이 실패는 그 때문일 수 있으니 먼저 고치세요" in ko["note.depends"]
    assert ko["ui.diff.grid"].startswith("차이가 가장 큰 원소")


def test_every_assignment_has_a_korean_title():
    from grader import specs
    from grader.messages import title

    for name in specs.names():
        spec = specs.get(name)
        assert re.search(r"[가-힣]", title(name, "", "ko")), f"no Korean title for {name}"
        assert title(name, spec.title, "en") == specs.messages(name)["en"]["title"]


def _click_message_ids() -> set[str]:
    """Every text click asks gettext for (the first arguments of its _() and ngettext() calls)."""
    import ast

    import click

    ids: set[str] = set()
    for path in Path(click.__file__).parent.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("_", "ngettext"):
                ids |= {a.value for a in node.args if isinstance(a, ast.Constant) and isinstance(a.value, str)}
    return ids


def test_click_texts_are_click_s_own_with_the_same_placeholders():
    from grader.messages import CLICK_TEXTS

    ids = _click_message_ids()
    assert "Usage:" in ids and "Error: {message}" in ids  # the scan finds click's texts
    ko = CLICK_TEXTS["ko"]
    stale = sorted(k for k in ko if k not in ids and k != "required")  # "required" is passed through _() as a value
    assert not stale, f"click no longer says these (update grader/messages/ko.py CLICK): {stale}"
    for msgid, text in ko.items():
        assert _fields(text) <= _fields(msgid), msgid
        assert re.search(r"[가-힣]", text), msgid
    for needed in ("Usage:", "Error: {message}", "Try '{command} {option}' for help.", "No such option {name!r}.",
                   "No such command {name!r}.", "Missing argument", "Invalid value for {param_hint}: {message}",
                   "{value!r} is not one of {choices}.", "Did you mean {possibility}?", "Options", "Commands"):
        assert needed in ko, needed


def test_help_texts_name_real_commands_and_options():
    from grader import cli, clicklang
    from grader.messages import HELP_TEXTS

    known = {""}
    for path, command in clicklang.commands(cli.main):
        key = path.replace(" ", ".")
        known.add(key)
        for param in command.params:
            known.add(f"{key}.{param.name}" if key else str(param.name))
            known.add(str(param.name))
    unknown = sorted(k for k in HELP_TEXTS["ko"] if k not in known)
    assert not unknown, unknown
    assert {"check", "check.exercises", "lang", "list", "batch"} <= set(HELP_TEXTS["ko"])


def _diagnosis_ids(catalog: dict[str, str]) -> set[str]:
    """The kinds of diagnosis a catalog speaks of: ``diagnosis.<id>`` and ``diagnosis.<id>.<variant>`` alike."""
    return {k.split(".")[1] for k in catalog if k.startswith("diagnosis.")}


def test_every_diagnosis_has_a_short_name_without_placeholders():
    """A table of the class's diagnoses has a row per kind and no observed values to fill in (issue 24): each kind
    has a short name, ``diagnosis.<id>.name``, in English and Korean, that needs none."""
    from grader.messages import plain

    named: dict[str, dict[str, str]] = {"en": {}, "ko": {}}
    for where, en, ko in _catalog_pairs():
        for ident in sorted(_diagnosis_ids(en) | _diagnosis_ids(ko)):
            for lang, catalog in (("en", en), ("ko", ko)):
                name = catalog.get(f"diagnosis.{ident}.name")
                assert name, f"{where}: diagnosis.{ident}.name is missing in {lang}"
                assert not _fields(name) and "{" not in name and "}" not in name, (where, ident, lang, name)
                assert len(name) <= 60, f"{where}: diagnosis.{ident}.name is no short name: {name!r}"
                assert plain(f"diagnosis.{ident}.name", lang) == name
                assert named[lang].setdefault(name, f"{where}.{ident}") == f"{where}.{ident}", \
                    f"{ident} and {named[lang][name]} have the same name in {lang}: {name!r}"
            assert re.search(r"[가-힣]", ko[f"diagnosis.{ident}.name"]), (where, ident)
    assert {"head_layout", "decoder_masks", "dropout_dependent", "mlm_split", "s2s_query_previous_state"} \
        <= {w.rsplit(".", 1)[1] for w in named["en"].values()}


def test_every_placeholder_is_a_name():
    """A brace a text means literally is doubled (``h_{{t-1}}``): a lone one is a placeholder no one fills, and the
    whole text came out with its values dumped after it."""
    for where, en, ko in _catalog_pairs():
        for key, text in (*en.items(), *ko.items()):
            assert all(re.fullmatch(r"[A-Za-z_]\w*", f) for f in _fields(text)), (where, key, _fields(text))
    assert render("mistake.s2s_step_previous_state", "en").count("h_{t-1}") == 1
    assert "{}" not in render("diagnosis.s2s_query_previous_state", "ko")


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_a_table_names_a_diagnosis_by_its_short_name(lang):
    """words() gives a kind's short name; a judge's diagnosis, whose id carries its variant, gets its kind's."""
    from grader.report.dashboard import words

    for ident in ("head_layout", "decoder_masks", "dropout_dependent.rows", "mlm_split.mask_only", "default_device.returned"):
        said = words(f"diagnosis.{ident}", ident, lang)
        assert said == render(f"diagnosis.{ident.split('.')[0]}.name", lang) and "{" not in said, (ident, said)
    assert words("mistake.no_sqrt_dk", "no_sqrt_dk", lang) == render("mistake.no_sqrt_dk", lang)
    assert words("mistake.s2s_step_previous_state", "x", lang) == render("mistake.s2s_step_previous_state", lang)
    assert words("diagnosis.no_such_thing", "no_such_thing", lang) == "no_such_thing"


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_the_terminal_summary_names_a_diagnosis_not_its_id(lang):
    from rich.console import Console

    from grader.report.summary import print_summary

    summary = {"submissions": 3, "mean": 7.5, "max_score": 10, "histogram": {"bins": ["0-10"], "counts": [3]},
               "pass_rates": {"split_heads": 1.0, "combine_heads": 0.5}, "top_mistakes": [],
               "diagnoses": [{"exercise": "combine_heads", "diagnosis": "head_layout", "students": 2}], "similar": []}
    console = Console(record=True, width=160, color_system=None)
    print_summary(console, summary, lang, graded=3, skipped=0, failed=0)
    out = console.export_text()
    name = render("diagnosis.head_layout.name", lang)
    assert name != "diagnosis.head_layout.name" and name in out
    assert "head_layout" not in out
    assert name == ("heads split or joined in the wrong order" if lang == "en" else "헤드를 나누거나 합치는 순서가 틀림")
