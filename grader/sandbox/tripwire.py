"""The second wall behind the static scan (:mod:`grader.static`): forbidden callables that trip when called.

In the sandbox child, before the student's first import, :func:`install` replaces each forbidden
callable with a tripwire; :func:`armed` sets the names the running task's exercise forbids. A
tripwire that is called while its name is armed records the hit and raises :class:`ForbiddenCall`
(a ``BaseException``, which ``except Exception`` does not catch); otherwise it calls through. The
child checks :func:`take_hits` after every task, so swallowing the exception does not help: the task's
record becomes ``forbidden_call``. Nothing here runs in the grading process (the reference and the
mistake catalog are never affected): only the child calls :func:`install`.

What is forbidden comes from the exercises (an assignment's plug-in builds its set; nothing here knows a
name). An entry is one of:

- a dotted callable (``pkg.mod.function``; also ``torch._C._nn.function`` and other builtin holders): the
  attribute is replaced where it lives, so ``getattr`` with any string, ``mod.__dict__[...]``, ``vars(mod)``,
  ``from ... import``, ``functools.partial`` and aliases taken after install all get the tripwire (another
  holder of the same object is an entry of its own);
- a dotted class: ``__init__`` and ``forward`` are patched on the class itself, which covers every alias,
  subclasses that call ``super().__init__()`` and instances made before arming;
- ``torch.ops.<namespace>.<op>``: the ``_op`` that the packet and each overload call is replaced, for
  packets already made and, through a hook on the namespace's and packet's ``__getattr__``, for those made
  later;
- ``pkg.*``: every function and class defined in ``pkg`` and the modules under it, reported by its own path.

A module that is not imported yet is not imported here (some cost seconds): an import hook (first on
``sys.meta_path``) installs the entries that live in it, or under a ``pkg.*``, as soon as anything imports it.

Not covered (the static scan forbids every name that leads there: ``torch._C``, ``torch.ops``, ``gc``,
``ctypes``, ``subprocess``, ``__closure__``, ``sys.meta_path``, ...): C++ calls that never go through Python
(``torch._C._dispatch_call_boxed``, ``torch._C._jit_get_operation``, operator handles), a function object
taken from the tripwire's closure or found with ``gc``, a reference torch itself took before install
(``from x import f`` inside torch), code in another process or loaded through ``ctypes``,
``importlib.reload`` of torch's modules, names that only a later task forbids (installed when that task
starts), and code that changes this module's state on purpose.
"""

from __future__ import annotations

import sys
import types
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

WHOLE = ".*"
"""An entry ending so forbids a package or module with everything in it."""
CLASS_METHODS = ("__init__", "forward")
OPS_PREFIX = "torch.ops."


class ForbiddenCall(BaseException):
    """A forbidden function was called while the running exercise forbids it."""

    def __init__(self, name: str, via: str) -> None:
        super().__init__(f"{name} is not allowed in this exercise (reached as {via})")
        self.name, self.via = name, via


class Hit:
    """A tripwire that went off: the forbidden name, the route and where the call came from."""

    __slots__ = ("name", "via", "frames")

    def __init__(self, name: str, via: str, frames: list[tuple[str, int, str]]) -> None:
        self.name, self.via, self.frames = name, via, frames


_armed: frozenset[str] = frozenset()
_hits: list[Hit] = []
_installed: dict[str, tuple[Any, str, Any]] = {}
"""route -> (owner, attribute, original): what :func:`uninstall` puts back."""
_ops: dict[str, str] = {}
"""``namespace.op`` (``aten.scaled_dot_product_attention``) -> the entry that forbids it."""
_op_hooks: list[tuple[type, Any]] = []
_done: set[str] = set()
"""Entries installed (or waiting for their module)."""
_waiting: dict[str, list[str]] = {}
"""module not imported yet -> the entries that live in it."""
_packages: dict[str, str] = {}
"""``pkg`` -> ``pkg.*``."""


def _trip(shown: str, via: str) -> None:
    frames: list[tuple[str, int, str]] = []
    frame: Any = sys._getframe(2)
    while frame is not None and len(frames) < 64:
        frames.append((frame.f_code.co_filename, frame.f_lineno, frame.f_code.co_name))
        frame = frame.f_back
    _hits.append(Hit(shown, via, frames))
    raise ForbiddenCall(shown, via)


