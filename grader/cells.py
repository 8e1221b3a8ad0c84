"""Cells into files: the code of a notebook, read as *source* and never run, written as the assignment's files.

The cells come from a notebook file (its code cells, read with nbformat) or from a live kernel (IPython's input
history: grader.notebook). From them, each file of the assignment (``Exercise.file``) is written into a folder,
holding the exercises of that file as the notebook last defined them, and what they reach that the notebook
defined: helpers, classes, constants and imports (free names, found with :mod:`symtable`). An exercise of another
file that one of them uses is imported from its sibling module, as in a ``.py`` submission. That folder is then
graded exactly as a folder (grader.api.check_cells): the same sandboxed child, checks, diagnoses and messages,
and :func:`with_notes` turns what the report says about the written files back into cells and lines.

Shell and magic lines (``!pip``, ``%time``) are left out; a cell magic other than a timing one (``%%writefile``,
``%%bash``) makes its cell no Python at all. A cell that does not parse is reported with its number and line,
and the rest is graded. The concept quiz's answers can live in a ``quiz-answers`` cell: a code cell that assigns
a TOML string to ``QUIZ_ANSWERS`` (or a raw or Markdown cell holding TOML), tagged ``quiz-answers`` or starting
with the comment ``# quiz-answers``.

Nothing here needs a kernel, a specification registry or torch: the assignment's files and exercises are given.
"""

from __future__ import annotations

import ast
import re
import symtable
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from grader import clean, safefs
from grader.results import GradeResult, Message, Status

SUFFIX = ".ipynb"
QUIZ_TAG = "quiz-answers"
QUIZ_VARIABLE = "QUIZ_ANSWERS"
QUIZ_FILE = "quiz-answers.toml"
MAX_NOTEBOOK_BYTES = 16 * 1024 * 1024
"""A notebook larger than this (outputs included) is refused: a course notebook is a few hundred KiB."""
TIMING_MAGICS = frozenset({"time", "timeit", "capture", "prun"})
"""Cell magics whose body is plain Python run in the kernel."""
_CELL_MAGIC = re.compile(r"^\s*%%(\w+)")
_SHELL_OR_MAGIC = re.compile(r"^(\s*)[!%]")


class NotebookError(Exception):
    """A notebook that cannot be read (not JSON, not a notebook, too large, a link); carries a message."""

    def __init__(self, message: Message) -> None:
        super().__init__(message.key)
        self.message = message


# --- reading cells ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Cell:
    label: str
    """How a person finds the cell: its number from the top of the notebook, or ``In [n]`` in a kernel."""
    source: str
    kind: str = "code"
    """code, markdown or raw (as nbformat says)."""
    tags: tuple[str, ...] = ()


@dataclass(frozen=True)
class CellProblem:
    """A code cell that is not valid Python: nothing in it is graded."""

    cell: str
    line: int
    detail: str
    text: str
    names: tuple[str, ...]
    """The functions and classes it seems to define (``def name`` / ``class name`` at the start of a line)."""

    def message(self) -> Message:
        return Message("notebook.cell_syntax", {"cell": self.cell, "line": self.line, "detail": self.detail,
                                                "text": self.text})


def python_source(source: str) -> str | None:
    """The Python of a code cell, line for line: shell and magic lines become ``pass`` at their indentation
    (so that line numbers and blocks stay as they were); None for a cell magic whose body is not Python."""
    # lines as Python counts them (not str.splitlines, which also breaks at \x0c or \u2028); a lone surrogate
    # cannot be written to a file
    lines = clean.no_surrogates(source).replace("\r\n", "\n").replace("\r", "\n").split("\n")
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is not None:
        magic = _CELL_MAGIC.match(lines[first])
        if magic:
            if magic.group(1) not in TIMING_MAGICS:
                return None
            lines[first] = ""
    out = []
    for line in lines:
        shell = _SHELL_OR_MAGIC.match(line)
        out.append(f"{shell.group(1)}pass" if shell else line)
    return "\n".join(out).rstrip("\n") + "\n"


