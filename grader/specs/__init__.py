"""The assignments the grader knows, by name."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from grader.spec import Assignment


def _transformer() -> Assignment:
    from grader.specs import transformer

    return transformer.ASSIGNMENT


def _builtin() -> dict[str, Callable[[], Assignment]]:
    """Assignments whose specification (cases, reference, mistakes) ships with this grader."""
    found: dict[str, Callable[[], Assignment]] = {}
    if (Path(__file__).parent / "transformer.py").is_file():
        found["transformer"] = _transformer
    return found


def _from_fixtures() -> dict[str, Callable[[], Assignment]]:
    """Assignments of a student bundle: stored visible cases and outputs in grader/cases/NAME."""
    root = Path(__file__).resolve().parent.parent / "cases"
    found: dict[str, Callable[[], Assignment]] = {}
    if root.is_dir():
        for folder in sorted(p for p in root.iterdir() if (p / "assignment.json").is_file()):
            def load(folder: Path = folder) -> Assignment:
                from grader import fixtures

                quiz = folder / "quiz.toml"
                return fixtures.load(folder, quiz if quiz.is_file() else None)

            found[folder.name] = load
    return found


REGISTRY: dict[str, Callable[[], Assignment]] = {**_from_fixtures(), **_builtin()}
_CACHE: dict[str, Assignment] = {}


def names() -> list[str]:
    return sorted(REGISTRY)


def get(name: str) -> Assignment:
    """The assignment called ``name``; KeyError (naming the known ones) if there is none."""
    if name not in REGISTRY:
        raise KeyError(f"unknown assignment {name!r}; known: {', '.join(names())}")
    if name not in _CACHE:
        _CACHE[name] = REGISTRY[name]()
    return _CACHE[name]
