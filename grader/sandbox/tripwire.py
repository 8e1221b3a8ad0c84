"""The second wall behind the static scan (:mod:`grader.static`): forbidden callables that trip when called.

In the sandbox child, before the student's first import, :func:`install` replaces each forbidden
callable with a tripwire; :func:`armed` sets the names the running task's exercise forbids. A
tripwire that is called while its name is armed records the hit and raises :class:`ForbiddenCall`
(a ``BaseException``, which ``except Exception`` does not catch); otherwise it calls through. The
child checks :func:`take_hits` after every task, so swallowing the exception does not help: the task's
record becomes ``forbidden_call``. Nothing here runs in the grading process (the reference and the
mistake catalog are never affected): only the child calls :func:`install`.

Routes covered, for each forbidden name and its aliases (``ROUTES``):

- functions: the attribute is replaced in its module and in every alias module listed
  (``torch.nn.functional.scaled_dot_product_attention`` is also ``torch._C._nn.scaled_dot_product_attention``),
  so ``getattr`` with any string, ``F.__dict__[...]``, ``vars(F)``, ``from ... import``, ``functools.partial``
  and aliases taken on import all get the tripwire;
- classes (``torch.nn.MultiheadAttention``, ``torch.nn.Transformer*``): ``__init__`` and ``forward`` are
  patched on the class itself, which covers every alias (``torch.nn.modules.activation.MultiheadAttention``),
  subclasses that call ``super().__init__()`` and instances made before arming;
- the private torch builtins that compute the same thing (``torch._scaled_dot_product_flash_attention_for_cpu``,
  ``torch._native_multi_head_attention``, ``torch._transformer_encoder_layer_fwd``, ...), in ``torch`` and
  ``torch._C._VariableFunctions`` where it allows it;
- ``torch.ops.aten`` packets of those ops and their overloads (``torch.ops.aten.scaled_dot_product_attention.default``):
  their ``_op`` (what ``__call__`` calls) is replaced, for packets already made and, through a hook on
  the namespace's and packet's ``__getattr__``, for those made later.

Not covered (the static scan forbids every name that leads there: ``torch._C``, ``torch.ops``, ``gc``,
``ctypes``, ``subprocess``, ``__closure__``, ...): C++ calls that never go through Python
(``torch._C._dispatch_call_boxed``, ``torch._C._jit_get_operation``, operator handles), a function object
taken from the tripwire's closure or found with ``gc``, code in another process or loaded through
``ctypes``, ``importlib.reload`` of torch's modules, names outside ``ROUTES`` that only a later task
forbids (installed when that task starts), and code that changes this module's state on purpose.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

SDPA = "torch.nn.functional.scaled_dot_product_attention"
MHA_FORWARD = "torch.nn.functional.multi_head_attention_forward"

_SDPA_OPS = ("scaled_dot_product_attention", "_scaled_dot_product_attention_math", "_scaled_dot_product_flash_attention",
             "_scaled_dot_product_flash_attention_for_cpu", "_scaled_dot_product_efficient_attention",
             "_scaled_dot_product_cudnn_attention", "_scaled_dot_product_attention_math_for_mps",
             "_scaled_dot_product_fused_attention_overrideable", "_triton_scaled_dot_attention",
             "_flash_attention_forward", "_efficient_attention_forward", "_cudnn_attention_forward",
             "_flash_attention_forward_no_dropout_inplace")

ROUTES: dict[str, tuple[str, ...]] = {
    SDPA: ("torch._C._nn.scaled_dot_product_attention",
           *(f"torch.{op}" for op in _SDPA_OPS[1:]), *(f"torch._C._VariableFunctions.{op}" for op in _SDPA_OPS[1:]),
           *(f"torch.ops.aten.{op}" for op in _SDPA_OPS)),
    MHA_FORWARD: ("torch._native_multi_head_attention", "torch._triton_multi_head_attention",
                  "torch._C._VariableFunctions._native_multi_head_attention",
                  "torch._C._VariableFunctions._triton_multi_head_attention",
                  "torch.ops.aten._native_multi_head_attention", "torch.ops.aten._triton_multi_head_attention"),
    "torch.nn.MultiheadAttention": (),
    "torch.nn.TransformerEncoderLayer": ("torch._transformer_encoder_layer_fwd",
                                        "torch._C._VariableFunctions._transformer_encoder_layer_fwd",
                                        "torch.ops.aten._transformer_encoder_layer_fwd"),
    "torch.nn.TransformerDecoderLayer": (),
    "torch.nn.TransformerEncoder": (),
    "torch.nn.TransformerDecoder": (),
    "torch.nn.Transformer": (),
}
"""Every forbidden name known here and the other routes to the same computation. :func:`install`
always installs all of them (so that an alias taken on import is a tripwire whatever task comes first)."""

ALWAYS = tuple(ROUTES)
CLASS_METHODS = ("__init__", "forward")
OPS_PREFIX = "torch.ops.aten."


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
"""torch.ops.aten op name -> the forbidden name it computes."""
_op_hooks: list[tuple[type, Any]] = []
_done: set[str] = set()
"""Names installed."""


def _trip(name: str, via: str) -> None:
    frames: list[tuple[str, int, str]] = []
    frame: Any = sys._getframe(2)
    while frame is not None and len(frames) < 64:
        frames.append((frame.f_code.co_filename, frame.f_lineno, frame.f_code.co_name))
        frame = frame.f_back
    _hits.append(Hit(name, via, frames))
    raise ForbiddenCall(name, via)


def _function(name: str, via: str, original: Any) -> Any:
    def tripwire(*args: Any, **kwargs: Any) -> Any:
        if name in _armed:
            _trip(name, via)
        return original(*args, **kwargs)

    tripwire.__name__ = getattr(original, "__name__", via.rsplit(".", 1)[-1])
    tripwire.__qualname__ = tripwire.__name__
    tripwire.__doc__ = getattr(original, "__doc__", None)
    tripwire.__module__ = getattr(original, "__module__", None) or "torch"
    return tripwire


def _resolve(dotted: str) -> tuple[Any, str, Any] | None:
    """(owner, attribute, value) for a dotted name, importing its module; None where it does not exist."""
    parts = dotted.split(".")
    for cut in range(len(parts) - 1, 0, -1):
        try:
            obj: Any = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        try:
            for part in parts[cut:-1]:
                obj = getattr(obj, part)
            return obj, parts[-1], getattr(obj, parts[-1])
        except AttributeError:
            return None
    return None


def _replace(route: str, name: str) -> None:
    if route in _installed:
        return
    found = _resolve(route)
    if found is None:
        return
    owner, attr, value = found
    if isinstance(value, type):
        for method in CLASS_METHODS:
            original = value.__dict__.get(method)
            if original is not None and f"{route}.{method}" not in _installed:
                setattr(value, method, _function(name, f"{route}.{method}", original))
                _installed[f"{route}.{method}"] = (value, method, original)
        _installed[route] = (None, attr, value)
        return
    try:
        setattr(owner, attr, _function(name, route, value))
    except (AttributeError, TypeError):
        return  # a C type that refuses new attributes: not covered
    _installed[route] = (owner, attr, value)


# --- torch.ops.aten ---------------------------------------------------------------------------------

def _trap_op(obj: Any, name: str, via: str) -> None:
    """Replace the ``_op`` that an OpOverloadPacket or OpOverload calls."""
    original = obj.__dict__.get("_op")
    if original is None or getattr(original, "__tripwire__", False):
        return
    wrapper = _function(name, via, original)
    wrapper.__tripwire__ = True  # type: ignore[attr-defined]
    obj._op = wrapper
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
            if getattr(self, "name", None) == "aten" and op_name in _ops:
                _trap_packet(value, _ops[op_name], OPS_PREFIX + op_name)
            return value

        def op_packet_getattr(self: Any, key: str) -> Any:
            value = packet_getattr(self, key)
            op_name = getattr(self, "__name__", "")
            if op_name in _ops and getattr(self, "_qualified_op_name", "").startswith("aten::") and \
                    hasattr(value, "_op") and not key.startswith("__"):
                _trap_op(value, _ops[op_name], f"{OPS_PREFIX}{op_name}.{key}")
            return value

        namespace.__getattr__ = op_namespace_getattr
        packet.__getattr__ = op_packet_getattr
        _op_hooks.extend([(namespace, namespace_getattr), (packet, packet_getattr)])
    import torch

    made = vars(torch.ops.aten)
    for op_name, name in _ops.items():
        if op_name in made:  # made before this was installed (the fork server's warm-up, say)
            _trap_packet(made[op_name], name, OPS_PREFIX + op_name)


def _trap_packet(packet: Any, name: str, via: str) -> None:
    _trap_op(packet, name, via)
    for key, value in list(vars(packet).items()):
        if hasattr(value, "_op") and hasattr(value, "_overloadpacket"):
            _trap_op(value, name, f"{via}.{key}")


# --- the interface ----------------------------------------------------------------------------------

def install(names: Iterable[str] = ()) -> None:
    """Put tripwires on every name in ``ROUTES`` and on ``names`` (with their routes); idempotent."""
    todo = [name for name in (*ALWAYS, *names) if name not in _done] if _done else [*ALWAYS, *names]
    if not todo:
        return
    new_ops = False
    for name in todo:
        _done.add(name)
        for route in (name, *ROUTES.get(name, ())):
            if route.startswith(OPS_PREFIX):
                op = route[len(OPS_PREFIX):]
                if op not in _ops:
                    _ops[op] = name
                    new_ops = True
            else:
                _replace(route, name)
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
    _armed = frozenset()
    _hits.clear()


@contextmanager
def armed(names: Iterable[str]) -> Iterator[None]:
    """Within the block, a call to any of ``names`` (or their routes) trips."""
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