def read_notebook(path: Path) -> tuple[list[Cell], str | None]:
    """The cells of the notebook file ``path``, read with nbformat (any version it knows, upgraded to 4), never
    run, and the assignment its metadata names (``nlp_grader.assignment``, as the handout does), if any. The
    file is read without following links and within :data:`MAX_NOTEBOOK_BYTES`."""
    import nbformat

    shown = clean.name(path.name)
    try:
        data = safefs.read_bytes(path, MAX_NOTEBOOK_BYTES)
    except (OSError, safefs.UnsafeFile) as exc:
        raise NotebookError(Message("usage.notebook_unreadable", {"path": shown, "detail": clean.text(exc, 300)})) from None
    try:
        notebook = nbformat.reads(data.decode("utf-8"), as_version=4)
    except Exception as exc:  # noqa: BLE001 - not UTF-8, not JSON, not a notebook: all say the same to a person
        detail = clean.text(f"{type(exc).__name__}: {exc}", 300)
        raise NotebookError(Message("usage.notebook_unreadable", {"path": shown, "detail": detail})) from None
    found = notebook.get("cells") if isinstance(notebook, dict) else None
    if not isinstance(found, list):  # nbformat reports an invalid notebook without refusing it
        detail = "no list of cells"
        raise NotebookError(Message("usage.notebook_unreadable", {"path": shown, "detail": detail}))
    cells = []
    for number, cell in enumerate(found, 1):
        if not isinstance(cell, dict):
            continue
        source = cell.get("source", "")
        if isinstance(source, list):  # nbformat normally joins them; a hand-made file may not be normal
            source = "".join(str(s) for s in source)
        metadata = cell.get("metadata")
        tags = metadata.get("tags", []) if isinstance(metadata, dict) else []
        cells.append(Cell(str(number), str(source), str(cell.get("cell_type", "code")),
                          tuple(t for t in tags if isinstance(t, str)) if isinstance(tags, list) else ()))
    metadata = notebook.get("metadata")
    named = metadata.get("nlp_grader") if isinstance(metadata, dict) else None
    assignment = named.get("assignment") if isinstance(named, dict) else None
    return cells, assignment if isinstance(assignment, str) else None


def _quiz_cell(cell: Cell) -> bool:
    first = cell.source.lstrip().splitlines()[0] if cell.source.strip() else ""
    return QUIZ_TAG in cell.tags or first.strip().lower().replace(" ", "").startswith(f"#{QUIZ_TAG}")


def quiz_answers(cells: Iterable[Cell]) -> str | None:
    """The TOML of the last quiz-answers cell, if any: the string a code cell assigns to QUIZ_ANSWERS, or the
    text of a raw or Markdown cell (a ```toml fence taken off)."""
    found = None
    for cell in cells:
        if not _quiz_cell(cell):
            continue
        if cell.kind == "code":
            source = python_source(cell.source)
            try:
                tree = ast.parse(source or "")
            except (SyntaxError, ValueError, RecursionError, MemoryError):
                continue
            for node in tree.body:
                if (isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == QUIZ_VARIABLE
                                                         for t in node.targets)
                        and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)):
                    found = node.value.value
        else:
            text = cell.source
            fenced = re.search(r"```[a-zA-Z]*\n(.*?)```", text, re.S)
            lines = (fenced.group(1) if fenced else text).splitlines()
            found = "\n".join(line for line in lines if not line.strip().lower().startswith(f"# {QUIZ_TAG}")) + "\n"
    return found


# --- definitions ------------------------------------------------------------------------------------

@dataclass
class Definition:
    names: tuple[str, ...]
    source: str
    cell: str
    line: int
    """The statement's first line in its cell."""
    uses: frozenset[str]
    """The global names it reads (at definition time or when called)."""
    kind: str
    """def, class, import, future or assign."""
    eager: frozenset[str] = frozenset()
    """The global names it reads as it is defined (bases, decorators, defaults, class bodies)."""


@dataclass
class Definitions:
    """What a notebook defines at its top level, the last definition of each name winning."""

    items: list[Definition] = field(default_factory=list)
    problems: list[CellProblem] = field(default_factory=list)

    def by_name(self) -> dict[str, Definition]:
        return {name: d for d in self.items for name in d.names}


