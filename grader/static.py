"""Reading the student's source without running it: forbidden shortcuts, and code that is not allowed.

Every ``.py`` file of the submission is read (not only the exercises' files: a helper module runs as
soon as an exercise's file imports it), except in ``__pycache__``, ``.git`` and ``.ipynb_checkpoints``
(never copied into the sandbox). The sandbox backs this scan with a second wall,
:mod:`grader.sandbox.tripwire`, which catches a forbidden call that the source hides.

What is ignored
    The body of a top-level ``if __name__ == "__main__":`` (exactly that test, no ``else`` body),
    which never runs under the grader: a student may compare with PyTorch there. Not when the file
    rebinds ``__name__`` or holds the string ``"__name__"``. Docstrings and other bare string
    statements are not code (``__doc__`` is flagged instead, below).

Forbidden names (kind ``forbidden``; message ``check.forbidden``)
    An exercise's ``forbidden`` lists dotted names that would do its work (``F.scaled_dot_product_attention``),
    and packages written ``P.*`` (``torch.nn.attention.*``): a resolved path, import or dotted string under P is a
    use, reported as the path used (``torch.nn.attention.flex_attention.flex_attention``); P's last component is
    not matched on its own (``attention`` names too many other things). For a name N with last component C, a
    use is:

    - a name or attribute chain that resolves, through imports, simple assignments (``G = F``,
      ``sdpa = F.scaled_dot_product_attention``) and argument defaults, to N, to something under N,
      or to any path outside the submission with C as a component (``torch._C._nn.scaled_dot_product_attention``,
      ``torch.nn.modules.activation.MultiheadAttention``); ``getattr(x, "c")``, ``x.__dict__["c"]`` and
      ``vars(x)["c"]`` are read as ``x.c``; an import of N counts as a use;
    - an attribute ``.C`` on anything that cannot be resolved, unless the submission itself defines
      something called C (its own ``scaled_dot_product_attention``, a method of that name);
    - a string: a literal, or an expression of literals (``+``, ``%``, ``*``, f-strings, ``join``,
      ``format``, ``replace``, case changes, slicing, ``chr``), that equals C or is a dotted path with
      C as a component (``"scaled_dot_product_attention"``, ``"nn.MultiheadAttention"``); and
      identifier-like literals that follow one another in a file (other code between them allowed)
      and together spell C, underscores ignored (``"scaled_dot_" ... "product_attention"``).

Not allowed anywhere (a shortcut or a way around this scan; the kinds and their message keys)
    ``dynamic_code`` (``check.dynamic_code``): the builtins ``eval``, ``exec``, ``compile`` (as names,
        called or not, unless the file binds that name itself by def, class, import or argument);
        ``types.CodeType``/``FunctionType``/``ModuleType``; the modules ``code``, ``codeop``,
        ``marshal``, ``pickle``, ``_pickle``, ``dill``, ``cloudpickle``, ``shelve``, ``copyreg``;
        ``torch.load``, ``torch.jit.load``, ``torch.package``, ``torch.hub``.
    ``import_machinery`` (``check.import_machinery``): ``__import__``, ``__loader__``, ``__spec__``
        (names or attributes), the modules ``importlib``, ``imp``, ``builtins``, ``__builtin__``,
        ``runpy``, ``zipimport``, ``pkgutil``, ``modulefinder``; ``sys.modules``, ``sys.meta_path``,
        ``sys.path_hooks``, ``sys.path_importer_cache``. ``sys.path`` is allowed (students add their folder
        to it to import their own modules, which are scanned wherever they are in the submission; code in
        an archive put on it is not read here, and meets the tripwire).
    ``torch_internals`` (``check.torch_internals``): ``torch.ops``, ``torch._C``, every other private
        ``torch`` name (a component starting with one underscore: ``torch._native_multi_head_attention``),
        ``torch.library``, ``torch.classes``, ``torch.overrides``, ``torch.utils.cpp_extension``;
        ``__torch_function__`` and ``__torch_dispatch__`` (defined or used).
    ``native_code`` (``check.native_code``): the modules ``ctypes``, ``_ctypes``, ``cffi``, ``subprocess``,
        ``_posixsubprocess``, ``multiprocessing``, ``pty``, ``posix``; ``os.system``, ``os.popen``,
        ``os.exec*``, ``os.spawn*``, ``os.posix_spawn*``, ``os.fork*``.
    ``introspection`` (``check.introspection``): the module ``gc``; ``sys._getframe``, ``sys.settrace``,
        ``sys.setprofile``, ``sys.addaudithook``; ``inspect.currentframe``, ``stack``, ``trace``,
        ``getouterframes``, ``getinnerframes``, ``getmembers``, ``getmembers_static``; the attributes
        ``__globals__``, ``__code__``, ``__closure__``, ``__builtins__``, ``__subclasses__``, ``__self__``,
        ``__wrapped__``, ``__getattribute__``, ``__doc__`` and the frame attributes ``f_globals``,
        ``f_locals``, ``f_builtins``, ``f_back``, ``f_code``, ``tb_frame``, ``gi_frame``, ``cr_frame``,
        ``ag_frame`` (on anything; also as string literals); ``__dict__`` and ``vars()`` of an imported
        module; ``getattr``/``setattr``/``delattr`` on an imported module with a name computed at run
        time; ``getattr``, ``setattr``, ``vars`` used as values (``reduce(getattr, ...)``);
        ``operator.attrgetter``/``methodcaller`` with a computed name.
    ``compiled`` (``check.compiled_file``): a compiled file in the submission (``.pyc``, ``.pyo``, ``.so``,
        ``.pyd``): importable, and unreadable here.
    ``unscannable`` (``check.unscannable``): a file too large (over 2 MB) or too deeply nested to read,
        or more than 1000 files.
    Strings naming those modules (``"importlib"``, ``"torch._C"``, ``"ctypes"``, ...) count too.
    Syntax errors are left to the sandbox, which reports them with the file and line.

Which exercise loses points
    A use inside an exercise's definition (a top-level function or class) counts for that exercise;
    inside a top-level function or class of the same file that exercises reach by name (directly or
    through other such helpers), for those exercises. Anywhere else (module-level statements, helpers no
    exercise names, other files), a forbidden name counts for every exercise of the submission that
    forbids it, and everything not allowed counts for every exercise of the submission: such code
    runs on import and can reach any of them. Forbidden names count only for exercises that forbid them.
"""

