"""The starter files a release hands out: pristine stubs, never an instructor's working copy.

Where the assignment's stubs live in a git checkout, each file is taken as last committed (``git show HEAD:path``):
an instructor who tried the homework in the course repository and did not commit it ships nothing of it, and
files that were never committed (a scratch notebook) are left out. Elsewhere (an installed plug-in, a tarball),
the files are taken as they are. Either way every exercise must still be a stub: its body (each method's, for a
class) raises ``NotImplementedError``, in the ``.py`` files and in the handout notebook's cells. An implemented
exercise is refused with its file and line, unless the instructor ships starter code on purpose
(``--allow-implemented``), which the release's manifest then records.
"""

from __future__ import annotations

import ast
import fnmatch
import hashlib
import subprocess
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from grader import cells

LEFT_OUT = ("__pycache__", "*.pyc", ".ipynb_checkpoints")
"""Never shipped from the stubs folder."""
STUB_MARKER = "NotImplementedError"


@dataclass(frozen=True)
class Implemented:
    """An exercise whose body does not raise the stub marker."""

    exercise: str
    file: str
    line: int


@dataclass
class Starter:
    """The files to ship (path relative to the stubs folder -> bytes) and where they came from."""

    files: dict[str, bytes]
    source: dict[str, Any]
    """``{"kind": "git", "commit": ...}`` or ``{"kind": "folder"}``, with what was not taken."""
    implemented: list[Implemented] = field(default_factory=list)


def _left_out(rel: str) -> bool:
    return any(fnmatch.fnmatch(part, pattern) for part in rel.split("/") for pattern in LEFT_OUT)


def _git(folder: Path, *args: str) -> bytes | None:
    try:
        done = subprocess.run(["git", "-C", str(folder), *args], capture_output=True, timeout=60, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout if done.returncode == 0 else None


def _from_git(stubs: Path) -> Starter | None:
    """The committed version of every tracked file under ``stubs``; None where ``stubs`` is in no git checkout
    or nothing of it is committed."""
    top = _git(stubs, "rev-parse", "--show-toplevel")
    commit = _git(stubs, "rev-parse", "HEAD")
    if top is None or commit is None:
        return None
    root = Path(top.decode().strip()).resolve()
    prefix = stubs.resolve().relative_to(root).as_posix()
    listed = _git(root, "ls-tree", "-r", "-z", "--name-only", "HEAD", "--", prefix)
    names = [n for n in (listed or b"").decode("utf-8", "surrogateescape").split("\0") if n]
    files: dict[str, bytes] = {}
    for name in names:
        rel = name[len(prefix) + 1:] if prefix != "." else name
        if _left_out(rel):
            continue
        data = _git(root, "show", f"HEAD:{name}")
        if data is None:
            return None
        files[rel] = data
    if not files:
        return None
    on_disk = {p.relative_to(stubs).as_posix(): p for p in stubs.rglob("*") if p.is_file() and not p.is_symlink()}
    changed = sorted(rel for rel, data in files.items() if rel in on_disk and on_disk[rel].read_bytes() != data)
    untracked = sorted(rel for rel in on_disk if rel not in files and not _left_out(rel))
    return Starter(files, {"kind": "git", "commit": commit.decode().strip(),
                           "working_copy_differs": changed, "not_committed": untracked})


def _from_folder(stubs: Path) -> Starter:
    files = {p.relative_to(stubs).as_posix(): p.read_bytes() for p in sorted(stubs.rglob("*"))
             if p.is_file() and not p.is_symlink() and not _left_out(p.relative_to(stubs).as_posix())}
    return Starter(files, {"kind": "folder"})


def _raises_marker(body: Iterable[ast.stmt]) -> bool:
    """A body that raises the stub marker as one of its own statements (a docstring or comments before it)."""
    for node in body:
        if isinstance(node, ast.Raise) and node.exc is not None:
            exc = node.exc.func if isinstance(node.exc, ast.Call) else node.exc
            if isinstance(exc, ast.Name) and exc.id == STUB_MARKER:
                return True
    return False


def _implemented_in(tree: ast.Module, names: Mapping[str, str]) -> list[tuple[str, int]]:
    """(exercise, line) for each exercise of ``names`` (id -> kind) that ``tree`` defines and that is no stub."""
    found = []
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name in names:
            if not _raises_marker(node.body):
                found.append((node.name, node.lineno))
        elif isinstance(node, ast.ClassDef) and node.name in names:
            methods = [n for n in node.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]
            done = next((m for m in methods if not _raises_marker(m.body)), None)
            if done is not None or not methods:
                found.append((node.name, (done or node).lineno))
    return found


def implemented(files: Mapping[str, bytes], exercises: Iterable[Any]) -> list[Implemented]:
    """The exercises that are no stub in ``files``: the ``.py`` file each lives in, and any notebook's code cells
    (a cell is named ``notebook.ipynb, cell N``)."""
    by_file: dict[str, dict[str, str]] = {}
    every: dict[str, str] = {}
    for e in exercises:
        by_file.setdefault(e.file, {})[e.id] = str(e.kind)
        every[e.id] = str(e.kind)
    out: list[Implemented] = []
    for rel, data in sorted(files.items()):
        if rel in by_file:
            try:
                tree = ast.parse(data.decode("utf-8", "replace"))
            except SyntaxError as exc:
                out.append(Implemented("?", rel, exc.lineno or 0))
                continue
            out += [Implemented(name, rel, line) for name, line in _implemented_in(tree, by_file[rel])]
        elif rel.endswith(cells.SUFFIX):
            out += _implemented_in_notebook(rel, data, every)
    return out


def _implemented_in_notebook(rel: str, data: bytes, names: Mapping[str, str]) -> list[Implemented]:
    import json

    try:
        notebook = json.loads(data.decode("utf-8"))
    except ValueError:
        return []
    out = []
    for number, cell in enumerate(notebook.get("cells", []) if isinstance(notebook, dict) else [], 1):
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        source = "".join(source) if isinstance(source, list) else str(source)
        python = cells.python_source(source)
        try:
            tree = ast.parse(python or "")
        except SyntaxError:
            continue
        out += [Implemented(name, f"{rel}, cell {number}", line) for name, line in _implemented_in(tree, names)]
    return out


def starter(stubs: Path, exercises: Iterable[Any]) -> Starter:
    """The pristine starter files of ``stubs`` (see the module's docstring), with the exercises that are no stub."""
    found = _from_git(stubs) or _from_folder(stubs)
    found.implemented = implemented(found.files, list(exercises))
    return found


def listing(files: Mapping[str, bytes]) -> list[dict[str, Any]]:
    """What a release ships, for its manifest and its printout: path, size, SHA-256."""
    return [{"path": rel, "bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}
            for rel, data in sorted(files.items())]