def _uses(source: str) -> tuple[frozenset[str], frozenset[str]]:
    """The global names a top-level statement reads: all of them (in itself, its decorators, defaults and bases,
    and the bodies of its functions and classes, their own locals and parameters left out), and those it reads
    as it is defined (everything but the bodies of its functions)."""
    try:
        top = symtable.symtable(source, "<cell>", "exec")
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return frozenset(), frozenset()
    found: set[str] = set()
    eager: set[str] = set()
    stack = [(top, True)]
    while stack:
        table, now = stack.pop()
        for symbol in table.get_symbols():
            if symbol.is_referenced() and (table.get_type() == "module" or symbol.is_global()):
                found.add(symbol.get_name())
                if now:
                    eager.add(symbol.get_name())
        # a class body runs when the class is defined; a function's body only when it is called
        stack.extend((child, now and child.get_type() == "class") for child in table.get_children())
    return frozenset(found), frozenset(eager)


def _in_definition_order(items: Sequence[Definition]) -> list[Definition]:
    """``items`` in notebook order, except that what a definition needs as it is defined (a base class, a
    decorator, a default value) comes before it: a base class fixed in a later cell is still defined first."""
    by_name = {name: d for d in items for name in d.names}
    out: list[Definition] = []
    placing: set[int] = set()

    def place(d: Definition) -> None:
        if d in out or id(d) in placing:  # placed, or a cycle: notebook order decides
            return
        placing.add(id(d))
        for name in sorted(d.eager):
            if name in by_name and by_name[name] is not d:
                place(by_name[name])
        out.append(d)

    for d in items:
        place(d)
    return out


def _bound(node: ast.stmt) -> tuple[tuple[str, ...], str] | None:
    """The names a top-level statement binds and its kind, for the statements a file keeps; None otherwise."""
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return (node.name,), "def"
    if isinstance(node, ast.ClassDef):
        return (node.name,), "class"
    if isinstance(node, ast.ImportFrom) and node.module == "__future__":
        return tuple(f"__future__.{a.name}" for a in node.names), "future"
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        if any(a.name == "*" for a in node.names):
            return (f"*{getattr(node, 'module', '')}",), "import"
        return tuple((a.asname or a.name.split(".")[0]) for a in node.names), "import"
    targets: list[ast.expr] = []
    if isinstance(node, ast.Assign):
        targets = node.targets
    elif isinstance(node, ast.AnnAssign) and node.value is not None:
        targets = [node.target]
    names: list[str] = []
    for target in targets:
        parts = target.elts if isinstance(target, (ast.Tuple, ast.List)) else [target]
        if not all(isinstance(p, ast.Name) for p in parts):
            return None
        names += [p.id for p in parts if isinstance(p, ast.Name)]
    return (tuple(names), "assign") if names else None


def _statement_source(node: ast.stmt, lines: list[str], shared: set[int]) -> str:
    """The statement as written (its decorators and comments inside it kept), or re-written from the tree
    when it shares a line with another statement (``import a; b = 1``)."""
    decorators = getattr(node, "decorator_list", [])
    start = min([node.lineno, *(d.lineno for d in decorators)])
    end = node.end_lineno or node.lineno
    if start in shared or end in shared:
        return ast.unparse(node) + "\n"
    return "\n".join(lines[start - 1:end]) + "\n"