from __future__ import annotations

import ast
import io
import os
import re
import tokenize
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from grader import safefs

FORBIDDEN = "forbidden"
WHOLE = ".*"
"""A forbidden entry ending so (``torch.nn.attention.*``) forbids a package or module with everything under it."""
DYNAMIC = "dynamic_code"
IMPORTS = "import_machinery"
TORCH = "torch_internals"
NATIVE = "native_code"
INTROSPECTION = "introspection"
COMPILED = "compiled"
UNSCANNABLE = "unscannable"

MESSAGE_KEYS = {
    FORBIDDEN: "check.forbidden",
    DYNAMIC: "check.dynamic_code",
    IMPORTS: "check.import_machinery",
    TORCH: "check.torch_internals",
    NATIVE: "check.native_code",
    INTROSPECTION: "check.introspection",
    COMPILED: "check.compiled_file",
    UNSCANNABLE: "check.unscannable",
}
"""The message for each kind of finding; every message takes ``file``, ``line`` and ``name``."""

IGNORED_DIRS = frozenset({"__pycache__", ".git", ".ipynb_checkpoints"})
"""Folders the runner never copies into the sandbox."""
COMPILED_SUFFIXES = (".pyc", ".pyo", ".so", ".pyd")
MAX_FILE_BYTES = 512 * 1024
MAX_SCAN_BYTES = 1024 * 1024
"""Source read per submission in all (the course's solutions are about 25 KB): more is not scanned,
and the scan's cost in the grading process stays bounded (a few seconds at worst)."""
MAX_FILES = 1000
SOURCE_ENCODINGS = frozenset({"utf-8", "utf-8-sig", "ascii", "us-ascii"})
"""Source encodings read here; a coding cookie that names another (utf-7 hides code in a comment) is
not scannable, so not allowed."""
MAX_FOLDED = 10_000
"""Longest string built while evaluating an expression of literals (a bigger one is not a name)."""

NOT_ALLOWED_PATHS: dict[str, str] = {
    **dict.fromkeys(("code", "codeop", "marshal", "pickle", "_pickle", "dill", "cloudpickle", "shelve", "copyreg",
                     "types.CodeType", "types.FunctionType", "types.ModuleType", "torch.load", "torch.jit.load",
                     "torch.package", "torch.hub"), DYNAMIC),
    **dict.fromkeys(("importlib", "imp", "builtins", "__builtin__", "runpy", "zipimport", "pkgutil", "modulefinder",
                     "sys.modules", "sys.meta_path", "sys.path_hooks", "sys.path_importer_cache",
                     # the grader's own code, which runs beside the student's in the child
                     "grader", "__main__", "safetensors"), IMPORTS),
    **dict.fromkeys(("torch.ops", "torch._C", "torch.library", "torch.classes", "torch.overrides",
                     "torch.utils.cpp_extension"), TORCH),
    **dict.fromkeys(("ctypes", "_ctypes", "cffi", "subprocess", "_posixsubprocess", "multiprocessing", "pty", "posix",
                     "os.system", "os.popen"), NATIVE),
    **dict.fromkeys(("gc", "sys._getframe", "sys.settrace", "sys.setprofile", "sys.addaudithook",
                     "inspect.currentframe", "inspect.stack", "inspect.trace", "inspect.getouterframes",
                     "inspect.getinnerframes", "inspect.getmembers", "inspect.getmembers_static"), INTROSPECTION),
}
"""Dotted paths not allowed, with everything under them (``importlib.import_module``)."""
OS_PROCESS = re.compile(r"os\.(exec|spawn|posix_spawn|fork)\w*$")
NAMED_MODULES = frozenset({"importlib", "builtins", "__builtin__", "ctypes", "_ctypes", "cffi", "runpy", "zipimport",
                           "marshal", "subprocess", "multiprocessing", "_posixsubprocess", "grader"})
"""Single-word strings that name a module not allowed (longer dotted strings are checked like paths)."""

BUILTIN_NAMES = {"eval": DYNAMIC, "exec": DYNAMIC, "compile": DYNAMIC, "__import__": IMPORTS,
                 "__loader__": IMPORTS, "__spec__": IMPORTS, "__builtins__": INTROSPECTION, "__doc__": INTROSPECTION}
"""Bare names not allowed unless the file binds them itself (by def, class, import or argument)."""
ATTRIBUTES = {
    **dict.fromkeys(("__import__", "__loader__", "__spec__"), IMPORTS),
    **dict.fromkeys(("__torch_function__", "__torch_dispatch__"), TORCH),
    **dict.fromkeys(("__globals__", "__code__", "__closure__", "__builtins__", "__subclasses__", "__self__",
                     "__wrapped__", "__getattribute__", "__doc__", "f_globals", "f_locals", "f_builtins", "f_back",
                     "f_code", "tb_frame", "gi_frame", "cr_frame", "ag_frame"), INTROSPECTION),
}
"""Attributes not allowed on anything (also as string literals and, for the dunders, as defined names)."""
VALUE_BUILTINS = frozenset({"getattr", "setattr", "delattr", "vars"})
"""Builtins that look names up: fine when called directly, not allowed when passed around as values."""

