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

For a person to look, :func:`side_by_side` maps the fingerprints a pair shares back to the source they come from
(each token remembers the text it stands for), with the docstrings and the untouched starter code set apart to be
folded; grader.report.similarity draws the page.
"""

from __future__ import annotations

import ast
import builtins
import collections
import csv
import difflib
import hashlib
import io
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
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


def _walk(node: ast.AST) -> Iterator[ast.AST]:
    """``ast.walk`` (the same nodes in the same order) without its two generators per node: normalising a class of
    3000 spends a third of its time walking trees."""
    todo = collections.deque([node])
    while todo:
        node = todo.popleft()
        yield node
        for field in node._fields:
            value = getattr(node, field, None)
            if isinstance(value, list):
                todo.extend(item for item in value if isinstance(item, ast.AST))
            elif isinstance(value, ast.AST):
                todo.append(value)


Span = tuple[str, int, int, int, int]
"""Where a token stands: file, first line, its UTF-8 byte column, last line, the column after it (as ``ast`` gives)."""


def _span(file: str, node: ast.AST) -> Span | None:
    line, col = getattr(node, "lineno", None), getattr(node, "col_offset", None)
    end, end_col = getattr(node, "end_lineno", None), getattr(node, "end_col_offset", None)
    if line is None or col is None or end is None or end_col is None:
        return None
    return (file, line, col, end, end_col)


class _Tokens(ast.NodeVisitor):
    """The normalised tokens of a node and, beside each, the source it stands for where that is one piece of text
    (a name, a literal, ``.attr``, ``kw=``, an argument, a statement with nothing inside: ``pass``); the tokens of a
    node with parts (``Call``, ``FunctionDef``) stand for no text of their own."""

    def __init__(self, own_attrs: set[str], file: str = "") -> None:
        self.out: list[str] = []
        self.where: list[Span | None] = []
        self.own_attrs = own_attrs
        self.file = file
        self._inside: Span | None = None  # an f-string: its parts' positions are not reliable before 3.12

    def _emit(self, token: str, span: Span | None) -> None:
        self.out.append(token)
        self.where.append(self._inside or span)

    def generic_visit(self, node: ast.AST) -> None:
        if isinstance(node, (ast.expr_context, ast.Load, ast.Store, ast.Del)):
            return
        if (isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)
                and isinstance(node.value.value, str)):
            return  # a docstring
        if isinstance(node, ast.Name):
            self._emit(node.id if node.id in _BUILTINS else "N", _span(self.file, node))
            return
        if isinstance(node, ast.Constant):
            self._emit("C", _span(self.file, node))
            return
        if isinstance(node, ast.Attribute):
            self.generic_visit(node.value)
            whole, value = _span(self.file, node), _span(self.file, node.value)
            self._emit(".N" if node.attr in self.own_attrs else f".{node.attr}",
                       (self.file, value[3], value[4], whole[3], whole[4]) if whole and value else whole)
            return
        if isinstance(node, ast.keyword):
            whole, value = _span(self.file, node), _span(self.file, node.value)
            self._emit(f"kw:{node.arg}", (self.file, whole[1], whole[2], value[1], value[2]) if whole and value else None)
            self.generic_visit(node.value)
            return
        if isinstance(node, ast.arg):
            self._emit("arg", _span(self.file, node))
            return
        if isinstance(node, ast.ClassDef):
            self._emit("class", None)
            for base in node.bases:
                self.generic_visit(base)
            parts = []
            for stmt in node.body:
                sub = _Tokens(self.own_attrs, self.file)
                sub._inside = self._inside
                sub.generic_visit(stmt)
                if sub.out:
                    parts.append((sub.out, sub.where))
            for out, where in sorted(parts, key=lambda part: part[0]):  # the order of the methods is not the code's
                self.out += out
                self.where += where
            return
        outer = self._inside
        if isinstance(node, ast.JoinedStr) and outer is None:
            self._inside = _span(self.file, node)
        before = len(self.out)
        self._emit(type(node).__name__, None)
        for field in node._fields:  # ast.NodeVisitor.generic_visit's order, without its generators
            value = getattr(node, field, None)
            if isinstance(value, list):
                for item in value:
                    if isinstance(item, ast.AST):
                        self.generic_visit(item)
            elif isinstance(value, ast.AST):
                self.generic_visit(value)
        self._inside = outer
        if len(self.out) == before + 1:  # nothing inside (pass, break, a bare return): the token is the text
            self.where[before] = self._inside or _span(self.file, node)


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


def _names(node: ast.AST) -> list[str]:
    """The names ``node`` uses, each once, in the order :func:`_walk` meets them."""
    return list(dict.fromkeys(sub.id for sub in _walk(node) if isinstance(sub, ast.Name)))


def _with_helpers(name: str, defs: Mapping[str, tuple[str, ast.AST]], exercises: set[str],
                  names: Mapping[int, list[str]] | None = None) -> list[ast.AST]:
    """The definition of ``name`` and the non-exercise helpers it reaches, helpers in a fixed order later.
    ``names``: :func:`_names` of each definition (by ``id``), where already known."""
    seen = {name}
    todo = [name]
    nodes: list[ast.AST] = []
    while todo:
        current = todo.pop()
        node = defs[current][1]
        nodes.append(node)
        for used in (names[id(node)] if names is not None else _names(node)):
            if used in defs and used not in seen and used not in exercises:
                seen.add(used)
                todo.append(used)
    return nodes


def _survey(trees: Mapping[str, ast.Module]) -> tuple[dict[int, list[str]], set[str]]:
    """One walk over ``trees``: the names each top-level statement uses (by ``id``, see :func:`_names`) and the
    attribute names the code gives values to (``self.w_q = ...``: chosen by the student, so abstracted)."""
    names: dict[int, list[str]] = {}
    attrs: set[str] = set()
    for tree in trees.values():
        for top in tree.body:
            used: dict[str, None] = {}
            for sub in _walk(top):
                if isinstance(sub, ast.Name):
                    used[sub.id] = None
                elif isinstance(sub, ast.Attribute) and isinstance(sub.ctx, ast.Store):
                    attrs.add(sub.attr)
            names[id(top)] = list(used)
    return names, attrs


def _streams(files: Mapping[str, str], spec: Assignment) -> dict[str, tuple[list[str], list[Span | None]]]:
    """Per exercise of ``spec``, the normalised tokens of its code in ``files`` and where each stands."""
    trees = {f: t for f, src in files.items() if (t := _parse(src)) is not None}
    defs = _definitions(trees)
    where = {id(node): file for file, node in defs.values()}
    names, own_attrs = _survey(trees)
    ids = {e.id for e in spec.exercises}
    out: dict[str, tuple[list[str], list[Span | None]]] = {}
    for e in spec.exercises:
        if e.id not in defs:
            continue
        first, *helpers = _with_helpers(e.id, defs, ids, names)
        streams = []
        for node in helpers:
            visitor = _Tokens(own_attrs, where[id(node)])
            visitor.generic_visit(node)
            streams.append((visitor.out, visitor.where))
        visitor = _Tokens(own_attrs, where[id(first)])
        visitor.generic_visit(first)
        tokens, spans = visitor.out, visitor.where
        for more, more_spans in sorted(streams, key=lambda stream: stream[0]):
            tokens, spans = tokens + more, spans + more_spans
        out[e.id] = (tokens, spans)
    return out


def normalise(files: Mapping[str, str], spec: Assignment) -> dict[str, list[str]]:
    """Per exercise of ``spec``, the normalised tokens of its code in ``files`` (file name -> source)."""
    return {ex: tokens for ex, (tokens, _) in _streams(files, spec).items()}


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


def distinctive(submissions: Mapping[str, Mapping[str, str]], spec: Assignment,
                base: Mapping[str, set[int]] | None = None) -> dict[str, dict[str, set[int]]]:
    """Per submission and exercise, the fingerprints that can count: not the reference's, not the stubs' (``base``),
    not held by more than half of the class."""
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
    return prints


def compare(submissions: Mapping[str, Mapping[str, str]], spec: Assignment, *, threshold: float = THRESHOLD,
            base: Mapping[str, set[int]] | None = None,
            prints: Mapping[str, Mapping[str, set[int]]] | None = None) -> list[Pair]:
    """The pairs of ``submissions`` (name -> file name -> source) whose distinctive code is shared at least
    ``threshold``, most similar first. ``prints``: their :func:`distinctive` fingerprints, where already known."""
    prints = distinctive(submissions, spec, base) if prints is None else prints
    if MIN_SHARED <= 0 and threshold <= 0:  # every pair asked for, sharing nothing included (the output is quadratic)
        names = sorted(prints)
        candidates = {(a, b) for i, a in enumerate(names) for b in names[i + 1:]}
    else:
        candidates = _candidates(prints, threshold)
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


CANDIDATE_BLOCK = 128
"""Submissions whose fingerprints are multiplied at once in :func:`_candidates` (memory: this many times the number
of distinct fingerprints in the class, in float32)."""


def _candidates(prints: Mapping[str, Mapping[str, set[int]]], threshold: float) -> set[tuple[str, str]]:
    """The pairs (in name order) whose whole-submission counts can reach the threshold, from every pair's count of
    shared fingerprints at once: a 0/1 matrix of submissions by fingerprints times its own transpose, by blocks
    of columns (torch, sparse times dense). In a class that shares many idioms every pair shares some fingerprint,
    so an index of who holds what still scores nearly every pair, one set operation at a time (23 s at 600
    students); the product is the same count for all of them in C (under half a second). The filter is loose by
    1e-3 on the ratio; the pairs it keeps are scored exactly by the caller, as before."""
    import warnings

    import torch

    names = sorted(prints)
    ids: dict[tuple[str, int], int] = {}
    rows: list[int] = []
    cols: list[int] = []
    sizes: list[int] = []
    for i, name in enumerate(names):
        size = 0
        for ex, fps in prints[name].items():
            cols.extend(ids.setdefault((ex, fp), len(ids)) for fp in fps)
            size += len(fps)
        rows.extend([i] * size)
        sizes.append(size)
    if not ids:
        return set()
    found: set[tuple[str, str]] = set()
    with warnings.catch_warnings():  # torch's sparse layouts announce themselves as beta
        warnings.simplefilter("ignore")
        matrix = torch.sparse_coo_tensor(torch.tensor([rows, cols]), torch.ones(len(rows)), (len(names), len(ids)))
        matrix = matrix.coalesce()
        csr = matrix.to_sparse_csr()
        held = torch.tensor(sizes, dtype=torch.float32)
        for start in range(0, len(names), CANDIDATE_BLOCK):
            block = torch.arange(start, min(start + CANDIDATE_BLOCK, len(names)))
            shared = csr @ matrix.index_select(0, block).to_dense().T  # [every submission, this block]
            union = (held[:, None] + held[block][None, :] - shared).clamp(min=1)
            keep = (shared >= MIN_SHARED) & (shared >= (threshold - 1e-3) * union)
            for i, j in keep.nonzero().tolist():
                if i < start + j:
                    found.add((names[i], names[start + j]))
    return found


# --- writing --------------------------------------------------------------------------------------

def csv_text(pairs: Sequence[Pair]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["a", "b", "score", "exercises"])
    for p in pairs:
        writer.writerow([clean.csv_cell(clean.name(p.a)), clean.csv_cell(clean.name(p.b)), p.score,
                         clean.csv_cell(";".join(p.exercises))])
    return buffer.getvalue()


# --- what is alike, for a person to read ------------------------------------------------------------

@dataclass(frozen=True)
class Line:
    number: int
    text: str
    """As written (the page escapes it)."""
    marks: tuple[tuple[int, int, int], ...] = ()
    """The shared code on this line: (start, end, fragment) in characters; the same fragment number in both
    submissions marks the same run of shared fingerprints."""


@dataclass(frozen=True)
class Block:
    fold: str
    """``""``: shown; ``"doc"``, ``"starter"`` or ``"both"``: docstrings and untouched starter code, folded away."""
    lines: tuple[Line, ...]


@dataclass(frozen=True)
class Part:
    """One definition (the exercise's, or a helper it calls) as it stands in its file."""

    file: str
    blocks: tuple[Block, ...]


@dataclass(frozen=True)
class Alike:
    """One exercise of a pair: its distinctive fingerprints in common, of all the two have, and both sides' code."""

    exercise: str
    shared: int
    total: int
    a: tuple[Part, ...]
    b: tuple[Part, ...]


def side_by_side(files_a: Mapping[str, str], files_b: Mapping[str, str], spec: Assignment,
                 prints_a: Mapping[str, set[int]], prints_b: Mapping[str, set[int]], exercises: Sequence[str] = (),
                 stubs: Mapping[str, str] | None = None) -> list[Alike]:
    """The code of ``exercises`` in two submissions (all those where they share anything, when none are named),
    the fingerprints they share (of their :func:`distinctive` ones, ``prints_a`` and ``prints_b``) marked on the
    source they come from, docstrings and the lines left as the starter code (``stubs``) has them folded."""
    if stubs is None:
        stubs = read_folder(spec.stubs, spec.files) if spec.stubs is not None and spec.stubs.is_dir() else {}
    files_a, files_b = ({f: _unix(src) for f, src in files.items()} for files in (files_a, files_b))
    streams_a, streams_b = _streams(files_a, spec), _streams(files_b, spec)
    wanted = list(exercises) or [e.id for e in spec.exercises
                                 if prints_a.get(e.id, set()) & prints_b.get(e.id, set())]
    out = []
    for ex in wanted:
        shared = prints_a.get(ex, set()) & prints_b.get(ex, set())
        numbers: dict[int, int] = {}
        tokens_a, spans_a = streams_a.get(ex, ([], []))
        tokens_b, spans_b = streams_b.get(ex, ([], []))
        marks_a = _fragments(tokens_a, shared, numbers, grow=True)
        marks_b = _fragments(tokens_b, shared, numbers, grow=False)
        starter = [line.strip() for part in _parts(_unixed(stubs), spec, ex) for line in part[2]]
        out.append(Alike(ex, len(shared), len(prints_a.get(ex, set()) | prints_b.get(ex, set())),
                         _view(files_a, spec, ex, spans_a, marks_a, starter),
                         _view(files_b, spec, ex, spans_b, marks_b, starter)))
    return out


def _unix(source: str) -> str:
    return source.replace("\r\n", "\n").replace("\r", "\n")


def _unixed(files: Mapping[str, str]) -> dict[str, str]:
    return {f: _unix(src) for f, src in files.items()}


def _fragments(tokens: Sequence[str], shared: set[int], numbers: dict[int, int], *, grow: bool) -> list[int]:
    """Per token, the number of the first shared fragment covering it (0: none). A fragment is a run of tokens
    covered by shared windows in the first submission (``grow``); the second takes the first's numbers."""
    out = [0] * len(tokens)
    windows = [(i, i + K) for i in range(len(tokens) - K + 1)] if len(tokens) >= K else [(0, len(tokens))]
    covered, count = 0, max(numbers.values(), default=0)
    for start, end in windows:
        fp = _hash(tokens[start:end]) if end > start else None
        if fp is None or fp not in shared:
            continue
        if grow and fp not in numbers:
            count += start >= covered
            numbers[fp] = count
        covered = end
        number = numbers.get(fp, 0)
        for t in range(start, end):
            out[t] = out[t] or number
    return out


def _parts(files: Mapping[str, str], spec: Assignment, exercise: str) -> list[tuple[str, int, list[str], ast.AST]]:
    """The exercise's definition and its helpers: (file, first line, the lines, the node)."""
    trees = {f: t for f, src in files.items() if (t := _parse(src)) is not None}
    defs = _definitions(trees)
    if exercise not in defs:
        return []
    where = {id(node): file for file, node in defs.values()}
    out = []
    for node in _with_helpers(exercise, defs, {e.id for e in spec.exercises}):
        file = where[id(node)]
        first = min([node.lineno, *(d.lineno for d in getattr(node, "decorator_list", []))])  # type: ignore[attr-defined]
        lines = files[file].split("\n")[first - 1:node.end_lineno]  # type: ignore[attr-defined]
        out.append((file, first, lines, node))
    return out


def _column(text: str, byte: int) -> int:
    """``ast``'s UTF-8 byte column as a character index in ``text``."""
    return len(text.encode("utf-8", "surrogatepass")[:byte].decode("utf-8", "ignore"))


def _view(files: Mapping[str, str], spec: Assignment, exercise: str, spans: Sequence[Span | None],
          marks: Sequence[int], starter: Sequence[str]) -> tuple[Part, ...]:
    parts = _parts(files, spec, exercise)
    texts = {(file, first + i): line for file, first, lines, _ in parts for i, line in enumerate(lines)}
    segments: dict[tuple[str, int], list[tuple[int, int, int]]] = {}
    for span, number in zip(spans, marks, strict=True):
        if span is None:
            continue
        file, line, col, end_line, end_col = span
        for at in range(line, end_line + 1):
            text = texts.get((file, at))
            if text is not None:
                start = _column(text, col) if at == line else 0
                end = _column(text, end_col) if at == end_line else len(text)
                segments.setdefault((file, at), []).append((start, end, number))
    out = []
    for file, first, lines, node in parts:
        docs = {n for sub in ast.walk(node) if isinstance(sub, ast.Expr) and isinstance(sub.value, ast.Constant)
                and isinstance(sub.value.value, str) for n in range(sub.lineno, (sub.end_lineno or sub.lineno) + 1)}
        mine = [line.strip() or f"\0{i}" for i, line in enumerate(lines)]
        matcher = difflib.SequenceMatcher(None, mine, list(starter), autojunk=False)
        untouched = {first + block.a + i for block in matcher.get_matching_blocks() for i in range(block.size)}
        shown = [Line(first + i, line, () if first + i in untouched else _marks(line, segments.get((file, first + i), [])))
                 for i, line in enumerate(lines)]
        kinds = ["doc" if ln.number in docs else "starter" if ln.number in untouched else
                 "blank" if not ln.text.strip() else "code" for ln in shown]
        out.append(Part(file, tuple(_blocks(shown, kinds))))
    return tuple(out)


def _marks(text: str, segments: list[tuple[int, int, int]]) -> tuple[tuple[int, int, int], ...]:
    """Runs of shared tokens on one line as character ranges, with what lies between them (operators, brackets)
    and, at the ends of the line, its keywords and closing brackets (a trailing comment is not code). A line with one
    or two shared tokens among more that are not keeps no mark: a window's edge reaching into the next statement
    (``x = ...`` starts many) says nothing a person should look at."""
    segments = sorted(set(segments))
    shared = sum(1 for *_, number in segments if number)
    if shared < 3 and 2 * shared < len(segments):
        return ()
    out: list[tuple[int, int, int]] = []
    i = 0
    while i < len(segments):
        number = segments[i][2]
        j = i
        while j + 1 < len(segments) and segments[j + 1][2] == number:
            j += 1
        if number:
            start, end = segments[i][0], max(s[1] for s in segments[i:j + 1])
            if i == 0:
                start = len(text) - len(text.lstrip())
            if j == len(segments) - 1:
                rest = text[end:].split("#", 1)[0]
                end += len(rest.rstrip())
            start = max(start, out[-1][1] if out else 0)
            if start < end:
                out.append((start, end, number))
        i = j + 1
    return tuple(out)


def _blocks(lines: Sequence[Line], kinds: Sequence[str]) -> list[Block]:
    """The lines in blocks: a run of docstrings, untouched starter code and blank lines is folded when it holds a
    docstring or two lines of starter code."""
    out: list[Block] = []
    i = 0
    while i < len(lines):
        j = i
        while j < len(lines) and kinds[j] in ("doc", "starter", "blank"):
            j += 1
        run = kinds[i:j]
        if run and ("doc" in run or run.count("starter") >= 2):
            fold = "both" if "doc" in run and "starter" in run else "doc" if "doc" in run else "starter"
            out.append(Block(fold, tuple(lines[i:j])))
            i = j
            continue
        j = max(j, i + 1)
        while j < len(lines) and kinds[j] not in ("doc", "starter"):
            j += 1
        if out and not out[-1].fold:
            out[-1] = Block("", out[-1].lines + tuple(lines[i:j]))
        else:
            out.append(Block("", tuple(lines[i:j])))
        i = j
    return out
