"""Message catalogs in English and Korean, and the choice of language.

The language comes from ``--lang``, else ``GRADER_LANG``, else the locale (``LC_ALL``,
``LC_MESSAGES``, ``LANG``), else English. Identifiers, JSON keys and exit codes never change with it.
"""

from __future__ import annotations

import difflib
import os
import string
from collections.abc import Iterable, Mapping
from typing import Any

from grader.messages import en, ko, particles
from grader.results import Message

CATALOGS: Mapping[str, Mapping[str, str]] = {"en": en.MESSAGES, "ko": ko.MESSAGES}
LANGUAGES = tuple(CATALOGS)
CLICK_TEXTS: Mapping[str, Mapping[str, str]] = {"en": en.CLICK, "ko": ko.CLICK}
"""click's own texts by language and gettext message id (English: click's own)."""
HELP_TEXTS: Mapping[str, Mapping[str, str]] = {"en": en.HELP, "ko": ko.HELP}
"""--help texts by language, command path and option name (English: those in grader/cli.py)."""
OUTPUT_NAMES: Mapping[str, Mapping[str, str]] = {"en": {}, "ko": ko.OUTPUT_NAMES}
"""A case's output names (``{key}`` in the checks' messages) as a sentence in that language says them."""


def resolve_lang(explicit: str | None = None) -> str:
    """The language to use: explicit choice, else GRADER_LANG, else the locale, else English."""
    for value in (explicit, os.environ.get("GRADER_LANG")):
        if value:
            code = value.lower()[:2]
            if code in CATALOGS:
                return code
    for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(var)
        if value:
            return "ko" if value.lower().startswith("ko") else "en"
    return "en"


def _plain(value: Any, lang: str) -> Any:
    if isinstance(value, list):
        if value and all(isinstance(v, list) and len(v) == 3 and isinstance(v[0], str) for v in value):
            # misshaped parameters: [name, expected shape, actual shape]
            return "; ".join(f"{n} {exp} → {got}" for n, exp, got in value)
        if all(isinstance(v, str) for v in value):
            return ", ".join(value) if value else "—"
    return value


class _Formatter(string.Formatter):
    """str.format, and a number's word in the singular or the plural: ``{points:pt|pts}`` is ``pt`` for 1, else
    ``pts`` (English only needs it; a Korean counter does not change: ``{points:g}점``)."""

    def format_field(self, value: Any, format_spec: str) -> Any:
        if "|" in format_spec and isinstance(value, (int, float)) and not isinstance(value, bool):
            one, other = format_spec.split("|", 1)
            return one if value == 1 else other
        return super().format_field(value, format_spec)


_FORMATTER = _Formatter()


def render(message: Message | str, lang: str, /, **params: Any) -> str:
    """The message in ``lang`` (English if the key is missing there), with its parameters filled in."""
    key = message if isinstance(message, str) else message.key
    values = dict(params) if isinstance(message, str) else {**message.params, **params}
    template = _template(key, lang)
    if template is None:
        return key
    if isinstance(values.get("key"), str):  # [values] 출력: …, not [values] output: …
        values["key"] = OUTPUT_NAMES.get(lang, {}).get(values["key"], values["key"])
    plain = {k: _plain(v, lang) for k, v in values.items()}
    try:
        if lang == "ko":  # {function}을(를) → softmax를, attention을 (grader.messages.particles)
            template = particles.choose_particles(template, plain)
        # str.format where no field asks for a plural: string.Formatter is pure Python, several times slower
        return _FORMATTER.format(template, **plain) if "|" in template else template.format(**plain)
    except (KeyError, ValueError, IndexError):
        return f"{template} {values}"


def plain(key: str, lang: str) -> str | None:
    """``key``'s text in ``lang`` where it needs no values (a table's cell has none to give it); None where the
    catalogs lack ``key`` or its text has a placeholder."""
    template = _template(key, lang)
    if template is None:
        return None
    try:
        if any(field is not None for _, field, _, _ in string.Formatter().parse(template)):
            return None
    except ValueError:  # an unmatched brace: no text a table can show as it is
        return None
    return render(key, lang)


def _template(key: str, lang: str) -> str | None:
    """The engine's text for ``key`` in ``lang``, else an assignment's (its mistakes, diagnoses, judges), else English."""
    for catalog_lang in dict.fromkeys((lang if lang in CATALOGS else "en", "en")):
        found = CATALOGS[catalog_lang].get(key)
        if found is None and "." in key:
            found = _assignment_texts(catalog_lang).get(key)
        if found is not None:
            return found
    return None


def _assignment_texts(lang: str) -> Mapping[str, str]:
    """Every assignment plug-in's own messages in ``lang`` (grader.specs reads them once and keeps them)."""
    from grader import specs  # below this module: plug-ins' spec modules are imported only when a text is needed

    return specs.all_messages(lang)


def title(name: str, default: str, lang: str) -> str:
    """The title of the assignment called ``name`` in ``lang`` (its plug-in's ``title``); ``default`` where it has none."""
    from grader import specs

    found = specs.messages(name).get(lang, {}).get("title")
    return found if isinstance(found, str) and found else default


def closest(name: str, choices: Iterable[str]) -> str | None:
    """The choice closest to ``name`` (a typo's likely intent, case ignored), or None when none is close."""
    by_lower = {c.lower(): c for c in choices}
    match = difflib.get_close_matches(name.lower(), list(by_lower), n=1, cutoff=0.6)
    return by_lower[match[0]] if match else None