_FRAGMENT = re.compile(r"[A-Za-z0-9_]+")
_DOTTED = re.compile(r"[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*")


@dataclass(frozen=True)
class ForbiddenUse:
    """One finding: a forbidden name, or code that is not allowed, charged to one exercise."""

    exercise: str
    name: str
    """What was found: the forbidden dotted name (``torch.nn.MultiheadAttention``), or what is not allowed
    (``eval``, ``importlib.import_module``, ``torch.ops.aten.mm``, a file name for ``compiled``)."""
    line: int
    file: str = ""
    """The file, relative to the submission (``/``-separated)."""
    kind: str = FORBIDDEN
    """``forbidden`` or one of the kinds not allowed (see the module's docstring)."""

    @property
    def key(self) -> str:
        """The message key for this finding (params: file, line, name)."""
        return MESSAGE_KEYS[self.kind]


@dataclass(frozen=True)
class _Hit:
    kind: str
    name: str
    """What was found (for a forbidden package, the path used: ``torch.nn.attention.flex_attention.flex_attention``)."""
    line: int
    entry: str = ""
    """The forbidden entry it falls under (``torch.nn.attention.*``), when that is not ``name`` itself."""


# --- reading one file ------------------------------------------------------------------------------

def _is_main_block(node: ast.stmt) -> bool:
    """Exactly ``if __name__ == "__main__":``."""
    if not isinstance(node, ast.If) or not isinstance(node.test, ast.Compare):
        return False
    t = node.test
    return (isinstance(t.left, ast.Name) and t.left.id == "__name__" and len(t.ops) == 1
            and isinstance(t.ops[0], ast.Eq) and len(t.comparators) == 1
            and isinstance(t.comparators[0], ast.Constant) and t.comparators[0].value == "__main__")


def _rebinds_name(nodes: Iterable[ast.AST]) -> bool:
    for n in nodes:
        if isinstance(n, ast.Name) and n.id == "__name__" and not isinstance(n.ctx, ast.Load):
            return True
        if isinstance(n, (ast.Global, ast.Nonlocal)) and "__name__" in n.names:
            return True
        if isinstance(n, ast.alias) and (n.asname or n.name) == "__name__":
            return True
        if isinstance(n, ast.Constant) and isinstance(n.value, str) and "__name__" in n.value:
            return True
        if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and n.name == "__name__":
            return True
        if isinstance(n, ast.arg) and n.arg == "__name__":
            return True
    return False


_NOISE = (ast.expr_context, ast.operator, ast.cmpop, ast.unaryop, ast.boolop)
"""Nodes that carry nothing to scan (Load, Add, Eq, ...)."""


def _flatten(roots: Iterable[ast.AST], parents: dict[int, ast.AST]) -> list[ast.AST]:
    """Every node under ``roots`` (in source order, roughly), recording each one's parent."""
    out: list[ast.AST] = []
    stack = list(roots)[::-1]
    while stack:
        node = stack.pop()
        out.append(node)
        children = [c for c in ast.iter_child_nodes(node) if not isinstance(c, _NOISE)]
        for child in children:
            parents[id(child)] = node
        stack += children[::-1]
    return out


def _const_str(node: ast.AST) -> str | None:
    if isinstance(node, ast.Constant):
        if isinstance(node.value, str):
            return node.value
        if isinstance(node.value, bytes):
            return node.value.decode("latin-1")
    return None


_FORMAT_SPEC = re.compile(r"%[^a-zA-Z%]*\d|\{[^}]*[:!]")


def _fold(node: ast.AST, depth: int = 0) -> str | list[str] | int | None:
    """The value of an expression made only of literals (a string, a list of strings or a small int), or None."""
    if depth > 40:
        return None
    d = depth + 1
    if isinstance(node, ast.Constant):
        if isinstance(node.value, bool):
            return None
        if isinstance(node.value, int):
            return node.value if -MAX_FOLDED <= node.value <= 0x10FFFF else None
        return _const_str(node)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        value = _fold(node.operand, d)
        return -value if isinstance(value, int) else None
    if isinstance(node, (ast.List, ast.Tuple)):
        items = [_fold(e, d) for e in node.elts[:200]]
        return items if len(node.elts) <= 200 and all(isinstance(i, (str, int)) for i in items) else None  # type: ignore[return-value]
    if isinstance(node, ast.JoinedStr):
        parts = []
        for v in node.values:
            if isinstance(v, ast.FormattedValue):
                if v.format_spec is not None or v.conversion not in (-1, 115):
                    return None
                v = v.value
            s = _fold(v, d)
            if not isinstance(s, (str, int)):
                return None
            parts.append(str(s))
        return _capped("".join(parts))
    if isinstance(node, ast.BinOp):
        left, right = _fold(node.left, d), _fold(node.right, d)
        if isinstance(node.op, ast.Add) and isinstance(left, str) and isinstance(right, str):
            return _capped(left + right)
        if isinstance(node.op, ast.Mult) and isinstance(left, str) and isinstance(right, int) and \
                len(left) * max(right, 0) <= MAX_FOLDED:
            return left * right
        if isinstance(node.op, ast.Mod) and isinstance(left, str) and not _FORMAT_SPEC.search(left) and \
                isinstance(right, (str, list)):
            try:
                return _capped(left % (tuple(right) if isinstance(right, list) else right))
            except (TypeError, ValueError, OverflowError):
                return None
        return None
    if isinstance(node, ast.Subscript):
        value = _fold(node.value, d)
        if not isinstance(value, (str, list)):
            return None
        sl = node.slice
        try:
            if isinstance(sl, ast.Slice):
                bounds = [None if b is None else _fold(b, d) for b in (sl.lower, sl.upper, sl.step)]
                if any(b is not None and not isinstance(b, int) for b in bounds) or bounds[2] == 0:
                    return None
                return value[slice(*bounds)]  # type: ignore[misc,arg-type]
            index = _fold(sl, d)
            return value[index] if isinstance(index, int) else None
        except IndexError:
            return None
    if isinstance(node, ast.Call) and not node.keywords:
        return _fold_call(node, d)
    return None


