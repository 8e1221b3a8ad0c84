"""The assignments the grader knows: plug-ins found through the ``nlp_grader.assignments`` entry point group
(the built-in ones register there too, in pyproject.toml), and the assignments of an installed student bundle
(stored visible cases in grader/cases/NAME). The engine names none of them.

A plug-in's entry point names a module (light to import: no torch) that has

- ``assignment()``: returns its :class:`grader.spec.Assignment` (imported on first use), and
- ``MESSAGES``: its own messages, ``{"en": {key: text}, "ko": {...}}``: ``title``, ``mistake.<id>``,
  ``diagnosis.<id>`` and its judges' keys.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from types import ModuleType

from grader.spec import Assignment

GROUP = "nlp_grader.assignments"


@dataclass(frozen=True)
class Plugin:
    """An assignment the grader can load."""

    name: str
    load: Callable[[], Assignment]
    messages: Callable[[], Mapping[str, Mapping[str, str]]]
    origin: str
    """Where it comes from: the entry point's value, or a bundle's fixture folder."""


class PluginError(Exception):
    """A plug-in that is installed but cannot be loaded; the message names it and says why."""


def _entry_points() -> list[metadata.EntryPoint]:
    return sorted(metadata.entry_points(group=GROUP), key=lambda ep: ep.name)


def _module(ep: metadata.EntryPoint) -> ModuleType:
    try:
        module = ep.load()
    except Exception as exc:  # noqa: BLE001 - a broken third-party plug-in must not stop the others
        raise PluginError(f"the assignment plug-in {ep.name!r} ({ep.value}) cannot be imported: "
                          f"{type(exc).__name__}: {exc}") from None
    if not callable(getattr(module, "assignment", None)):
        raise PluginError(f"the assignment plug-in {ep.name!r} ({ep.value}) has no assignment() function")
    return module  # type: ignore[no-any-return]


def _from_entry_point(ep: metadata.EntryPoint) -> Plugin:
    def load() -> Assignment:
        spec = _module(ep).assignment()
        if not isinstance(spec, Assignment):
            raise PluginError(f"the assignment plug-in {ep.name!r}: assignment() returned {type(spec).__name__}, "
                              "not an Assignment")
        if spec.name != ep.name:
            raise PluginError(f"the assignment plug-in {ep.name!r} defines an assignment named {spec.name!r}; "
                              "the entry point's name and the assignment's must be the same")
        return spec

    def messages() -> Mapping[str, Mapping[str, str]]:
        return getattr(_module(ep), "MESSAGES", {}) or {}

    return Plugin(ep.name, load, messages, ep.value)


def _from_fixtures() -> dict[str, Plugin]:
    """Assignments of a student bundle: stored visible cases and outputs in grader/cases/NAME."""
    root = Path(__file__).resolve().parent.parent / "cases"
    found: dict[str, Plugin] = {}
    if root.is_dir():
        for folder in sorted(p for p in root.iterdir() if (p / "assignment.json").is_file()):
            def load(folder: Path = folder) -> Assignment:
                from grader import fixtures

                quiz = folder / "quiz.toml"
                return fixtures.load(folder, quiz if quiz.is_file() else None)

            def messages(folder: Path = folder) -> Mapping[str, Mapping[str, str]]:
                try:
                    stored = json.loads((folder / "assignment.json").read_text(encoding="utf-8")).get("messages", {})
                except (OSError, ValueError):
                    return {}
                return stored if isinstance(stored, dict) else {}

            found[folder.name] = Plugin(folder.name, load, messages, str(folder))
    return found


def _discover() -> dict[str, Plugin]:
    found = _from_fixtures()
    for ep in _entry_points():
        found.setdefault(ep.name, _from_entry_point(ep))  # a bundle's stored cases win over a plug-in of its name
    return found


REGISTRY: dict[str, Plugin] = _discover()
_CACHE: dict[str, Assignment] = {}


def refresh() -> None:
    """Look for plug-ins again (after one was installed in this process)."""
    REGISTRY.clear()
    REGISTRY.update(_discover())
    _CACHE.clear()
    _MESSAGES.clear()
    _ALL_MESSAGES.clear()


def names() -> list[str]:
    return sorted(REGISTRY)


def get(name: str) -> Assignment:
    """The assignment called ``name``; KeyError (naming the known ones) if there is none, PluginError if its
    plug-in is broken."""
    if name not in REGISTRY:
        raise KeyError(f"unknown assignment {name!r}; known: {', '.join(names())}")
    if name not in _CACHE:
        _CACHE[name] = REGISTRY[name].load()
    return _CACHE[name]


_MESSAGES: dict[str, Mapping[str, Mapping[str, str]]] = {}


def messages(name: str) -> Mapping[str, Mapping[str, str]]:
    """The messages of the assignment called ``name`` by language (empty when it has none or is broken)."""
    if name not in _MESSAGES:
        plugin = REGISTRY.get(name)
        try:
            found = plugin.messages() if plugin is not None else {}
        except PluginError:
            found = {}
        _MESSAGES[name] = found if isinstance(found, Mapping) else {}
    return _MESSAGES[name]


_ALL_MESSAGES: dict[str, dict[str, str]] = {}


def all_messages(lang: str) -> dict[str, str]:
    """Every assignment's messages in ``lang``, merged (their keys are distinct; a test checks), without titles;
    read once per language (:func:`refresh` forgets them)."""
    if lang not in _ALL_MESSAGES:
        merged: dict[str, str] = {}
        for name in names():
            catalog = messages(name).get(lang, {})
            merged.update({k: v for k, v in catalog.items() if k != "title" and isinstance(v, str)})
        _ALL_MESSAGES[lang] = merged
    return _ALL_MESSAGES[lang]
