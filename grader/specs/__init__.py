"""The assignments the grader knows, by name."""

from __future__ import annotations

from collections.abc import Callable

from grader.spec import Assignment


def _transformer() -> Assignment:
    from grader.specs import transformer

    return transformer.ASSIGNMENT


REGISTRY: dict[str, Callable[[], Assignment]] = {"transformer": _transformer}


def names() -> list[str]:
    return sorted(REGISTRY)


def get(name: str) -> Assignment:
    """The assignment called ``name``; KeyError (naming the known ones) if there is none."""
    try:
        return REGISTRY[name]()
    except KeyError:
        raise KeyError(f"unknown assignment {name!r}; known: {', '.join(names())}") from None