def _fold_call(node: ast.Call, d: int) -> str | list[str] | int | None:
    func = node.func
    args = [_fold(a, d) for a in node.args]
    if isinstance(func, ast.Name):
        if func.id == "chr" and len(args) == 1 and isinstance(args[0], int) and 0 <= args[0] <= 0x10FFFF:
            return chr(args[0])
        if func.id == "str" and len(args) == 1 and isinstance(args[0], str):
            return args[0]
        if func.id in ("list", "tuple", "reversed", "sorted") and len(args) == 1 and isinstance(args[0], (str, list)):
            items = list(args[0])
            return items[::-1] if func.id == "reversed" else sorted(items) if func.id == "sorted" else items  # type: ignore[type-var]
        if func.id == "map" and len(node.args) == 2 and isinstance(node.args[0], ast.Name) and \
                node.args[0].id in ("chr", "str") and isinstance(args[1], list):
            if node.args[0].id == "str":
                return [str(i) for i in args[1]]
            if all(isinstance(i, int) and 0 <= i <= 0x10FFFF for i in args[1]):
                return [chr(i) for i in args[1]]  # type: ignore[arg-type]
        return None
    if not isinstance(func, ast.Attribute):
        return None
    base = _fold(func.value, d)
    if not isinstance(base, str) or not all(isinstance(a, (str, int, list)) for a in args):
        return None
    method = func.attr
    try:
        if method == "join" and len(args) == 1 and isinstance(args[0], (list, str)) and \
                all(isinstance(i, str) for i in args[0]):
            return _capped(base.join(args[0]))  # type: ignore[arg-type]
        if method == "format" and not _FORMAT_SPEC.search(base) and all(isinstance(a, (str, int)) for a in args):
            return _capped(base.format(*args))
        if method == "replace" and len(args) in (2, 3) and isinstance(args[0], str) and isinstance(args[1], str):
            return _capped(base.replace(*args))  # type: ignore[arg-type]
        if method in ("lower", "upper", "title", "capitalize", "swapcase", "strip", "lstrip", "rstrip",
                      "casefold") and not args:
            return getattr(base, method)()
        if method in ("removeprefix", "removesuffix", "strip", "lstrip", "rstrip") and len(args) == 1 and \
                isinstance(args[0], str):
            return getattr(base, method)(args[0])
        if method == "split" and len(args) <= 1 and all(isinstance(a, str) for a in args):
            return base.split(*args)  # type: ignore[arg-type]
        if method == "decode" and len(args) <= 1:
            return base
        if method == "encode" and len(args) <= 1:
            return base
    except (ValueError, IndexError, KeyError, TypeError):
        return None
    return None


def _capped(s: str) -> str | None:
    return s if len(s) <= MAX_FOLDED else None


class _File:
    """One parsed file of the submission and what the scan needs to know about it."""

    def __init__(self, rel: str, tree: ast.Module, own_modules: frozenset[str]) -> None:
        self.rel, self.tree, self.own_modules = rel, tree, own_modules
        self.parents: dict[int, ast.AST] = {}
        module: list[ast.AST] = []
        main_test: list[ast.AST] = []
        main_body: list[ast.AST] = []
        self.defs: dict[str, list[ast.AST]] = {}
        for stmt in tree.body:
            if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                self.defs.setdefault(stmt.name, []).extend(_flatten([stmt], self.parents))
            elif _is_main_block(stmt):
                assert isinstance(stmt, ast.If)
                main_test += [stmt, *_flatten([stmt.test, *stmt.orelse], self.parents)]
                main_body += _flatten(stmt.body, self.parents)
            else:
                module += _flatten([stmt], self.parents)
        if _rebinds_name(n for nodes in (module, main_test, main_body, *self.defs.values()) for n in nodes):
            module += main_test + main_body
        else:
            module += main_test[1:]  # the test and the else body; the If node itself would bring its body back
        self.units: list[tuple[str | None, list[ast.AST]]] = [(None, module), *self.defs.items()]
        live = [n for _, nodes in self.units for n in nodes]
        self.bare = {id(n.value) for n in live
                     if isinstance(n, ast.Expr) and isinstance(n.value, ast.Constant) and isinstance(n.value.value, str)}
        self.bound: set[str] = set()
        self.defined: set[str] = set()
        for n in live:
            if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                self.bound.add(n.name)
                self.defined.add(n.name)
            elif isinstance(n, ast.arg):
                self.bound.add(n.arg)
            elif isinstance(n, ast.Name) and not isinstance(n.ctx, ast.Load):
                self.defined.add(n.id)
            elif isinstance(n, ast.Attribute) and not isinstance(n.ctx, ast.Load):
                self.defined.add(n.attr)
        self.star_modules: list[str] = []
        self.aliases = self._aliases(live)
        self.bound |= {name for name in self.aliases if self._import_bound.get(name)}

    # -- names -------------------------------------------------------------------------------------

    def _aliases(self, live: list[ast.AST]) -> dict[str, str]:
        aliases: dict[str, str] = {}
        self._import_bound: dict[str, bool] = {}
        for node in live:
            if isinstance(node, ast.Import):
                for a in node.names:
                    key = a.asname or a.name.split(".")[0]
                    aliases[key] = a.name if a.asname else a.name.split(".")[0]
                    self._import_bound[key] = True
            elif isinstance(node, ast.ImportFrom):
                for a in node.names:
                    module = ("." * node.level) + (node.module or "")
                    if a.name == "*":
                        self.star_modules.append(module)
                        continue
                    key = a.asname or a.name
                    aliases[key] = f"{module}.{a.name}" if node.module or node.level == 0 else f"{module}{a.name}"
                    self._import_bound[key] = True
        pairs: list[tuple[ast.AST, ast.AST]] = []
        for node in live:
            if isinstance(node, ast.Assign):
                for target in node.targets:
                    pairs += _pairs(target, node.value)
            elif isinstance(node, (ast.AnnAssign, ast.NamedExpr)) and node.value is not None:
                pairs += _pairs(node.target, node.value)
            elif isinstance(node, ast.arguments):
                positional = [*node.posonlyargs, *node.args]
                for arg, default in zip(positional[len(positional) - len(node.defaults):], node.defaults, strict=True):
                    pairs.append((ast.Name(id=arg.arg, ctx=ast.Store()), default))
                for arg, kw_default in zip(node.kwonlyargs, node.kw_defaults, strict=True):
                    if kw_default is not None:
                        pairs.append((ast.Name(id=arg.arg, ctx=ast.Store()), kw_default))
        for _ in range(3):  # chains: G = F, H = G
            for bound, source in pairs:
                if isinstance(bound, ast.Name) and bound.id not in aliases:
                    dotted = _dotted(source, aliases)
                    if dotted is not None:
                        aliases[bound.id] = dotted
        return aliases

    def resolve(self, node: ast.AST) -> str | None:
        return _dotted(node, self.aliases)

    def own(self, dotted: str) -> bool:
        """A path into the submission itself (a relative import, or one of its modules)."""
        root = dotted.split(".")[0]
        return dotted.startswith(".") or root == "submission" or (root in self.own_modules and root != "torch")


