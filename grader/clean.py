"""Cleaning text that came from a submission, once, where it arrives.

Everything a student's code can say (exception messages, tracebacks, printed output, names, quiz
answers) is untrusted. :func:`text` makes it safe to keep and to pass to any renderer: valid UTF-8
with no lone surrogates, no C0/C1 control characters except newline and tab (so no ANSI escape
sequences, no carriage returns that redraw a terminal line, nothing XML refuses), and a bounded
length. Renderers then escape for their own syntax (rich markup, Markdown, CSV, XML).
"""

from __future__ import annotations

import re
from typing import Any

MAX_TEXT = 4000
"""Default length cap, in characters."""

_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ufffe\uffff]")
"""C0 and C1 controls except tab (09) and newline (0a); DEL; the two non-characters XML forbids."""
_SURROGATE = re.compile("[\ud800-\udfff]")


def no_surrogates(value: str) -> str:
    """``value`` with each lone surrogate (which no UTF-8 file or stream can hold) replaced by U+FFFD."""
    return _SURROGATE.sub("\ufffd", value)


def text(value: Any, limit: int = MAX_TEXT) -> str:
    """``value`` as a clean string of at most ``limit`` characters (an ellipsis marks a cut)."""
    if isinstance(value, bytes):
        value = value.decode("utf-8", errors="replace")
    elif not isinstance(value, str):
        value = "" if value is None else _safe_str(value)
    value = no_surrogates(value)
    value = _CONTROL.sub("", value.replace("\r\n", "\n"))
    if len(value) > limit:
        value = value[: max(0, limit - 1)] + "…"
    return value


def _safe_str(value: Any) -> str:
    if isinstance(value, (bool, int, float)):
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) > 10**100:
            return "<a very large integer>"
        return str(value)
    if isinstance(value, BaseException):
        try:
            return str(value)
        except Exception:  # noqa: BLE001 - a student's exception whose __str__ raises
            return f"<{type(value).__name__}>"
    return f"<{type(value).__name__}>"


def name(value: Any, limit: int = 200) -> str:
    """A name (submission, student, file, exercise): one clean line."""
    return text(value, limit).replace("\n", " ").replace("\t", " ")


# --- renderers: each escapes for its own syntax, whatever its caller already did ----------------

MAX_TERMINAL = 100_000
"""Cap for one piece of student text in a terminal report (cleaning, not a summary)."""

_XML_ILLEGAL = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
"""Everything XML 1.0 refuses: C0 controls (but tab, newline, carriage return), surrogates, FFFE, FFFF."""


def terminal(value: Any, style: str = "", limit: int = MAX_TERMINAL) -> Any:
    """Student text for a terminal as a ``rich.text.Text``: never read as markup, no escape sequences."""
    from rich.text import Text

    return Text(text(value, limit), style=style)


def prose(value: Any, style: str = "", limit: int = MAX_TERMINAL) -> Any:
    """Text that wraps (a sentence, a quiz choice) as a ``rich.text.Text``, as :func:`terminal` cleans it, that folds
    instead of taking a table column's ellipsis: rich (15) counts characters, not cells, when it trims the space at
    the end of a wrapped line, so a Hangul line left one cell too wide lost its last syllable to "…"; folded, only
    that space goes."""
    found = terminal(value, style, limit)
    found.overflow = "fold"
    return found


def markup(value: Any, limit: int = 200) -> str:
    """A name for a place where rich reads markup (a progress description, a string title): escaped."""
    from rich.markup import escape

    return escape(name(value, limit))


def xml(value: Any) -> str:
    """Only characters XML 1.0 allows (ElementTree escapes <, > and & but writes controls as they are)."""
    value = value if isinstance(value, str) else ("" if value is None else str(value))
    return _XML_ILLEGAL.sub("", value)


CSV_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")
"""What a spreadsheet reads as the start of a formula (OWASP CSV injection; the full-width forms too)."""


def csv_cell(value: Any, limit: int = MAX_TEXT) -> Any:
    """A gradebook cell: numbers stay numbers; text is cleaned and cannot start a formula."""
    if value is None:
        return ""
    if isinstance(value, (bool, int, float)):
        return value
    value = text(value, limit)
    return "'" + value if value.startswith(CSV_TRIGGERS) else value


_MD_ALWAYS = re.compile(r"([\\`*\[\]|~])")
_MD_UNDERSCORE = re.compile(r"(?<![0-9A-Za-z])_|_(?![0-9A-Za-z])")
_MD_LINE_START = re.compile(r"^([#+\-=!]|\d+(?=[.)]))")


def markdown(value: Any, limit: int = MAX_TEXT) -> str:
    """Text for one Markdown line (a heading, a list item, a table cell): no raw HTML, no emphasis,
    links, code or new blocks; newlines become spaces. Plain words stay readable (``some_mistake_id``)."""
    value = " ".join(text(value, limit).split())
    value = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    value = _MD_ALWAYS.sub(r"\\\1", value)
    value = _MD_UNDERSCORE.sub(r"\\_", value)
    match = _MD_LINE_START.match(value)
    if match:
        end = match.end()
        value = (value[:end] + "\\" + value[end:]) if match.group(1)[0].isdigit() else "\\" + value
    return value


def markdown_code(value: Any, limit: int = 200) -> str:
    """An identifier as inline code when it is a plain word, else escaped text."""
    value = name(value, limit)
    return f"`{value}`" if re.fullmatch(r"[\w.\-]+", value) else markdown(value, limit)


def fence(content: Any, info: str = "text", limit: int = MAX_TERMINAL) -> str:
    """A fenced code block that its content cannot close: the fence is longer than any backtick run in it."""
    body = text(content, limit)
    longest = max((len(run) for run in re.findall(r"`+", body)), default=0)
    ticks = "`" * max(3, longest + 1)
    return f"{ticks}{info}\n{body}\n{ticks}"


def json_dumps(data: Any, *, indent: int | None = 2) -> str:
    """Strict JSON (no NaN or Infinity tokens) that is also valid UTF-8: a lone surrogate anywhere in
    ``data`` (a file name decoded with surrogateescape, say) becomes U+FFFD instead of failing the write."""
    import json

    return no_surrogates(json.dumps(data, ensure_ascii=False, indent=indent, allow_nan=False))

