"""Korean particles chosen by the final sound of the word before them.

A Korean particle has two forms, one after a final consonant (받침) and one after a vowel: ``층을``, ``마스크를``;
``(으)로`` takes ``로`` after ㄹ too. A catalog writes both after a placeholder (``{function}을(를)``) and
:func:`choose_particles` picks one when the value is known, from how a Korean reader says its last part:
a Hangul syllable exactly; a number as it is read (``3`` 삼, ``10`` 십); a Latin letter by its name where the
letters are spelled out (``q`` 큐, ``kr`` 케이알, ``NLP`` 엔엘피); a Latin word only where its ending is read one way in Korean (``-l``, ``-m``, ``-n``, ``-ng``
end in a consonant: ``attention``, ``LayerNorm``; ``-a``, ``-o``, ``-r``, ``-s``, ``-x``, ``-y``, ... in a vowel:
``softmax``, ``layer``). Where the reading is not certain (``mask`` 마스크 but ``block`` 블록), both forms stay.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

PAIRS: dict[str, tuple[str, str]] = {
    "을(를)": ("을", "를"), "은(는)": ("은", "는"), "이(가)": ("이", "가"), "과(와)": ("과", "와"),
    "와(과)": ("과", "와"), "(이)라는": ("이라는", "라는"), "(으)로": ("으로", "로"), "(이)나": ("이나", "나"),
}
"""The two-form spelling a catalog writes after a placeholder: (after a final consonant, after a vowel)."""

RIEUL = "ㄹ"
"""The final consonant after which ``(으)로`` is ``로``."""

_DIGITS = {"0": None, "1": RIEUL, "2": "", "3": "ㅁ", "4": "", "5": "", "6": "ㄱ", "7": RIEUL, "8": RIEUL, "9": ""}
"""The final sound of a number's last digit as read in Sino-Korean (일, 이, 삼, ...); a last 0 is 십, 백, 천 or
만: all end in a consonant (none in ㄹ)."""
_LETTERS = {"l": RIEUL, "m": "ㅁ", "n": "ㄴ", "r": RIEUL}
"""Latin letters whose Korean name ends in a consonant (엘, 엠, 엔, 알); every other letter's name ends in a vowel
(에이, 비, 씨, ..., 큐, ..., 엑스) except z (지, 제트), which is left open."""
_FINAL_CONSONANT = {"l": RIEUL, "m": "ㅁ", "n": "ㄴ"}
_FINAL_VOWEL = set("aiouyrxsfvwzdgq")
"""Word endings read without a final consonant in Korean: ``softmax`` 소프트맥스, ``layer`` 레이어, ``heads`` 헤즈,
``forward`` 포워드, ``relu`` 렐루, ``config`` 컨피그; ``-ng`` is the exception (``padding`` 패딩)."""
_JONGSEONG = ("", "ㄱ", "ㄲ", "ㄳ", "ㄴ", "ㄵ", "ㄶ", "ㄷ", "ㄹ", "ㄺ", "ㄻ", "ㄼ", "ㄽ", "ㄾ", "ㄿ", "ㅀ", "ㅁ", "ㅂ", "ㅄ",
              "ㅅ", "ㅆ", "ㅇ", "ㅈ", "ㅊ", "ㅋ", "ㅌ", "ㅍ", "ㅎ")


def final_sound(word: str) -> str | None:
    """The final consonant of how ``word`` ends when read in Korean, "" for a vowel, None when not certain."""
    text = word.rstrip("'\"`’” ")
    if not text:
        return None
    last = text[-1]
    if "가" <= last <= "힣":
        return _JONGSEONG[(ord(last) - 0xAC00) % 28]
    if last.isdigit() and last.isascii():
        return _DIGITS[last] if last != "0" else "ㅂ"
    if not (last.isascii() and last.isalpha()):
        return None
    part = re.split(r"[^A-Za-z]", text)[-1]
    spelled = len(part) == 1 or not set(part.lower()) & set("aeiouy") or (part[-2].islower() and part[-1].isupper())
    if spelled:  # w_q, kr, NLP, dQ: read letter by letter, the last one by its name
        return _LETTERS.get(last.lower(), "" if last.lower() != "z" else None)
    ending = part.lower()
    if ending.endswith("ng"):
        return "ㅇ"
    if ending[-1] in _FINAL_CONSONANT:
        return _FINAL_CONSONANT[ending[-1]]
    if ending[-1] in _FINAL_VOWEL:
        return ""
    return None  # -e, -k, -t, -p, -b, -c, -h: read both ways (마스크 / 블록, 비트 / 아웃)


def particle(word: str, pair: str) -> str:
    """The form of ``pair`` (a key of :data:`PAIRS`) that follows ``word``; ``pair`` itself when not certain."""
    sound = final_sound(word)
    if sound is None or pair not in PAIRS:
        return pair
    consonant, vowel = PAIRS[pair]
    if pair == "(으)로":
        return vowel if sound in ("", RIEUL) else consonant
    return consonant if sound else vowel


_AFTER_FIELD = re.compile(r"\{([^{}]*)\}(" + "|".join(re.escape(p) for p in sorted(PAIRS, key=len, reverse=True)) + ")")


def choose_particles(template: str, values: Mapping[str, Any]) -> str:
    """``template`` with each two-form particle right after a placeholder replaced by the form its value (from
    ``values``, formatted as the placeholder asks: ``{name:g}``) takes; both forms stay where it cannot be filled."""
    def one(match: re.Match[str]) -> str:
        text = _filled("{" + match.group(1) + "}", values)
        chosen = match.group(2) if text is None else particle(text, match.group(2))
        return "{" + match.group(1) + "}" + chosen

    return _AFTER_FIELD.sub(one, template)


def _filled(field: str, values: Mapping[str, Any]) -> str | None:
    try:
        return field.format(**values)
    except (KeyError, ValueError, IndexError, AttributeError, TypeError):
        return None
