"""Which submissions look copied from one another: a reason for a person to look, never evidence.

Each submission's code is read per exercise (the exercise's function or class, wherever it is defined, with the
helpers it calls) and normalised: the syntax tree only, with docstrings, comments and formatting gone, the names
the student chose (variables, arguments, functions, classes, attributes the code assigns) replaced by one
placeholder, every literal by another, and the methods of a class and the helpers taken in a fixed order. Library
calls (``.transpose``, ``torch.softmax``, ``dim=``) are kept: they are what the code does.

Fingerprints are the runs of :data:`K` consecutive tokens, as MOSS takes them. What every correct or unattempted
submission shares is not evidence, so fingerprints are dropped when they occur in the reference solution or in
the stubs (the structure every student starts from and most converge on), or in more than half of the class.
Two submissions' score is the share of their remaining fingerprints they have in common (Jaccard); a pair is
listed when it reaches the threshold with at least :data:`MIN_SHARED` fingerprints in common, together with the
exercises where the shared code lies. Calibrated in tests/test_instructor_similar.py: no pair of the
correct-but-different corpus is listed; every copy with renamed variables and reordered functions is.
"""

from __future__ import annotations

import ast
import builtins
import csv
import difflib
import hashlib
import html
import io
import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from grader import clean
from grader.spec import Assignment

K = 8
"""Tokens per fingerprint."""
THRESHOLD = 0.5
"""Default score (shared / all distinctive fingerprints of the two) from which a pair is listed."""
MIN_SHARED = 12
"""Fingerprints two submissions must share, beyond the common ones, to be listed at all."""
EXERCISE_MIN = 0.5
"""An exercise is named for a listed pair when this share of its distinctive fingerprints is shared."""
MAX_SOURCE = 512 * 1024
_BUILTINS = frozenset(dir(builtins))


@dataclass(frozen=True)
class Pair:
    a: str
    b: str
    score: float
    shared: int
    exercises: tuple[str, ...]


# --- normalising --------------------------------------------------------------------------------

def _parse(source: str) -> ast.Module | None:
    try:
        return ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None


def _assigned_attributes(tree: ast.AST) -> set[str]:
    """Attribute names the code gives values to (``self.w_q = ...``): chosen by the student, so abstracted."""
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
            out.add(node.attr)
    return out


class _Tokens(ast.NodeVisitor):
    def __init__(self, own_attrs: set[str]) -> None:
        self.out: list[str] = []
        self.own_attrs = own_attrs

    def generic_visit(self, node: ast.AST) -> None:
        if isinstance(node, (ast.expr_context, ast.Load, ast.Store, ast.Del)):
            return
        if (isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)
                and isinstance(node.value.value, str)):
            return  # a docstring
        if isinstance(node, ast.Name):
            self.out.append(node.id if node.id in _BUILTINS else "N")
            return
        if isinstance(node, ast.Constant):
            self.out.append("C")
            return
        if isinstance(node, ast.Attribute):
            self.visit(node.value)
            self.out.append(".N" if node.attr in self.own_attrs else f".{node.attr}")
            return
        if isinstance(node, ast.keyword):
            self.out.append(f"kw:{node.arg}")
            self.visit(node.value)
            return
        if isinstance(node, ast.arg):
            self.out.append("arg")
            return
        if isinstance(node, ast.ClassDef):
            self.out.append("class")
            for base in node.bases:
                self.visit(base)
            parts = []
            for stmt in node.body:
                sub = _Tokens(self.own_attrs)
                sub.visit(stmt)
                if sub.out:
                    parts.append(sub.out)
            for part in sorted(parts):  # the order of the methods is not the code's
                self.out += part
            return
        self.out.append(type(node).__name__)
        super().generic_visit(node)


def _definitions(trees: Mapping[str, ast.Module]) -> dict[str, tuple[str, ast.AST]]:
    """Top-level functions and classes by name (file, node); a file's later definition wins."""
    out: dict[str, tuple[str, ast.AST]] = {}
    for file, tree in trees.items():
        for node in tree.body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                out.setdefault(node.name, (file, node))
                if out[node.name][0] == file:
                    out[node.name] = (file, node)
    return out


