"""The ``grade`` command in the language asked for: click's own texts (usage, errors, help headings) and the
--help texts of every command and option, swapped in while a command runs and put back after.

click asks gettext for each of its texts, through ``_`` and ``ngettext`` bound in its modules when each was
imported; here they answer from grader.messages' catalogs (English: click's own text). Help pages are wrapped by
terminal cells, not characters: a Hangul syllable takes two columns.
"""

from __future__ import annotations

import contextlib
import importlib
from collections.abc import Collection, Iterator, Sequence
from typing import Any

import click
from rich.cells import cell_len

from grader.messages import CLICK_TEXTS, HELP_TEXTS, LANGUAGES, closest, render, resolve_lang

ALIASES = {"kr": "ko", "kor": "ko", "korean": "ko", "한국어": "ko", "한글": "ko", "eng": "en", "english": "en",
           "영어": "en"}
"""What people type for a language: ``--lang kr`` is refused with the suggestion ``ko``, in Korean."""


def suggest_lang(asked: str) -> str | None:
    """The language someone who typed ``asked`` most likely meant (kr, ko_KR, korean → ko), or None."""
    text = asked.strip().casefold().replace("-", "_")
    if text in ALIASES:
        return ALIASES[text]
    head = text.split("_")[0].split(".")[0]
    return head if head in LANGUAGES else ALIASES.get(head) or closest(text, LANGUAGES)


def lang_of(args: Sequence[str]) -> str:
    """The language a command line asks for (``--lang xx`` or ``--lang=xx``; ``kr`` counts as ``ko`` here, so
    that its refusal is in Korean), else the environment's."""
    asked = None
    for i, arg in enumerate(args):
        if arg == "--":
            break
        if arg == "--lang" and i + 1 < len(args):
            asked = args[i + 1]
        elif arg.startswith("--lang="):
            asked = arg.split("=", 1)[1]
    if asked is not None and asked not in LANGUAGES:
        asked = suggest_lang(asked)
    return resolve_lang(asked if asked in LANGUAGES else None)


class LangChoice(click.Choice):  # type: ignore[type-arg]
    """``--lang``: en or ko; anything else is refused with the language meant (``kr``: "did you mean ko?")."""

    def __init__(self) -> None:
        super().__init__(LANGUAGES)

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if value in LANGUAGES:
            return value
        close = suggest_lang(str(value))
        lang = close if close in LANGUAGES else resolve_lang(None)
        known = ", ".join(LANGUAGES)
        if close is None:
            self.fail(render("usage.unknown_lang", lang, name=str(value), known=known), param, ctx)
        self.fail(render("usage.unknown_lang_close", lang, name=str(value), known=known, close=close), param, ctx)


def help_alias(args: list[str], names: Collection[str]) -> list[str]:
    """``grade help`` is ``grade --help`` (``grade help --lang ko`` too, in Korean); ``grade help quiz`` is
    ``grade quiz --help``."""
    if args[:1] != ["help"]:
        return args
    if len(args) > 1 and args[1] in names:
        return [*args[1:], "--help"]
    rest = [a for i, a in enumerate(args) if a != "--lang" and not a.startswith("--lang=")
            and not (i > 0 and args[i - 1] == "--lang")]  # the language is already chosen (lang_of)
    return ["--help", *rest[1:]]


def full_short_help(root: click.Command) -> Iterator[tuple[Any, str, Any]]:
    """Each command's line in its group's --help: the whole first paragraph of its help, wrapped, never cut
    with "..." (click's short_help stops at the terminal's width). Yields what it changed, to put back."""
    for _path, command in commands(root):
        if command.help and not command.short_help:
            first = command.help.strip().split("\n\n")[0]
            yield command, "short_help", command.short_help
            command.short_help = " ".join(first.split())


# the modules whose texts click looks up with gettext (``_`` and ``ngettext``, bound when each was imported),
# and those that measure text to wrap help pages (``term_len``: one column per character)
_CLICK_MODULES = ("click.core", "click.exceptions", "click.types", "click.parser", "click.formatting",
                  "click.decorators", "click.termui", "click._textwrap")


@contextlib.contextmanager
def click_in(lang: str) -> Iterator[None]:
    """click's own texts (usage, errors, help headings) in ``lang`` while the command runs: click asks gettext for
    every one of them, and here gettext answers from the catalog (English: click's own text). Help pages are
    wrapped by terminal cells, not characters: a Hangul syllable takes two."""
    texts = CLICK_TEXTS.get(lang) or {}
    if not texts:
        yield
        return

    def gettext(message: str) -> str:
        return texts.get(message, message)

    def ngettext(singular: str, plural: str, n: int) -> str:
        chosen = singular if n == 1 else plural
        return texts.get(chosen) or texts.get(singular) or chosen

    def term_len(text: str) -> int:
        return cell_len(click.unstyle(text))

    saved: list[tuple[Any, str, Any]] = []
    for name in _CLICK_MODULES:
        module = importlib.import_module(name)  # click._textwrap is otherwise imported only once it wraps text
        for attr, replacement in (("_", gettext), ("ngettext", ngettext), ("term_len", term_len)):
            if hasattr(module, attr):
                saved.append((module, attr, getattr(module, attr)))
                setattr(module, attr, replacement)
    try:
        yield
    finally:
        for module, attr, original in reversed(saved):
            setattr(module, attr, original)


def commands(command: click.Command, path: str = "") -> Iterator[tuple[str, click.Command]]:
    """Every command under ``command`` (itself first) with its path: "", "check", "export gradescope", ..."""
    yield path, command
    if isinstance(command, click.Group):
        for name, sub in command.commands.items():
            yield from commands(sub, f"{path} {name}".strip())


@contextlib.contextmanager
def help_in(root: click.Command, lang: str) -> Iterator[None]:
    """The --help texts in ``lang`` while the command runs: by command path ("check", "export gradescope" as
    "export.gradescope") and option name ("check.exercises", or the name alone for every command: "lang")."""
    texts = HELP_TEXTS.get(lang) or {}
    saved: list[tuple[Any, str, Any]] = []

    def swap(obj: Any, attr: str, value: Any) -> None:
        saved.append((obj, attr, getattr(obj, attr)))
        setattr(obj, attr, value)

    for path, command in commands(root):
        key = path.replace(" ", ".")
        if key in texts:
            swap(command, "help", texts[key])
            swap(command, "short_help", None)
        if hasattr(command, "_help_option"):  # click caches its --help option: made again in lang, then dropped
            swap(command, "_help_option", None)
        for param in command.params:
            text = texts.get(f"{key}.{param.name}" if key else str(param.name)) or texts.get(str(param.name))
            if text is not None and isinstance(param, click.Option):
                swap(param, "help", text)
    saved.extend(full_short_help(root))  # after the swaps: from the help in lang
    try:
        yield
    finally:
        for obj, attr, original in reversed(saved):
            setattr(obj, attr, original)