def _pairs(target: ast.AST, value: ast.AST) -> list[tuple[ast.AST, ast.AST]]:
    if isinstance(target, (ast.Tuple, ast.List)) and isinstance(value, (ast.Tuple, ast.List)) and \
            len(target.elts) == len(value.elts):
        return [p for t, v in zip(target.elts, value.elts, strict=True) for p in _pairs(t, v)]
    return [(target, value)] if isinstance(target, ast.Name) else []


def _lookup_key(node: ast.AST) -> tuple[ast.AST, str] | None:
    """``getattr(x, "c")``, ``x.__dict__["c"]``, ``vars(x)["c"]``: (x, "c")."""
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "getattr" and \
            len(node.args) in (2, 3) and not node.keywords:
        key = _fold(node.args[1])
        return (node.args[0], key) if isinstance(key, str) else None
    if isinstance(node, ast.Subscript):
        key = _fold(node.slice)
        if not isinstance(key, str):
            return None
        v = node.value
        if isinstance(v, ast.Attribute) and v.attr == "__dict__":
            return v.value, key
        if isinstance(v, ast.Call) and isinstance(v.func, ast.Name) and v.func.id == "vars" and len(v.args) == 1:
            return v.args[0], key
    return None


def _dotted(node: ast.AST, aliases: Mapping[str, str]) -> str | None:
    parts: list[str] = []
    for _ in range(200):
        if isinstance(node, ast.Attribute):
            parts.append(node.attr)
            node = node.value
            continue
        lookup = _lookup_key(node)
        if lookup is None:
            break
        node, key = lookup
        parts.append(key)
    if not isinstance(node, ast.Name) or node.id not in aliases:
        return None
    return ".".join([aliases[node.id], *reversed(parts)])


# --- the rules -------------------------------------------------------------------------------------

class _Rules:
    def __init__(self, forbidden: Iterable[str], defined: set[str]) -> None:
        self.forbidden = sorted(set(forbidden))
        self.exact = {name for name in self.forbidden if not name.endswith(WHOLE)}
        self.packages = {name[: -len(WHOLE)]: name for name in self.forbidden if name.endswith(WHOLE)}
        """``torch.nn.attention`` -> ``torch.nn.attention.*``: forbidden with everything under it, by path only
        (its last component, ``attention``, names too many other things)."""
        self.by_last: dict[str, list[str]] = {}
        for name in sorted(self.exact):
            self.by_last.setdefault(name.rsplit(".", 1)[-1], []).append(name)
        self.spelled = {last.replace("_", ""): names for last, names in self.by_last.items()}
        self.defined = defined
        """Names the submission defines itself (functions, classes, methods, assigned names and attributes)."""

    def forbidden_path(self, dotted: str) -> list[tuple[str, str, str]]:
        """(kind, what was found, entry) for each forbidden entry a resolved path reaches: the entry it is or lies
        under first (a package entry reports the path itself), then those that share a component with it."""
        parts = dotted.split(".")
        found: list[tuple[str, str, str]] = []
        for i in range(len(parts), 0, -1):
            prefix = ".".join(parts[:i])
            if prefix in self.exact:
                found.append((FORBIDDEN, prefix, prefix))
                break
            if prefix in self.packages:
                found.append((FORBIDDEN, dotted, self.packages[prefix]))
                break
        for part in parts:
            found += [(FORBIDDEN, name, name) for name in self.by_last.get(part, ())]
        seen: set[str] = set()
        return [f for f in found if not (f[2] in seen or seen.add(f[2]))]  # type: ignore[func-returns-value]

    def path(self, dotted: str, own: bool) -> list[tuple[str, str, str]]:
        """(kind, name, entry) for a resolved dotted path (``entry``: the forbidden entry, for kind ``forbidden``)."""
        if own:
            return []
        found = self.forbidden_path(dotted)
        parts = dotted.split(".")
        for i in range(1, len(parts) + 1):
            prefix = ".".join(parts[:i])
            kind = NOT_ALLOWED_PATHS.get(prefix)
            if kind is None and OS_PROCESS.match(prefix):
                kind = NATIVE
            if kind is None and parts[0] == "torch" and i > 1 and parts[i - 1].startswith("_") and \
                    not parts[i - 1].startswith("__"):
                kind = TORCH
            if kind is not None:
                found.append((kind, prefix, ""))
                break
        return found

    def attribute(self, attr: str) -> list[tuple[str, str, str]]:
        """(kind, name, entry) for an attribute on something that cannot be resolved."""
        found: list[tuple[str, str, str]] = []
        if attr in ATTRIBUTES:
            found.append((ATTRIBUTES[attr], attr, ""))
        if attr in self.by_last and attr not in self.defined:
            found += [(FORBIDDEN, name, name) for name in self.by_last[attr]]
        return found

    def string(self, s: str) -> list[tuple[str, str, str]]:
        """(kind, name, entry) for a string: a dotted path is read as if resolved, a single word as a last
        component."""
        s = s.strip()
        if not _DOTTED.fullmatch(s):
            return []
        parts = s.split(".")
        found = self.forbidden_path(s) if len(parts) > 1 else [(FORBIDDEN, n, n) for n in self.by_last.get(s, ())]
        for part in parts:
            if part in ATTRIBUTES:
                found.append((ATTRIBUTES[part], part, ""))
        if len(parts) > 1 or s in NAMED_MODULES:
            found += [f for f in self.path(s, own=False) if f[0] != FORBIDDEN]
        return found


