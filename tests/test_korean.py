"""Korean as it is written (issue 24): particles attached to the word before them (``softmax를``, never
``softmax 를``: standard spelling, and a terminal never breaks a line between a word and its particle), and one word
per concept, the glossary's (grader/messages/ko.py GLOSSARY), in the catalogs, the plug-ins' Korean halves and the
README's Korean sections."""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from grader.messages import CATALOGS, CLICK_TEXTS, HELP_TEXTS, ko

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]
PARTICLE = re.compile(r"[A-Za-z0-9_)}\]>`'\"’%] ([가-힣]+)(?![가-힣])")
"""A Hangul word standing alone after a space that follows a Latin letter, a digit, a closing bracket or quote."""
PARTICLE_WORD = re.compile(
    r"(?:은|는|이|가|을|를|와|과|로|으로|의|에|에서|에게|도|만|이라|라|부터|까지|처럼|보다|인|입니다|이므로)"
    r"(?:는|은|도|만|서|면|고|로|으로|의|에|이|를){0,2}")
"""A particle (or the copula), with one more stacked on it (에서는, 로만, 이라서, 라는 → 라+는, 까지의); a word that
only starts like one (의미, 이다, 가장, 이후, 도입, 만약, 로그) is not one."""
AFTER_A_PARTICLE = re.compile(r"\((은|는|을|를|이|가|과|와|으로|로)\)$")
"""``{name}은(는) 이 문제``: 이 is "this" there, not a particle."""


def korean_texts() -> Iterator[tuple[str, str]]:
    """(where, text) for every Korean text a student or an instructor reads."""
    from grader import specs

    for name, catalog in (("MESSAGES", CATALOGS["ko"]), ("CLICK", CLICK_TEXTS["ko"]), ("HELP", HELP_TEXTS["ko"])):
        for key, text in catalog.items():
            yield f"ko.{name}[{key}]", text
    for assignment in specs.names():
        for key, text in specs.messages(assignment).get("ko", {}).items():
            if isinstance(text, str):
                yield f"{assignment}[{key}]", text
    for path in sorted((ROOT / "assignments").glob("*/quiz.toml")):
        bank = tomllib.loads(path.read_text(encoding="utf-8"))
        for q in bank.get("questions", []):
            texts = [("prompt", q.get("prompt", {})), ("explanation", q.get("explanation", {}))]
            texts += [(f"choices.{c.get('id')}", c) for c in q.get("choices", [])]
            for field, text in texts:
                if isinstance(text.get("ko"), str):
                    yield f"{path.parent.name}/quiz.toml[{q.get('id')}].{field}", text["ko"]
    for number, line in enumerate((ROOT / "README.md").read_text(encoding="utf-8").splitlines(), 1):
        if re.search(r"[가-힣]", line):
            yield f"README.md:{number}", line
    from grader import release  # the README every student bundle ships

    for number, line in enumerate((release.README + release.NOTEBOOK_STEP["ko"]).splitlines(), 1):
        if re.search(r"[가-힣]", line):
            yield f"bundle README:{number}", line


def separated_particles(text: str) -> list[str]:
    """The places in ``text`` where a particle stands apart from the Latin word, number or placeholder before it."""
    return [text[max(0, m.start() - 12):m.end() + 2] for m in PARTICLE.finditer(text)
            if PARTICLE_WORD.fullmatch(m.group(1)) and not AFTER_A_PARTICLE.search(text[:m.start() + 1])]


@pytest.mark.parametrize("text, found", [
    ("softmax 를 계산합니다", True), ("mask 가 False 인 위치", True), ("{file} 에 저장했습니다", True),
    ("`grade --lang ko` 를 실행하면", True), ("d_model 이 홀수이면", True), ("softmax를 계산합니다", False),
    ("{name}은(는) 이 문제의 답을", False), ("값 1 이상", False), ("{count}개", False),
    ("greedy 는 매번", True), ("T 가 작을수록", True), ("argmax 를 고릅니다", True), ("[MASK] 로 바뀝니다", True),
    ("cross_entropy 는", True), ("ignore_index 를", True), ("-100 이라 손실에서", True), ("0.15 로 고릅니다", True),
    ("[CLS] 와 [SEP] 을 붙입니다", True), ("Hugging Face 의 모델", True), ("`[MASK]` 로", True), ("15% 를", True),
    ("BERT 에서는", True), ("d_k 로만 나눕니다", True), ("'-100' 이라는 값", True), ("x 라서", True), ("(d/T, 0) 의", True),
    ("[MASK]로 바뀝니다", False), ("[SEP]을 붙입니다", False), ("0.15로", False), ("-100이라", False),
    ("BERT 의미", False), ("softmax 이다", False), ("GPT 가장", False), ("step 10 이후", False), ("RNN 도입", False),
    ("x 만약", False), ("exp 로그", False), ("d_model 이상", False), ("MLM 과제", False), ("x 인코더", False),
])
def test_the_particle_check_finds_what_it_should(text, found):
    assert bool(separated_particles(text)) == found


