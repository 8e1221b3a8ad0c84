"""Message catalogs in English and Korean, and the choice of language.

The language comes from ``--lang``, else ``GRADER_LANG``, else the locale (``LC_ALL``,
``LC_MESSAGES``, ``LANG``), else English. Identifiers, JSON keys and exit codes never change with it.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from grader.messages import en, ko
from grader.results import Message

CATALOGS: Mapping[str, Mapping[str, str]] = {"en": en.MESSAGES, "ko": ko.MESSAGES}
LANGUAGES = tuple(CATALOGS)


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


def render(message: Message | str, lang: str, /, **params: Any) -> str:
    """The message in ``lang`` (English if the key is missing there), with its parameters filled in."""
    key = message if isinstance(message, str) else message.key
    values = dict(params) if isinstance(message, str) else {**message.params, **params}
    template = CATALOGS.get(lang, CATALOGS["en"]).get(key) or CATALOGS["en"].get(key)
    if template is None:
        return key
    try:
        return template.format(**{k: _plain(v, lang) for k, v in values.items()})
    except (KeyError, ValueError, IndexError):
        return f"{template} {values}"
