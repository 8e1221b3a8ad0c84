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


def text(value: Any, limit: int = MAX_TEXT) -> str:
    """``value`` as a clean string of at most ``limit`` characters (an ellipsis marks a cut)."""
    if isinstance(value, bytes):
        value = value.decode("utf-8", errors="replace")
    elif not isinstance(value, str):
        value = "" if value is None else _safe_str(value)
    value = _SURROGATE.sub("\ufffd", value)
    value = _CONTROL.sub("", value.replace("\r\n", "\n"))
    if len(value) > limit:
        value = value[: max(0, limit - 1)] + "…"
    return value


def _safe_str(value: Any) -> str:
    if isinstance(value, (bool, int, float)):
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) > 10**100:
            return "<a very large integer>"
        return str(value)
    return f"<{type(value).__name__}>"


def name(value: Any, limit: int = 200) -> str:
    """A name (submission, student, file, exercise): one clean line."""
    return text(value, limit).replace("\n", " ").replace("\t", " ")