def _with_helpers(name: str, defs: Mapping[str, tuple[str, ast.AST]], exercises: set[str]) -> list[ast.AST]:
    """The definition of ``name`` and the non-exercise helpers it reaches, helpers in a fixed order later."""
    seen = {name}
    todo = [name]
    nodes: list[ast.AST] = []
    while todo:
        current = todo.pop()
        node = defs[current][1]
        nodes.append(node)
        for sub in ast.walk(node):
            if isinstance(sub, ast.Name) and sub.id in defs and sub.id not in seen and sub.id not in exercises:
                seen.add(sub.id)
                todo.append(sub.id)
    return nodes


def normalise(files: Mapping[str, str], spec: Assignment) -> dict[str, list[str]]:
    """Per exercise of ``spec``, the normalised tokens of its code in ``files`` (file name -> source)."""
    trees = {f: t for f, src in files.items() if (t := _parse(src)) is not None}
    defs = _definitions(trees)
    own_attrs: set[str] = set()
    for tree in trees.values():
        own_attrs |= _assigned_attributes(tree)
    ids = {e.id for e in spec.exercises}
    out: dict[str, list[str]] = {}
    for e in spec.exercises:
        if e.id not in defs:
            continue
        first, *helpers = _with_helpers(e.id, defs, ids)
        streams = []
        for node in helpers:
            visitor = _Tokens(own_attrs)
            visitor.visit(node)
            streams.append(visitor.out)
        visitor = _Tokens(own_attrs)
        visitor.visit(first)
        out[e.id] = visitor.out + [t for s in sorted(streams) for t in s]
    return out


def source_of(files: Mapping[str, str], spec: Assignment, exercise: str) -> str:
    """The source text of an exercise's definition and its helpers (for a side-by-side diff)."""
    trees = {f: t for f, src in files.items() if (t := _parse(src)) is not None}
    defs = _definitions(trees)
    if exercise not in defs:
        return ""
    where = {id(node): file for file, node in defs.values()}
    parts = []
    for node in _with_helpers(exercise, defs, {e.id for e in spec.exercises}):
        parts.append(ast.get_source_segment(files[where[id(node)]], node) or "")
    return "\n\n".join(parts)


def fingerprints(tokens: Sequence[str]) -> set[int]:
    if len(tokens) < K:
        return {_hash(tokens)} if tokens else set()
    return {_hash(tokens[i:i + K]) for i in range(len(tokens) - K + 1)}


def _hash(tokens: Sequence[str]) -> int:
    return int.from_bytes(hashlib.blake2b("\x1f".join(tokens).encode(), digest_size=8).digest(), "big")


# --- comparing ------------------------------------------------------------------------------------

def read_folder(folder: Path, files: Iterable[str]) -> dict[str, str]:
    """The sources of ``files`` in ``folder`` (the reference or the stubs): missing ones are left out."""
    out = {}
    for name in files:
        path = folder / name
        if path.is_file() and not path.is_symlink():
            out[name] = path.read_text(encoding="utf-8", errors="replace")
    return out


def baseline(spec: Assignment, extra: Iterable[Mapping[str, str]] = ()) -> dict[str, set[int]]:
    """Per exercise, the fingerprints that are no evidence: the reference's and the stubs'."""
    sources = [*extra]
    for folder in (spec.solutions, spec.stubs):  # the plug-in's own starter code, wherever it is installed
        if folder is not None and folder.is_dir():
            sources.append(read_folder(folder, spec.files))
    base: dict[str, set[int]] = {e.id: set() for e in spec.exercises}
    for files in sources:
        for ex, tokens in normalise(files, spec).items():
            base[ex] |= fingerprints(tokens)
    return base