def test_particles_are_attached_to_the_word():
    bad = [(where, spot) for where, text in korean_texts() for spot in separated_particles(text)]
    assert not bad, "\n".join(f"{where}: …{spot}…" for where, spot in bad)


def test_the_glossary_has_one_word_per_concept():
    assert ko.GLOSSARY and all(rejected for rejected in ko.GLOSSARY.values())
    chosen = {word.split(" (")[0] for word in ko.GLOSSARY}
    rejected = {r for variants in ko.GLOSSARY.values() for r in variants}
    assert not chosen & rejected


def test_no_korean_text_uses_a_word_the_glossary_replaces():
    bad = [(where, variant, chosen) for where, text in korean_texts()
           for chosen, variants in ko.GLOSSARY.items() for variant in variants if variant in text]
    assert not bad, "\n".join(f"{where}: {variant!r} → {chosen}" for where, variant, chosen in bad)


def test_the_phrasings_a_native_speaker_gave():
    text = CATALOGS["ko"]
    assert text["check.not_attempted"] == "아직 풀지 않았습니다 (NotImplementedError를 그대로 두었습니다)"
    assert text["ui.next_step"].startswith("{exercise}부터 풀어 보세요")
    assert text["ui.traceback"] == "오류 위치 (제출한 코드만):"
    assert "{deps}을(를) 사용하는데 그 문제가 아직 통과하지 못했습니다" in text["note.depends"]


def test_output_names_are_said_in_korean():
    from grader.messages import render

    line = render("check.values", "ko", key="output", total=160, mismatched=3, share="1.9")
    assert line.startswith("출력: 값 160개 중")
    assert render("check.values", "en", key="output", total=160, mismatched=3, share="1.9").startswith("output:")


@pytest.mark.parametrize("word, pair, chosen", [
    ("층", "을(를)", "을"), ("마스크", "을(를)", "를"), ("레이어", "이(가)", "가"), ("결과", "은(는)", "는"),
    ("attention", "을(를)", "을"), ("MultiHeadAttention", "이(가)", "이"), ("LayerNorm", "을(를)", "을"),
    ("softmax", "을(를)", "를"), ("layer", "은(는)", "는"), ("num_heads", "이(가)", "가"), ("padding", "을(를)", "을"),
    ("attention.py", "을(를)", "를"), ("d_model", "(으)로", "로"), ("tril", "(으)로", "로"), ("층", "(으)로", "으로"),
    ("w_q", "을(를)", "를"), ("w_l", "(으)로", "로"), ("3", "이(가)", "이"), ("12", "을(를)", "를"), ("10", "을(를)", "을"),
    ("7", "(으)로", "로"), ("'softmax'", "(이)라는", "라는"), ("'attention'", "(이)라는", "이라는"),
    # readings that differ from word to word (마스크 / 블록, 비트 / 아웃): both forms stay
    ("mask", "을(를)", "을(를)"), ("dropout", "이(가)", "이(가)"), ("x)", "을(를)", "을(를)"),
])
def test_a_particle_follows_the_final_sound_of_the_word(word, pair, chosen):
    from grader.messages.particles import particle

    assert particle(word, pair) == chosen


def test_a_korean_message_picks_its_particles_from_the_values_it_is_given():
    from grader.messages import render

    assert render("usage.unknown_exercise_close", "ko", names="atention", close="attention", known="-") \
        .startswith("atention이라는 문제가 없습니다. 혹시 attention을 찾으셨나요?")
    assert "혹시 softmax를 찾으셨나요?" in render("usage.unknown_exercise_close", "ko", names="sofmax", close="softmax",
                                               known="-")
    assert "혹시 causal_mask을(를) 찾으셨나요?" in render("usage.unknown_exercise_close", "ko", names="x", close="causal_mask",
                                                    known="-")
    assert "{" not in render("check.missing_name", "ko", file="layers.py", name="EncoderLayer")
    assert render("check.missing_name", "ko", file="layers.py", name="EncoderLayer").endswith("EncoderLayer가 정의되어 있지 않습니다")


@pytest.mark.parametrize("word, chosen", [("kr", "이라는"), ("NLP", "라는"), ("GPT", "라는"), ("LN", "이라는"),
                                          ("sdpa", "라는"), ("dQ", "라는")])
def test_letters_spelled_out_are_read_by_their_names(word, chosen):
    from grader.messages.particles import particle

    assert particle(word, "(이)라는") == chosen


def test_a_korean_report_says_the_output_and_the_isolation_in_korean():
    """Issue 24: "[values] 출력", not "output"; "격리 네임스페이스", not "격리 namespaces"; the pictures' headings too."""
    from conftest import ROOT

    from grader import api, report

    result = api.check(ROOT / "solutions" / "transformer", exercises=["causal_mask"])
    text = report.render("text", result, "ko", report.Options(width=80))
    if result.isolation == "namespaces":
        assert "격리 네임스페이스" in text and "namespaces" not in text
    else:
        assert "격리 일반 프로세스" in text
    from grader.messages import render

    assert render("ui.picture.terminal", "ko", key="weights", rows="r", cols="c", row=0, col=0).startswith("가중치:")