def _function(entry: str, shown: str, via: str, original: Any) -> Any:
    entries = {entry}

    def tripwire(*args: Any, **kwargs: Any) -> Any:
        if not _armed.isdisjoint(entries):
            _trip(shown, via)
        return original(*args, **kwargs)

    try:  # what torch reads on its own functions (contextmanager's __wrapped__, say) stays readable
        tripwire.__dict__.update(getattr(original, "__dict__", {}))
    except TypeError:
        pass
    tripwire.__name__ = getattr(original, "__name__", via.rsplit(".", 1)[-1])
    tripwire.__qualname__ = getattr(original, "__qualname__", tripwire.__name__)
    tripwire.__doc__ = getattr(original, "__doc__", None)
    tripwire.__module__ = getattr(original, "__module__", None) or "torch"
    tripwire.__tripwire__ = entries  # type: ignore[attr-defined]
    return tripwire


def _imported(dotted: str) -> tuple[str, Any] | None:
    """The longest imported module that ``dotted`` starts with, and its name; None when none is."""
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        name = ".".join(parts[:cut])
        module = sys.modules.get(name)
        if module is not None:
            return name, module
    return None


def _resolve(dotted: str) -> tuple[Any, str, Any] | str | None:
    """(owner, attribute, value) for a dotted name without importing anything; the module to wait for when
    one on the way is not imported yet; None when it does not exist."""
    found = _imported(dotted)
    if found is None:
        return dotted.split(".")[0]
    name, obj = found
    rest = dotted[len(name) + 1:].split(".")
    for i, part in enumerate(rest[:-1]):
        try:
            obj = getattr(obj, part)
        except AttributeError:
            return f"{name}.{'.'.join(rest[:i + 1])}"  # a submodule not imported yet
    if not hasattr(obj, rest[-1]):
        return f"{name}.{'.'.join(rest)}" if isinstance(obj, types.ModuleType) else None
    return obj, rest[-1], getattr(obj, rest[-1])


def _patch_class(cls: type, entry: str, shown: str) -> None:
    for method in CLASS_METHODS:
        original = cls.__dict__.get(method)
        if original is None:
            continue
        marks = getattr(original, "__tripwire__", None)
        if isinstance(marks, set):  # already a tripwire (an alias of the class, a package around it)
            marks.add(entry)
            continue
        setattr(cls, method, _function(entry, shown, f"{shown}.{method}", original))
        _installed[f"{shown}.{method}#{id(cls)}"] = (cls, method, original)


def _replace(route: str, entry: str) -> None:
    if route in _installed:
        return
    found = _resolve(route)
    if found is None:
        return
    if isinstance(found, str):
        _wait(found, entry)
        return
    owner, attr, value = found
    if isinstance(value, type):
        _patch_class(value, entry, route)
        return
    marks = getattr(value, "__tripwire__", None)
    if isinstance(marks, set):
        marks.add(entry)
        return
    if not callable(value) or isinstance(value, types.ModuleType):
        return
    try:
        setattr(owner, attr, _function(entry, route, route, value))
    except (AttributeError, TypeError):
        return  # a C type that refuses new attributes: not covered
    _installed[route] = (owner, attr, value)


def _wrap_module(module: types.ModuleType, entry: str) -> None:
    """Every function and class defined in ``module`` (not those it imports) becomes a tripwire of ``entry``."""
    name = module.__name__
    for attr, value in list(vars(module).items()):
        if getattr(value, "__module__", None) != name:
            continue
        if isinstance(value, type):
            _patch_class(value, entry, f"{name}.{attr}")
        elif isinstance(value, types.FunctionType):
            _replace(f"{name}.{attr}", entry)


# --- modules imported later ---------------------------------------------------------------------------

def _wait(module: str, entry: str) -> None:
    _waiting.setdefault(module, []).append(entry)
    _watch()


def _package_of(module: str) -> str | None:
    for package, entry in _packages.items():
        if module == package or module.startswith(package + "."):
            return entry
    return None


def _after_import(module: types.ModuleType) -> None:
    name = module.__name__
    entry = _package_of(name)
    if entry is not None:
        _wrap_module(module, entry)
    for e in _waiting.pop(name, ()):  # the next module on its way, if any, is waited for in turn
        _replace(e, e)


class _Loader:
    """A module's own loader, followed by :func:`_after_import`."""

    def __init__(self, loader: Any) -> None:
        self._loader = loader

    def create_module(self, spec: Any) -> Any:
        create = getattr(self._loader, "create_module", None)
        return create(spec) if create is not None else None

    def exec_module(self, module: types.ModuleType) -> None:
        self._loader.exec_module(module)
        _after_import(module)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._loader, name)


class _Finder:
    """First on ``sys.meta_path``: for a module that holds forbidden entries, the spec the other finders give,
    with its loader followed by :func:`_after_import`; None (ask the next finder) for every other module."""

    def find_spec(self, fullname: str, path: Any = None, target: Any = None) -> Any:
        if fullname not in _waiting and _package_of(fullname) is None:
            return None
        for finder in sys.meta_path:
            find = getattr(finder, "find_spec", None)
            if finder is self or find is None:
                continue
            spec = find(fullname, path, target)
            if spec is not None:
                if spec.loader is not None and hasattr(spec.loader, "exec_module"):
                    spec.loader = _Loader(spec.loader)
                return spec
        return None