def collect(cells: Iterable[Cell], keep: Callable[[str], bool] | None = None) -> Definitions:
    """The top-level definitions of ``cells`` in order (a later definition of a name replaces the earlier one
    and takes its place at the end); ``keep(name)`` filters what a live kernel still holds."""
    defs = Definitions()
    for cell in cells:
        if cell.kind != "code" or _quiz_cell(cell):
            continue
        source = python_source(cell.source)
        if source is None:
            continue
        try:
            tree = ast.parse(source)
        except (SyntaxError, ValueError, RecursionError, MemoryError) as exc:  # a NUL byte, nesting too deep
            lines = source.split("\n")
            line = (exc.lineno or 0) if isinstance(exc, SyntaxError) else 0
            detail = exc.msg if isinstance(exc, SyntaxError) else f"{type(exc).__name__}: {exc}"
            text = lines[line - 1].strip() if 0 < line <= len(lines) else ""
            names = tuple(dict.fromkeys(re.findall(r"^\s*(?:async\s+)?(?:def|class)\s+(\w+)", source, re.M)))
            defs.problems.append(CellProblem(cell.label, line, clean.text(detail, 200), clean.text(text, 200), names))
            continue
        lines = source.split("\n")
        counts: dict[int, int] = {}
        for node in tree.body:
            for n in {node.lineno, node.end_lineno or node.lineno}:
                counts[n] = counts.get(n, 0) + 1
        shared = {n for n, c in counts.items() if c > 1}
        for node in tree.body:
            bound = _bound(node)
            if bound is None:
                continue
            names, kind = bound
            if keep is not None and kind in ("def", "class", "assign", "import") and not any(
                    n.startswith("*") or keep(n) for n in names):
                continue
            text = _statement_source(node, lines, shared)
            start = min([node.lineno, *(d.lineno for d in getattr(node, "decorator_list", []))])
            uses, eager = _uses(text)
            definition = Definition(names, text, cell.label, start, uses, kind, eager)
            for old in [d for d in defs.items if set(d.names) & set(names)]:
                rest = tuple(n for n in old.names if n not in names)
                if rest and old.kind == "import":  # `import a, b` then `import a as x`: b stays
                    defs.items[defs.items.index(old)] = replace(old, names=rest)
                else:
                    defs.items.remove(old)
            defs.items.append(definition)
    return defs


@dataclass
class Written:
    """What :func:`write_files` wrote."""

    exercises: dict[str, list[str]] = field(default_factory=dict)
    """Per file, the exercises the notebook defines (written into it)."""
    reached: dict[str, set[str]] = field(default_factory=dict)
    """Per exercise, the names its definition reaches (helpers, constants, imports; itself included)."""
    lines: dict[str, list[tuple[int, int, str, int]]] = field(default_factory=dict)
    """Per file: (first line, last line, cell, the cell's line of the first one) of every definition in it."""

    def where(self, file: str, line: int) -> tuple[str, int] | None:
        """The cell and the line in it of ``file``'s line ``line``, if a definition of the notebook is there."""
        for first, last, cell, cell_line in self.lines.get(file, ()):
            if first <= line <= last:
                return cell, cell_line + line - first
        return None


def write_files(defs: Definitions, spec: Any, dest: Path, origin: str) -> Written:
    """Write each file of the assignment into ``dest``: its exercises the notebook defines and what they reach."""
    by_name = defs.by_name()
    file_of = {e.id: e.file for e in spec.exercises}
    written = Written()
    for file in spec.files:
        roots = [e.id for e in spec.exercises if e.file == file and e.id in by_name]
        chosen: list[Definition] = []
        imports: dict[str, list[str]] = {}
        for root in roots:
            todo, seen = [root], {root}
            while todo:
                definition = by_name[todo.pop()]
                if definition not in chosen:
                    chosen.append(definition)
                for used in sorted(definition.uses):
                    if used in seen or used not in by_name:
                        continue
                    seen.add(used)
                    if used in file_of and file_of[used] != file:  # another file's exercise: imported from it
                        imports.setdefault(file_of[used], []).append(used)
                    else:
                        todo.append(used)
            written.reached[root] = seen
        stars = [d for d in defs.items if d.kind == "import" and d.names[0].startswith("*")]
        # imports first (a module imported again in a later cell was there all along), then in notebook order
        kept = [d for d in defs.items if d in chosen or (chosen and d in stars)]
        ordered = [d for d in kept if d.kind == "import"] + _in_definition_order([d for d in kept if d.kind != "import"])
        body = [d.source for d in defs.items if d.kind == "future"] if chosen else []  # must come first
        body.append(f"# Written by nlp-grader from {clean.name(origin, 100)}: the definitions this file's exercises "
                    "need, each under the cell it came from.\n")
        body += [f"from .{Path(other).stem} import {', '.join(sorted(set(names)))}\n"
                 for other, names in sorted(imports.items())]
        spans = []
        for d in ordered:
            body.append(f"# cell {d.cell}, line {d.line}\n")
            first = sum(chunk.count("\n") for chunk in body) + 1
            body.append(d.source)
            spans.append((first, first + d.source.count("\n") - 1, d.cell, d.line))
        target = dest / file
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text("".join(body), encoding="utf-8")
        written.exercises[file] = roots
        written.lines[file] = spans
    return written