def compare(submissions: Mapping[str, Mapping[str, str]], spec: Assignment, *, threshold: float = THRESHOLD,
            base: Mapping[str, set[int]] | None = None) -> list[Pair]:
    """The pairs of ``submissions`` (name -> file name -> source) whose distinctive code is shared at least
    ``threshold``, most similar first."""
    base = baseline(spec) if base is None else base
    prints: dict[str, dict[str, set[int]]] = {}
    for name, files in submissions.items():
        prints[name] = {ex: fingerprints(tokens) - base.get(ex, set())
                        for ex, tokens in normalise(files, spec).items()}
    # what more than half of the class has is an idiom of the class, not a copy
    counts: Counter[tuple[str, int]] = Counter()
    for per in prints.values():
        for ex, fps in per.items():
            counts.update((ex, fp) for fp in fps)
    limit = max(2, len(prints) // 2)
    for per in prints.values():
        for ex in per:
            per[ex] = {fp for fp in per[ex] if counts[(ex, fp)] <= limit}
    # Only pairs that can reach the threshold are scored, found by prefix filtering (Bayardo et al., "Scaling up all
    # pairs similarity search", 2007): a submission's fingerprints ordered rarest first, a pair whose Jaccard score
    # reaches t (and which shares at least MIN_SHARED) must share one of the first |A| - alpha + 1 of each side,
    # alpha = max(ceil(t |A|), MIN_SHARED). Rare fingerprints are held by few, so the work grows with the pairs
    # that share rare code, not with the square of the class; the pairs scored are scored exactly as before.
    tokens = {name: sorted(((counts[(ex, fp)], ex, fp) for ex, fps in per.items() for fp in fps))
              for name, per in prints.items()}
    candidates: set[tuple[str, str]] = set()
    if MIN_SHARED <= 0 and threshold <= 0:  # every pair asked for, sharing nothing included (the output is quadratic)
        names = sorted(prints)
        candidates = {(a, b) for i, a in enumerate(names) for b in names[i + 1:]}
    else:
        holders: dict[tuple[str, int], list[str]] = {}
        for name in sorted(tokens):
            ordered = tokens[name]
            alpha = max(math.ceil(threshold * len(ordered) - 1e-9), MIN_SHARED, 1)
            for _, ex, fp in ordered[:max(0, len(ordered) - alpha + 1)]:
                others = holders.setdefault((ex, fp), [])
                candidates.update((other, name) for other in others)
                others.append(name)
    pairs = []
    for a, b in sorted(candidates):
        shared = total = 0
        exercises = []
        for exercise in spec.exercises:
            fa, fb = prints[a].get(exercise.id, set()), prints[b].get(exercise.id, set())
            both, either = len(fa & fb), len(fa | fb)
            shared += both
            total += either
            if either and both / either >= EXERCISE_MIN and both:
                exercises.append(exercise.id)
        score = shared / total if total else 0.0
        if score >= threshold and shared >= MIN_SHARED:
            pairs.append(Pair(a, b, round(score, 3), shared, tuple(exercises)))
    return sorted(pairs, key=lambda p: (-p.score, p.a, p.b))


# --- writing --------------------------------------------------------------------------------------

def csv_text(pairs: Sequence[Pair]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["a", "b", "score", "exercises"])
    for p in pairs:
        writer.writerow([clean.csv_cell(clean.name(p.a)), clean.csv_cell(clean.name(p.b)), p.score,
                         clean.csv_cell(";".join(p.exercises))])
    return buffer.getvalue()


class _HtmlDiff(difflib.HtmlDiff):
    """difflib's side-by-side table with anchors numbered per page, not per process: the same pair gives the
    same file whatever was diffed before it."""

    def __init__(self, index: int) -> None:
        super().__init__(tabsize=4, wrapcolumn=90)
        self._index = index

    def _make_prefix(self) -> None:
        self._prefix = [f"from{self._index}_", f"to{self._index}_"]


def diff_html(a: str, b: str, files_a: Mapping[str, str], files_b: Mapping[str, str], spec: Assignment,
              exercises: Sequence[str], title: str) -> str:
    """A side-by-side diff of the listed exercises' code (every piece of it escaped)."""
    tables = []
    for index, ex in enumerate(exercises or [e.id for e in spec.exercises]):
        differ = _HtmlDiff(index)
        left = clean.text(source_of(files_a, spec, ex), 100_000).splitlines()
        right = clean.text(source_of(files_b, spec, ex), 100_000).splitlines()
        tables.append(f"<h2>{html.escape(ex)}</h2>\n" + differ.make_table(
            left, right, html.escape(clean.name(a)), html.escape(clean.name(b)), context=False))
    head = _HtmlDiff(0).make_file([], []).split("<body>")[0]  # difflib's own styles
    return (f"{head}<body>\n<h1>{html.escape(clean.name(title))}</h1>\n"
            + "\n".join(tables) + "\n</body>\n</html>\n")
