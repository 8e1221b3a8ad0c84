"""Every route the installed torch offers to attention or a Transformer layer: what this assignment forbids.

A list of names goes stale: ``torch.nn.attention.flex_attention`` once computed attention for a student while the
list named only ``F.scaled_dot_product_attention`` and the ``nn`` classes. So the set is built from what the
installed torch provides, by what a callable does as its name says it (``PATTERN``), in every namespace a student
can reach:

- the public and private callables of ``torch``, ``torch.nn``, ``torch.nn.functional``, ``torch._C._nn`` and
  ``torch._C._VariableFunctions`` whose names match (``torch._native_multi_head_attention``,
  ``torch._transformer_encoder_layer_fwd``, ``torch._fused_sdp_choice``, the ``nn.Transformer*`` classes, ...);
- the ``torch.ops.aten`` operators whose names match (``torch.ops.aten._scaled_dot_product_flash_attention``; a
  packet stands for all its overloads);
- whole packages (``PACKAGES``, written ``name.*``): everything in ``torch.nn.attention`` and its submodules
  (``flex_attention``, ``varlen``, ``bias``, ``experimental``, ...) and in ``torch.nn.modules.transformer``,
  plus, by name, each of their top-level definitions that matches (read from the source as text, not imported: some of
  those modules import torch's compiler, which costs seconds), so that a string or an attribute naming one is
  caught too.

The static scan (:mod:`grader.static`) and the sandbox's tripwires (:mod:`grader.sandbox.tripwire`) both read the
exercises' ``forbidden``, which is this set. ``tests/test_routes.py`` walks torch by other means and fails when a
newer torch adds a route the set misses.
"""

from __future__ import annotations

import functools
import importlib.util
import pkgutil
import re
from pathlib import Path
from typing import Any

PATTERN = re.compile(r"attention|attn|multi_?head|(?<![a-z])mha(?![a-z])|transformer|sdpa?(?![a-z])|qkv|"
                     r"masked_softmax", re.IGNORECASE)
"""What a name that computes attention or a Transformer layer (or a kernel behind one) looks like."""
NAMESPACES = ("torch", "torch.nn", "torch.nn.functional", "torch._C._nn", "torch._C._VariableFunctions")
PACKAGES = ("torch.nn.attention", "torch.nn.modules.transformer")
"""Everything in these (and their submodules) is forbidden, whatever its name."""
OPS = "torch.ops.aten"
NOT_ROUTES = frozenset({
    "torch.nn.attention",  # the package itself: forbidden whole, as torch.nn.attention.*
    "torch.nn.modules.transformer",  # idem
})
"""Names that match ``PATTERN`` but are covered otherwise."""


def _namespace(dotted: str) -> Any:
    import torch

    obj: Any = torch
    for part in dotted.split(".")[1:]:
        obj = getattr(obj, part)
    return obj


def _modules(package: str) -> list[tuple[str, Path]]:
    """(module name, source file) for ``package`` and every module under it, found without importing them."""
    spec = importlib.util.find_spec(package)
    if spec is None or spec.origin is None:
        return []
    found = [(package, Path(spec.origin))]
    for folder in spec.submodule_search_locations or ():
        for info in pkgutil.iter_modules([folder], package + "."):
            if info.ispkg:
                found += _modules(info.name)
            else:
                found.append((info.name, Path(folder) / (info.name.rsplit(".", 1)[-1] + ".py")))
    return found


_TOP_LEVEL = re.compile(r"^(?:async[ \t]+def|def|class)[ \t]+([A-Za-z_]\w*)", re.MULTILINE)


def _defined(source: Path) -> list[str]:
    """Top-level functions and classes defined in a source file (read as text: parsing torch's files costs a
    tenth of a second per ``grade``; a definition starts in column 0)."""
    try:
        return _TOP_LEVEL.findall(source.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []


def aten_ops() -> list[str]:
    """Names of every ``aten`` operator the installed torch registers (overloads folded into their packet)."""
    import torch

    return sorted({n.split("::", 1)[1].split(".", 1)[0] for n in torch._C._dispatch_get_all_op_names()
                   if n.startswith("aten::")})


@functools.cache
def forbidden_routes() -> tuple[str, ...]:
    """The set, sorted: dotted callables, ``torch.ops.aten.<op>`` packets and ``<package>.*`` entries."""
    routes: set[str] = set()
    for dotted in NAMESPACES:
        space = _namespace(dotted)
        for name in dir(space):
            if PATTERN.search(name) and f"{dotted}.{name}" not in NOT_ROUTES and callable(getattr(space, name, None)):
                routes.add(f"{dotted}.{name}")
    routes.update(f"{OPS}.{op}" for op in aten_ops() if PATTERN.search(op))
    for package in PACKAGES:
        routes.add(package + ".*")
        for module, source in _modules(package):
            routes.update(f"{module}.{name}" for name in _defined(source) if PATTERN.search(name))
    return tuple(sorted(routes))


def covers(routes: tuple[str, ...], dotted: str) -> bool:
    """Whether ``dotted`` is in ``routes``: itself, under a package entry, or an alias of an entry whose last
    component it shares (``torch.nn.modules.activation.MultiheadAttention`` for ``torch.nn.MultiheadAttention``)."""
    if dotted in routes:
        return True
    if any(dotted == r[:-2] or dotted.startswith(r[:-1]) for r in routes if r.endswith(".*")):
        return True
    last = dotted.rsplit(".", 1)[-1]
    return any(not r.endswith(".*") and r.rsplit(".", 1)[-1] == last for r in routes)