def _unit_hits(f: _File, nodes: list[ast.AST], rules: _Rules) -> Iterator[_Hit]:
    for node in nodes:
        line = getattr(node, "lineno", 0)
        if isinstance(node, ast.Import):
            for a in node.names:
                for kind, name, entry in rules.path(a.name, f.own(a.name)):
                    yield _Hit(kind, name, line, entry)
        elif isinstance(node, ast.ImportFrom):
            module = ("." * node.level) + (node.module or "")
            for a in node.names:
                full = f"{module}.{a.name}" if a.name != "*" else module
                for kind, name, entry in rules.path(full, f.own(full)):
                    yield _Hit(kind, name, line, entry)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            if ATTRIBUTES.get(node.name) == TORCH:
                yield _Hit(TORCH, node.name, line)
        elif isinstance(node, ast.Name):
            yield from _name_hits(f, node, rules, line)
        elif isinstance(node, ast.Attribute) or _lookup_key(node) is not None:
            yield from _attribute_hits(f, node, rules, line)
        if isinstance(node, ast.Call):
            yield from _call_hits(f, node, rules, line)
        if isinstance(node, ast.Constant) and id(node) not in f.bare:
            s = _const_str(node)
            if s is not None:
                for kind, name, entry in rules.string(s):
                    yield _Hit(kind, name, line, entry)
        elif isinstance(node, (ast.BinOp, ast.JoinedStr, ast.Call, ast.Subscript)):
            folded = _fold(node)
            if isinstance(folded, str):
                for kind, name, entry in rules.string(folded):
                    yield _Hit(kind, name, line, entry)


def _name_hits(f: _File, node: ast.Name, rules: _Rules, line: int) -> Iterator[_Hit]:
    if not isinstance(node.ctx, ast.Load):
        return
    if node.id in f.aliases:
        dotted = f.aliases[node.id]
        for kind, name, entry in rules.path(dotted, f.own(dotted)):
            yield _Hit(kind, name, line, entry)
        return
    if node.id not in f.bound and node.id not in f.defined:  # from m import *: m's name
        for module in f.star_modules:
            for kind, name, entry in rules.path(f"{module}.{node.id}", f.own(module)):
                yield _Hit(kind, name, line, entry)
    if node.id in NOT_ALLOWED_PATHS and node.id not in f.bound and node.id not in f.defined:  # importlib, unimported
        yield _Hit(NOT_ALLOWED_PATHS[node.id], node.id, line)
    if node.id in BUILTIN_NAMES and node.id not in f.bound:
        yield _Hit(BUILTIN_NAMES[node.id], node.id, line)
    if node.id in VALUE_BUILTINS and node.id not in f.bound:
        parent = f.parents.get(id(node))
        if not (isinstance(parent, ast.Call) and parent.func is node):
            yield _Hit(INTROSPECTION, node.id, line)


def _attribute_hits(f: _File, node: ast.AST, rules: _Rules, line: int) -> Iterator[_Hit]:
    if isinstance(node, ast.Attribute):
        base, attr = node.value, node.attr
    else:
        base, attr = _lookup_key(node)  # type: ignore[misc,assignment]
    dotted = f.resolve(node)
    if dotted is not None:
        for kind, name, entry in rules.path(dotted, f.own(dotted)):
            yield _Hit(kind, name, line, entry)
        if attr in ATTRIBUTES:
            yield _Hit(ATTRIBUTES[attr], attr, line)
        if attr == "__dict__" and not f.own(dotted):
            yield _Hit(INTROSPECTION, dotted, line)
        return
    # something that cannot be resolved: judge the attribute's own name
    if f.resolve(base) is None:
        for kind, name, entry in rules.attribute(attr):
            yield _Hit(kind, name, line, entry)
    elif attr in ATTRIBUTES:
        yield _Hit(ATTRIBUTES[attr], attr, line)