_FRAME = re.compile(r'File "(?P<file>[^"\n]+)", line (?P<line>\d+)')


def _in_cells(text: str, written: Written) -> str:
    """A traceback whose frames in the written files name the notebook's cells and lines instead."""
    def cell(match: re.Match[str]) -> str:
        found = written.where(match.group("file"), int(match.group("line")))
        return f"cell {found[0]}, line {found[1]}" if found else match.group(0)

    return _FRAME.sub(cell, text)


def _message_in_cells(message: Message, written: Written) -> Message:
    """A message that names a written file's line (code that is not allowed there) names the cell instead."""
    file, line = message.params.get("file"), message.params.get("line")
    if isinstance(file, str) and isinstance(line, int):
        found = written.where(file, line)
        if found is not None:
            return Message(message.key, {**message.params, "file": f"cell {found[0]}", "line": found[1]})
    return message


# --- the report, in cells -------------------------------------------------------------------------

def with_notes(result: GradeResult, defs: Definitions, written: Written) -> GradeResult:
    """The result as the notebook's author reads it: tracebacks and notes name cells, not the written files; a
    cell that does not parse is noted on the exercises it seems to define or that use what it defines (else on
    the first exercise that did not pass); an exercise the notebook does not define says so."""
    defined = {name for names in written.exercises.values() for name in names}
    exercises = []
    placed: set[int] = set()
    for e in result.exercises:
        notes: list[Message] = []
        for i, problem in enumerate(defs.problems):
            if e.id in problem.names or set(problem.names) & written.reached.get(e.id, set()):
                notes.append(problem.message())
                placed.add(i)
        if e.id not in defined and e.status is Status.MISSING:
            notes.append(Message("notebook.not_defined", {"name": e.id}))
        cases = tuple(replace(c, checks=tuple(replace(ch, traceback=_in_cells(ch.traceback, written))
                                              if ch.traceback else ch for ch in c.checks)) for c in e.cases)
        exercises.append(replace(e, cases=cases, notes=(*notes, *(_message_in_cells(n, written) for n in e.notes))))
    rest = [p.message() for i, p in enumerate(defs.problems) if i not in placed]
    first = next((i for i, e in enumerate(exercises) if e.status is not Status.PASSED), None)
    if rest and first is not None:
        exercises[first] = replace(exercises[first], notes=(*rest, *exercises[first].notes))
    return replace(result, exercises=tuple(exercises))


# --- notebook files --------------------------------------------------------------------------------

def is_notebook(path: Path) -> bool:
    return path.suffix.lower() == SUFFIX and not path.is_dir()


def find(path: Path, files: Collection[str], names: Sequence[str]) -> Path | None:
    """The notebook to grade for ``path``: the file itself, or the one notebook of a folder (or of a folder just
    below it) that holds none of the assignment's ``files``; of several, the one named after one of the assignments
    ``names``. Links are not followed."""
    if is_notebook(path):
        return path
    if not path.is_dir() or path.is_symlink():
        return None
    folders = safefs.folder_and_subfolders(path)
    if any((f / file).exists() for f in folders for file in files):
        return None
    found = [p for f in folders for p in sorted(f.glob(f"*{SUFFIX}")) if not p.is_symlink() and p.is_file()]
    if len(found) > 1:  # the handout's own name (<assignment>.ipynb) tells the work from a scratch notebook
        found = [p for p in found if p.stem in names]
    return found[0] if len(found) == 1 else None


def to_folder(path: Path, dest: Path) -> Path:
    """A new folder ``dest`` holding a private copy of the notebook ``path`` (read without following links,
    within :data:`MAX_NOTEBOOK_BYTES`), which grader.api.check grades as a notebook. For tools that
    grade folders (``grade batch``); safefs.UnsafeFile (an OSError) when the file cannot be read."""
    data = safefs.read_bytes(path, MAX_NOTEBOOK_BYTES)
    dest.mkdir(parents=True)
    (dest / f"submission{SUFFIX}").write_bytes(data)
    return dest
