"""Reading the student's source without running it: forbidden shortcuts to the answer.

A name is forbidden for an exercise when it would do the exercise's work (``F.scaled_dot_product_attention``
inside the student's attention, ``nn.MultiheadAttention`` inside their multi-head attention, ...).
Uses are found through import aliases, inside the exercise's own definition or in a module-level
helper that the definition calls. Code outside any definition (a ``__main__`` block comparing with
PyTorch, say) is not counted.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class ForbiddenUse:
    exercise: str
    name: str
    """The dotted name that was used, fully resolved (``torch.nn.MultiheadAttention``)."""
    line: int


def _aliases(tree: ast.Module) -> dict[str, str]:
    aliases: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                if a.asname:
                    aliases[a.asname] = a.name
                else:
                    aliases[a.name.split(".")[0]] = a.name.split(".")[0]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for a in node.names:
                aliases[a.asname or a.name] = f"{node.module}.{a.name}"
    return aliases


def _dotted(node: ast.AST, aliases: dict[str, str]) -> str | None:
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name) or node.id not in aliases:
        return None
    return ".".join([aliases[node.id], *reversed(parts)])


def _summary(node: ast.AST, aliases: dict[str, str]) -> tuple[set[str], list[tuple[str, int]]]:
    """One walk over a definition: the bare names it mentions (helpers it may call) and every dotted
    name it uses that resolves through an import alias, with its line."""
    names: set[str] = set()
    uses: list[tuple[str, int]] = []
    for n in ast.walk(node):
        if isinstance(n, ast.Name):
            names.add(n.id)
        if isinstance(n, (ast.Attribute, ast.Name)):
            dotted = _dotted(n, aliases)
            if dotted:
                uses.append((dotted, n.lineno))
    return names, uses


def forbidden_uses(source: str, exercises: dict[str, tuple[str, ...]]) -> list[ForbiddenUse]:
    """Forbidden names used by each exercise (``{exercise id: forbidden names}``) defined in ``source``."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []  # reported by the sandbox, with the file and line
    aliases = _aliases(tree)
    top = {n.name: n for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))}
    summaries: dict[str, tuple[set[str], list[tuple[str, int]]]] = {}

    def summary(name: str) -> tuple[set[str], list[tuple[str, int]]]:
        if name not in summaries:
            summaries[name] = _summary(top[name], aliases)
        return summaries[name]

    hits: list[ForbiddenUse] = []
    for exercise, forbidden in exercises.items():
        if exercise not in top or not forbidden:
            continue
        called, _ = summary(exercise)
        bodies = [exercise, *(name for name in sorted(called) if name in top and name != exercise)]
        seen = set()
        for body in bodies:
            for name, line in summary(body)[1]:
                if any(name == f or name.startswith(f + ".") for f in forbidden) and (name, line) not in seen:
                    seen.add((name, line))
                    hits.append(ForbiddenUse(exercise, name, line))
    return hits


def scan(root: Path, files: dict[str, dict[str, tuple[str, ...]]]) -> list[ForbiddenUse]:
    """Scan ``{file: {exercise: forbidden}}`` under ``root``; unreadable files are skipped."""
    hits = []
    for file, exercises in files.items():
        try:
            source = (root / file).read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        hits += forbidden_uses(source, exercises)
    return hits