def _call_hits(f: _File, node: ast.Call, rules: _Rules, line: int) -> Iterator[_Hit]:
    func = node.func
    if isinstance(func, ast.Name) and func.id not in f.bound:
        if func.id in ("getattr", "setattr", "delattr") and len(node.args) >= 2 and \
                not isinstance(_fold(node.args[1]), str):
            target = f.resolve(node.args[0])
            if target is not None and not f.own(target):
                yield _Hit(INTROSPECTION, f"{func.id}({target}, ...)", line)
        if func.id == "vars" and len(node.args) == 1:
            target = f.resolve(node.args[0])
            if target is not None and not f.own(target):
                yield _Hit(INTROSPECTION, f"vars({target})", line)
    called = f.resolve(func)
    if called in ("operator.attrgetter", "operator.methodcaller") and \
            not all(isinstance(_fold(a), str) for a in node.args[:1 if called.endswith("methodcaller") else None]):
        yield _Hit(INTROSPECTION, called, line)


def _spelled_hits(f: _File, rules: _Rules) -> Iterator[tuple[str | None, _Hit]]:
    """Identifier-like literals that follow one another in the file and together spell a forbidden name."""
    if not rules.spelled:
        return
    pieces: list[tuple[int, int, str | None, str]] = []
    for unit, nodes in f.units:
        for node in nodes:
            if isinstance(node, ast.Constant) and id(node) not in f.bare:
                s = _const_str(node)
                if s is not None:
                    pieces.append((node.lineno, node.col_offset, unit, s))
    pieces.sort(key=lambda p: (p[0], p[1]))
    targets = rules.spelled
    for i, (line, _, unit, s) in enumerate(pieces):
        text, units = "", set()
        if not _FRAGMENT.fullmatch(s):
            continue
        for _, _, u, piece in pieces[i:]:
            if piece == "":  # "scaled_dot" + "" + "_product_attention"
                continue
            if not _FRAGMENT.fullmatch(piece):
                break
            text += piece.replace("_", "")
            units.add(u)
            if not text or not any(t.startswith(text) for t in targets):
                break
            if text in targets:
                owner = unit if units == {unit} else None
                for name in targets[text]:
                    yield owner, _Hit(FORBIDDEN, name, line)
                break


# --- attribution ------------------------------------------------------------------------------------

def _reach(f: _File, exercises: Iterable[str]) -> dict[str, set[str]]:
    """For each top-level definition: the exercises of this file that reach it by name (themselves included)."""
    names: dict[str, set[str]] = {}
    for name, nodes in f.defs.items():
        names[name] = {n.id for n in nodes if isinstance(n, ast.Name) and n.id in f.defs and n.id != name}
    reached: dict[str, set[str]] = {}
    for exercise in exercises:
        if exercise not in f.defs:
            continue
        todo, seen = [exercise], {exercise}
        while todo:
            for callee in names[todo.pop()]:
                if callee not in seen:
                    seen.add(callee)
                    todo.append(callee)
        for name in seen:
            reached.setdefault(name, set()).add(exercise)
    return reached


def _charge(f: _File, hits: Iterable[tuple[str | None, _Hit]], mine: Mapping[str, tuple[str, ...]],
            everyone: Mapping[str, tuple[str, ...]]) -> list[ForbiddenUse]:
    reached = _reach(f, mine)
    out: list[ForbiddenUse] = []
    for unit, hit in hits:
        owners = sorted(reached.get(unit, ())) if unit is not None else []
        for exercise in owners or sorted(everyone):
            if hit.kind == FORBIDDEN and (hit.entry or hit.name) not in everyone.get(exercise, ()):
                continue
            out.append(ForbiddenUse(exercise, hit.name, hit.line, f.rel, hit.kind))
    return out


def _file_uses(f: _File, mine: Mapping[str, tuple[str, ...]], everyone: Mapping[str, tuple[str, ...]],
               rules: _Rules) -> list[ForbiddenUse]:
    hits: list[tuple[str | None, _Hit]] = []
    for unit, nodes in f.units:
        hits += [(unit, h) for h in _unit_hits(f, nodes, rules)]
    hits += list(_spelled_hits(f, rules))
    return _charge(f, hits, mine, everyone)


def _dedupe(uses: Iterable[ForbiddenUse]) -> list[ForbiddenUse]:
    """One finding per exercise, file and line: a forbidden name first, else the first found."""
    best: dict[tuple[str, str, int], ForbiddenUse] = {}
    for u in uses:
        key = (u.exercise, u.file, u.line)
        if key not in best or (u.kind == FORBIDDEN and best[key].kind != FORBIDDEN):
            best[key] = u
    return sorted(best.values(), key=lambda u: (u.exercise, u.file, u.line))


def _decode(data: bytes) -> str | None:
    """The source as Python would read it, or None when its coding cookie names an encoding other than
    UTF-8 or ASCII (Python would decode it so; read as UTF-8 here, its code would look like a comment)."""
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError:  # an unknown or conflicting cookie: Python refuses the file too
        return None
    if encoding.lower() not in SOURCE_ENCODINGS:
        return None
    return data.decode("utf-8", errors="replace")


def _parse(source: str, rel: str) -> ast.Module | None | str:
    """The tree, None for a syntax error (the sandbox reports it), or ``"unscannable"``."""
    try:
        return ast.parse(source, filename=rel)
    except SyntaxError:
        return None
    except (RecursionError, MemoryError, ValueError):
        return UNSCANNABLE