_finder = _Finder()


def _watch() -> None:
    if _finder not in sys.meta_path:
        sys.meta_path.insert(0, _finder)


# --- torch.ops ----------------------------------------------------------------------------------------

def _trap_op(obj: Any, entry: str, via: str) -> None:
    """Replace the ``_op`` that an OpOverloadPacket or OpOverload calls."""
    original = obj.__dict__.get("_op")
    if original is None or getattr(original, "__tripwire__", None) is not None:
        return
    obj._op = _function(entry, entry, via, original)
    _installed[f"{via}#_op"] = (obj, "_op", original)


def _install_ops() -> None:
    try:
        import torch._ops as ops
    except ImportError:
        return
    namespace, packet = getattr(ops, "_OpNamespace", None), getattr(ops, "OpOverloadPacket", None)
    if namespace is None or packet is None:
        return
    if not _op_hooks:
        namespace_getattr, packet_getattr = namespace.__getattr__, packet.__getattr__

        def op_namespace_getattr(self: Any, op_name: str) -> Any:
            value = namespace_getattr(self, op_name)
            key = f"{getattr(self, 'name', '')}.{op_name}"
            if key in _ops:
                _trap_packet(value, _ops[key], OPS_PREFIX + key)
            return value

        def op_packet_getattr(self: Any, key: str) -> Any:
            value = packet_getattr(self, key)
            op = getattr(self, "_qualified_op_name", "").replace("::", ".", 1)
            if op in _ops and hasattr(value, "_op") and not key.startswith("__"):
                _trap_op(value, _ops[op], f"{OPS_PREFIX}{op}.{key}")
            return value

        namespace.__getattr__ = op_namespace_getattr
        packet.__getattr__ = op_packet_getattr
        _op_hooks.extend([(namespace, namespace_getattr), (packet, packet_getattr)])
    import torch

    for key, entry in _ops.items():
        space, op_name = key.split(".", 1)
        made = vars(getattr(torch.ops, space))
        if op_name in made:  # made before this was installed (the fork server's warm-up, say)
            _trap_packet(made[op_name], entry, OPS_PREFIX + key)


def _trap_packet(packet: Any, entry: str, via: str) -> None:
    _trap_op(packet, entry, via)
    for key, value in list(vars(packet).items()):
        if hasattr(value, "_op") and hasattr(value, "_overloadpacket"):
            _trap_op(value, entry, f"{via}.{key}")


# --- the interface ----------------------------------------------------------------------------------

def install(names: Iterable[str] = ()) -> None:
    """Put tripwires on every entry in ``names`` (see the module's docstring); idempotent."""
    todo = [name for name in dict.fromkeys(names) if name not in _done]
    new_ops = False
    for name in todo:
        _done.add(name)
        if name.endswith(WHOLE):
            package = name[: -len(WHOLE)]
            _packages[package] = name
            _watch()
            for module in [m for n, m in list(sys.modules.items()) if n == package or n.startswith(package + ".")]:
                if isinstance(module, types.ModuleType):
                    _wrap_module(module, name)
        elif name.startswith(OPS_PREFIX) and name.count(".") == 3:
            key = name[len(OPS_PREFIX):]
            if key not in _ops:
                _ops[key] = name
                new_ops = True
        else:
            _replace(name, name)
    if new_ops:
        _install_ops()


def uninstall() -> None:
    """Put every original back (for tests; the child never needs it)."""
    global _armed
    for owner, attr, original in reversed(list(_installed.values())):
        if owner is not None:
            setattr(owner, attr, original)
    _installed.clear()
    for cls, getattr_ in _op_hooks:
        cls.__getattr__ = getattr_  # type: ignore[attr-defined]
    _op_hooks.clear()
    _ops.clear()
    _done.clear()
    _waiting.clear()
    _packages.clear()
    if _finder in sys.meta_path:
        sys.meta_path.remove(_finder)
    _armed = frozenset()
    _hits.clear()


@contextmanager
def armed(names: Iterable[str]) -> Iterator[None]:
    """Within the block, a call to any of ``names`` (or what lies under them) trips."""
    global _armed
    before, _armed = _armed, frozenset(names)
    try:
        yield
    finally:
        _armed = before


def take_hits() -> list[Hit]:
    """The tripwires that went off since the last call (the list is emptied)."""
    hits = list(_hits)
    _hits.clear()
    return hits
