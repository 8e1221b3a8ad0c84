"""A second device on a machine that has only the CPU: tensors made on the default device are tracked.

On a GPU the inputs of a case live on ``cuda`` and a tensor the student's code makes without ``device=``
(``torch.ones(n, n)`` for a mask, ``torch.arange(L)`` for positions) lives on the CPU; the first operation
that mixes the two fails. On a machine without a GPU both are on the CPU and the same code passes, so a
student only learns of the mistake on the grader's GPU, or never. :class:`Elsewhere` brings the failure to
the CPU: the driver marks the inputs (and, once it has moved a module, its parameters and buffers) as being on
the inputs' device; while the mode is active, the marks follow the operations, a tensor made by a torch
function that was given no tensor and no device (``ones``, ``zeros``, ``arange``, ``tensor`` …) stays unmarked,
on the default device, and an operation that mixes an unmarked tensor with a marked one raises
:class:`DeviceMismatch` where CUDA would raise. What the mode cannot see is unmarked too, and that is where it
would be on a GPU: ``torch.from_numpy``, ``torch.Tensor([...])``, a tensor made when the file was imported.

The rules are CUDA's: a 0-dim tensor on the CPU may meet tensors on the GPU (``x / torch.tensor(8.0)``);
indexing a tensor with CPU indices is allowed; ``copy_``, ``.to()`` and ``x[i] = v`` move data between devices;
an explicit ``device=`` (or ``.to(x.device)``, ``.to(x)``, ``.type_as(x)``, ``.cuda()``) puts a tensor on the
inputs' device; ``.cpu()`` and ``torch.from_numpy`` put it on the default one. Parameters and buffers of a module are
on the inputs' device once the driver has moved the module there (:func:`moved`); a plain tensor attribute
made in ``__init__`` is not, as on a GPU, where ``module.to(device)`` leaves it behind.

Only the calls the student's code makes are seen: a torch function runs with the mode suspended, so what
torch does inside (``F.multi_head_attention_forward``) is its own business. What the rules cannot see, they
never fail: a literal ``device="cpu"`` looks like ``device=x.device`` here (both are the CPU).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

import torch
from torch.overrides import TorchFunctionMode

MARK = "_nlp_grader_on_inputs_device"
"""The attribute set on a tensor that lives on the inputs' device (CUDA on a GPU machine)."""

_TO_DEFAULT = {"cpu", "numpy"}
_TO_INPUTS = {"cuda"}
_UNCHECKED = {"to", "copy_", "type_as", "__getitem__", "__setitem__"}
"""Calls that may mix devices: moves, and indexing (CPU indices are allowed; ``x[i] = v`` copies ``v`` across)."""
_FOLLOW_FIRST = {"copy_", "__getitem__", "__setitem__",
                 "new_ones", "new_zeros", "new_full", "new_empty", "new_tensor", "new_empty_strided"}
"""Calls whose result is where their first tensor is, whatever the others."""


class DeviceMismatch(RuntimeError):
    """An operation mixed a tensor made on the default device with one on the inputs' device."""

    def __init__(self, op: str, made: list[int]) -> None:
        super().__init__(f"{op or 'the result'}: a tensor of shape {made} on the default device (cpu), "
                         "the inputs on another device")
        self.op, self.made = op, made
        """The operation that mixed the devices; empty when the result itself is on the default device."""


def _tensors(value: Any, depth: int = 0) -> Iterator[torch.Tensor]:
    if isinstance(value, torch.Tensor):
        yield value
    elif depth < 4 and isinstance(value, (list, tuple)):
        for item in value:
            yield from _tensors(item, depth + 1)
    elif depth < 4 and isinstance(value, dict):
        for item in value.values():
            yield from _tensors(item, depth + 1)


def on_default(t: torch.Tensor) -> bool:
    return not t.__dict__.get(MARK, False)


def _mark(value: Any, default: bool) -> None:
    for t in _tensors(value):
        if default:
            t.__dict__.pop(MARK, None)
        else:
            setattr(t, MARK, True)


def placed(tensors: Iterable[torch.Tensor]) -> None:
    """The driver put these tensors (a case's inputs) on the inputs' device."""
    for t in tensors:
        setattr(t, MARK, True)


def returned(value: Any) -> None:
    """A result must be on the inputs' device: one made on the default device fails like a mixing operation."""
    made = next((t for t in _tensors(value) if on_default(t)), None)
    if made is not None:
        raise DeviceMismatch("", list(made.shape))


def moved(module: torch.nn.Module) -> None:
    """The driver moved ``module`` to the inputs' device: its parameters and buffers are there now."""
    placed((*module.parameters(), *module.buffers()))


def _name(func: Any) -> str:
    name = getattr(func, "__name__", "") or ""
    if name == "__get__":  # a property's getter: Tensor.data, Tensor.T …
        name = getattr(getattr(func, "__self__", None), "__name__", name)
    return str(name)


def _explicit_device(name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> bool | None:
    """Where a call puts its result when it says so: True on the inputs' device, False on the default one,
    None when the call does not say (the result follows its tensors)."""
    if kwargs.get("device") is not None:
        return True
    if name in _TO_INPUTS:
        return True
    if name == "to":
        if len(args) > 1 and isinstance(args[1], (str, torch.device, int)) and not isinstance(args[1], bool):
            return True
        if len(args) > 1 and isinstance(args[1], torch.Tensor):
            return not on_default(args[1])
        if isinstance(kwargs.get("other"), torch.Tensor):
            return not on_default(kwargs["other"])
    if name == "type_as" and len(args) > 1 and isinstance(args[1], torch.Tensor):
        return not on_default(args[1])
    return None


class Elsewhere(TorchFunctionMode):
    """While active, the inputs are taken to live on a device other than the default one (see the module)."""

    def __torch_function__(self, func: Any, types: Any, args: tuple[Any, ...] = (), kwargs: Any = None) -> Any:
        kwargs = kwargs or {}
        name = _name(func)
        tensors = [*_tensors(args), *_tensors(kwargs)]
        if name == "numpy" and tensors and not on_default(tensors[0]):  # CUDA memory has no numpy view
            raise DeviceMismatch("Tensor.numpy()", list(tensors[0].shape))
        explicit = False if name in _TO_DEFAULT else _explicit_device(name, args, kwargs)
        if explicit is None and name not in _UNCHECKED:
            made = next((t for t in tensors if on_default(t) and t.dim() > 0), None)
            if made is not None and any(not on_default(t) for t in tensors):
                raise DeviceMismatch(name or "an operation", list(made.shape))
        out = func(*args, **kwargs)
        if name == "numpy" or not isinstance(out, (torch.Tensor, tuple, list)):
            return out
        if isinstance(out, torch.Tensor) and any(out is t for t in tensors):  # returned an input itself
            if explicit is None or on_default(out) == (not explicit):
                return out  # in place, or a move to where it already is: its mark stands
            out = out.view_as(out)  # a move CUDA would copy: the result is another tensor than its source
        if explicit is not None:
            default = not explicit
        elif name in _FOLLOW_FIRST:
            default = not tensors or on_default(tensors[0])
        elif tensors:
            default = all(on_default(t) for t in tensors)
        else:  # made from nothing, with no device: a factory on the default device
            default = True
        _mark(out, default)
        return out