def forbidden_uses(source: str, exercises: dict[str, tuple[str, ...]], file: str = "") -> list[ForbiddenUse]:
    """Findings in one file that defines ``exercises`` (``{exercise id: forbidden names}``), with the
    file standing for the whole submission: what counts for "every exercise" counts for these."""
    tree = _parse(source, file or "<source>")
    if tree is None:
        return []
    if isinstance(tree, str):
        return [ForbiddenUse(e, file, 0, file, UNSCANNABLE) for e in sorted(exercises)]
    f = _File(file, tree, frozenset())
    rules = _Rules((n for names in exercises.values() for n in names), f.defined)
    try:
        return _dedupe(_file_uses(f, exercises, exercises, rules))
    except RecursionError:
        return [ForbiddenUse(e, file, 0, file, UNSCANNABLE) for e in sorted(exercises)]


def _submission_files(root: Path) -> tuple[list[str], list[str]]:
    """(.py files, compiled files) under ``root``, relative and ``/``-separated; links are not followed
    (the runner copies regular files only)."""
    sources, compiled = [], []
    for folder, dirs, files in os.walk(root, followlinks=False):
        dirs[:] = sorted(d for d in dirs if d not in IGNORED_DIRS)
        for name in sorted(files):
            path = Path(folder) / name
            if path.is_symlink() or not path.is_file():
                continue
            rel = path.relative_to(root).as_posix()
            if name.endswith(".py"):
                sources.append(rel)
            elif name.endswith(COMPILED_SUFFIXES):
                compiled.append(rel)
    return sources, compiled


@dataclass(frozen=True)
class Sources:
    """A submission's Python source, read once (without following links, within the byte budget) and
    parsed; both :func:`scan` and :func:`reaches` work from it."""

    files: tuple[str, ...]
    """Every ``.py`` file found (relative, ``/``-separated), parsed or not."""
    trees: tuple[tuple[str, ast.Module], ...]
    """The files that parsed (a syntax error is left to the sandbox, which reports it)."""
    unscannable: tuple[str, ...]
    """Files too large, past the budget, with a foreign coding cookie, or too deeply nested to parse."""
    compiled: tuple[str, ...]


def read(root: Path) -> Sources:
    """Read and parse the submission in ``root`` (nothing at all when it holds too many files)."""
    root = Path(root)
    files, compiled = _submission_files(root)
    if len(files) > MAX_FILES:
        return Sources(tuple(files), (), (), tuple(compiled))
    trees: list[tuple[str, ast.Module]] = []
    unscannable: list[str] = []
    budget = MAX_SCAN_BYTES
    for rel in files:
        path = root / rel
        try:
            if not safefs.is_regular(path):  # a link, pipe or device is never opened (nor run: it is not copied)
                continue
            size = path.stat().st_size
            if size > min(MAX_FILE_BYTES, budget):
                unscannable.append(rel)
                continue
            budget -= size
            data = safefs.read_bytes(path, MAX_FILE_BYTES)
        except OSError:
            continue
        source = _decode(data)
        tree = _parse(source, rel) if source is not None else UNSCANNABLE
        if isinstance(tree, ast.Module):
            trees.append((rel, tree))
        elif tree is not None:
            unscannable.append(rel)
    return Sources(tuple(files), tuple(trees), tuple(unscannable), tuple(compiled))


def scan(root: Path | Sources, files: dict[str, dict[str, tuple[str, ...]]]) -> list[ForbiddenUse]:
    """Scan the submission in ``root`` (or already :func:`read`): ``files`` maps each exercise's file to
    ``{exercise: forbidden}``; every other ``.py`` file is read as a helper module."""
    src = root if isinstance(root, Sources) else read(root)
    everyone = {e: forbidden for exercises in files.values() for e, forbidden in exercises.items()}
    uses = [ForbiddenUse(e, rel, 0, rel, COMPILED) for rel in src.compiled for e in everyone]
    if len(src.files) > MAX_FILES:
        return _dedupe(uses + [ForbiddenUse(e, f"{len(src.files)} files", 0, ".", UNSCANNABLE) for e in everyone])
    uses += [ForbiddenUse(e, rel, 0, rel, UNSCANNABLE) for rel in src.unscannable for e in everyone]
    own = frozenset(Path(rel).parts[0].removesuffix(".py") for rel in src.files)
    parsed = [_File(rel, tree, own) for rel, tree in src.trees]
    defined = set().union(*(f.defined for f in parsed)) if parsed else set()
    rules = _Rules((n for names in everyone.values() for n in names), defined)
    for f in parsed:
        try:
            uses += _file_uses(f, files.get(f.rel, {}), everyone, rules)
        except RecursionError:
            uses += [ForbiddenUse(e, f.rel, 0, f.rel, UNSCANNABLE) for e in everyone]
    return _dedupe(uses)


def reaches(root: Path | Sources, exercises: Iterable[str]) -> dict[str, set[str]]:
    """For each exercise defined in the submission: the names of the submission's own top-level functions
    and classes that its definition can reach by name, through its helpers and the other files
    (a layer -> the function it calls -> the helper that one calls), itself excluded.
    Read from the source only, never run; what a name resolves to at run time may differ (a good guess for
    notes and for not running what would loop again, never for a score)."""
    src = root if isinstance(root, Sources) else read(root)
    mentions: dict[str, set[str]] = {}
    for _, tree in src.trees:
        for node in tree.body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                names = mentions.setdefault(node.name, set())
                for n in ast.walk(node):
                    if isinstance(n, ast.Name):
                        names.add(n.id)
                    elif isinstance(n, ast.Attribute):
                        names.add(n.attr)
    out: dict[str, set[str]] = {}
    for exercise in exercises:
        if exercise not in mentions:
            continue
        seen, todo = set(), [exercise]
        while todo:
            for name in mentions.get(todo.pop(), ()):
                if name in mentions and name not in seen:
                    seen.add(name)
                    todo.append(name)
        out[exercise] = seen - {exercise}
    return out
