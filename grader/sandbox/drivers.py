"""Drivers call an exercise on a case's inputs and return what came out.

The same driver runs in the sandbox child against the student's code and in the grading process
against the reference and the mistake catalog, so both sides are called in exactly the same way.
A driver never judges; it only collects outputs (and, for property cases, the extra observations
the properties need: inputs after the call, gradients, train-mode outputs, a second run).

Call specs (the JSON form of grader.spec.Call) are lists of items, with keyword items in ``<call>_kw``:
``["t", name]`` is the tensor input ``name``, ``["v", value]`` a literal, ``["device"]`` the device under test
as a string, ``["gen"]`` a generator the driver seeds, ``["lm", table, positions]`` a stand-in language model.
"""

from __future__ import annotations

import contextlib
import inspect
import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import torch

from grader.sandbox import elsewhere, learning
from grader.sandbox.protocol import ELSEWHERE


@dataclass(frozen=True)
class Ctx:
    """Where and how a driver runs."""

    device: str
    """cpu, cuda or meta: where the inputs (and modules) are placed."""
    upcast: bool = False
    """Cast floating inputs and modules to float64 (the ground truth run of the reference)."""
    elsewhere: bool = False
    """The inputs are taken to live on another device than the default one (:mod:`grader.sandbox.elsewhere`):
    a tensor the code makes without ``device=`` fails where it meets them, as it would on a GPU."""

    @classmethod
    def on(cls, device: str) -> Ctx:
        """The context of a task's device: ``elsewhere`` is the CPU with the default device tracked."""
        return cls("cpu", elsewhere=True) if device == ELSEWHERE else cls(device)

    def student(self) -> contextlib.AbstractContextManager[Any]:
        """Around the student's code (constructing, calling): tracking the default device when ``elsewhere``."""
        return elsewhere.Elsewhere() if self.elsewhere else contextlib.nullcontext()


class SignatureMismatch(Exception):
    """The student's function or class cannot be called the way the contract says."""

    def __init__(self, what: str, signature: str, nargs: int) -> None:
        super().__init__(f"{what}{signature} cannot take {nargs} positional arguments")
        self.what, self.signature, self.nargs = what, signature, nargs


class StateDictMismatch(Exception):
    """The student's module does not have the reference's parameter names and shapes."""

    def __init__(self, missing: list[str], unexpected: list[str], misshaped: list[list[Any]]) -> None:
        super().__init__(f"missing={missing} unexpected={unexpected} misshaped={misshaped}")
        self.missing, self.unexpected, self.misshaped = missing, unexpected, misshaped


def seed(value: int, device: str = "cpu") -> None:
    """``torch.manual_seed`` for a run on ``device``. On the CPU (and ``meta``) only the CPU generator
    matters, and seeding just it skips what ``manual_seed`` does for accelerators that are not initialised
    (it records a traceback for each, a tenth of a millisecond per call, ninety calls per submission)."""
    if device in ("cpu", "meta", ELSEWHERE):
        torch.default_generator.manual_seed(value)
    else:
        torch.manual_seed(value)


def _prepare(inputs: Mapping[str, torch.Tensor], ctx: Ctx) -> dict[str, torch.Tensor]:
    """Fresh copies of the inputs on the context's device (and in float64 when upcasting); weights stay on the CPU."""
    out = {}
    for name, t in inputs.items():
        t = t.clone()
        if name.startswith("state."):  # weights are loaded on the CPU, then the module is moved
            out[name] = t
            continue
        if ctx.upcast and t.is_floating_point():
            t = t.double()
        out[name] = t.to(ctx.device)
    if ctx.elsewhere:
        elsewhere.placed(out.values())
    return out


class LookupLM:
    """A stand-in language model: ``model(ids)`` = ``table[ids] + positions[:L]``; counts its calls."""

    def __init__(self, table: torch.Tensor, positions: torch.Tensor) -> None:
        self.table, self.positions, self.calls = table, positions, 0

    def __call__(self, ids: torch.Tensor) -> torch.Tensor:
        self.calls += 1
        return self.table[ids] + self.positions[: ids.shape[-1]]


def _item(item: list[Any], tensors: Mapping[str, torch.Tensor], ctx: Ctx, gen: torch.Generator | None) -> Any:
    tag = item[0]
    if tag == "t":
        return None if item[1] is None else tensors[item[1]]
    if tag == "device":
        return ctx.device
    if tag == "gen":
        return gen if gen is not None else torch.Generator(device=ctx.device).manual_seed(0)
    if tag == "lm":
        return LookupLM(tensors[item[1]], tensors[item[2]])
    return item[1]


def _resolve(spec: list[list[Any]], tensors: Mapping[str, torch.Tensor], ctx: Ctx,
             gen: torch.Generator | None = None) -> list[Any]:
    return [_item(item, tensors, ctx, gen) for item in spec]


def _resolve_kw(spec: Mapping[str, list[Any]] | None, tensors: Mapping[str, torch.Tensor], ctx: Ctx,
                gen: torch.Generator | None = None) -> dict[str, Any]:
    return {str(k): _item(item, tensors, ctx, gen) for k, item in (spec or {}).items()}


_SIGNATURES: dict[tuple[Any, bool], inspect.Signature | None] = {}


def _signature(target: Callable[..., Any]) -> inspect.Signature | None:
    """``inspect.signature``, remembered per function (a child calls the same few a hundred times)."""
    func = getattr(target, "__func__", target)  # every bound ``forward`` of a class shares one signature
    key = (func, func is not target)
    if key not in _SIGNATURES:
        try:
            _SIGNATURES[key] = inspect.signature(target)
        except (TypeError, ValueError):
            _SIGNATURES[key] = None
    return _SIGNATURES[key]


def _check_bind(target: Callable[..., Any], args: list[Any], what: str, kwargs: Mapping[str, Any] | None = None) -> None:
    sig = _signature(target)
    if sig is None:
        return
    try:
        sig.bind(*args, **(kwargs or {}))
    except TypeError:
        raise SignatureMismatch(what, str(sig), len(args)) from None


def _build(target: Any, tensors: Mapping[str, torch.Tensor], args: Mapping[str, Any], ctx: Ctx) -> torch.nn.Module:
    """Construct the module, load the case's weights into it, and place it like the inputs."""
    init = _resolve(args["init"], tensors, ctx)
    init_kw = _resolve_kw(args.get("init_kw"), tensors, ctx)
    _check_bind(target, init, getattr(target, "__name__", "module"), init_kw)
    with ctx.student():
        module = target(*init, **init_kw)
    state = {k.removeprefix("state."): v for k, v in tensors.items() if k.startswith("state.")}
    own = dict(module.named_parameters())
    missing = sorted(set(state) - set(own))
    unexpected = sorted(set(own) - set(state))
    misshaped = [[k, list(state[k].shape), list(own[k].shape)] for k in sorted(set(state) & set(own))
                 if state[k].shape != own[k].shape]
    if missing or unexpected or misshaped:
        raise StateDictMismatch(missing, unexpected, misshaped)
    if state:
        with torch.no_grad():
            for k, v in state.items():
                own[k].copy_(v.to(own[k].device, own[k].dtype))
    if ctx.upcast or args.get("dtype") == "float64":
        module = module.double()
    module = module.to(ctx.device)
    if ctx.elsewhere:
        elsewhere.moved(module)
    return module


def _invoke(target: Any, tensors: Mapping[str, torch.Tensor], args: Mapping[str, Any], ctx: Ctx,
            module: torch.nn.Module | None = None, gen: torch.Generator | None = None,
            models: list[LookupLM] | None = None) -> Any:
    which = "forward" if "init" in args else "call"
    call = _resolve(args[which], tensors, ctx, gen)
    kwargs = _resolve_kw(args.get(f"{which}_kw"), tensors, ctx, gen)
    if models is not None:
        models.extend(a for a in (*call, *kwargs.values()) if isinstance(a, LookupLM))
    if "init" in args:
        module = module if module is not None else _build(target, tensors, args, ctx)
        _check_bind(module.forward, call, f"{type(module).__name__}.forward", kwargs)
        target = module
    else:
        _check_bind(target, call, getattr(target, "__name__", "function"), kwargs)
    with ctx.student():
        out = target(*call, **kwargs)
    if ctx.elsewhere:
        elsewhere.returned(out)
    return out


def _tensor_names(args: Mapping[str, Any]) -> list[str]:
    items = [item for key in ("call", "forward") for item in args.get(key, [])]
    items += [item for key in ("call_kw", "forward_kw") for item in (args.get(key) or {}).values()]
    return [item[1] for item in items if item[0] == "t" and item[1]]


def _inputs_after(tensors: Mapping[str, torch.Tensor], args: Mapping[str, Any]) -> dict[str, torch.Tensor]:
    return {f"after.{n}": tensors[n] for n in dict.fromkeys(_tensor_names(args))}


def call(target: Any, inputs: Mapping[str, torch.Tensor], args: Mapping[str, Any], ctx: Ctx) -> dict[str, Any]:
    """Call (or build and run in eval mode) once; also return the inputs as they are afterwards (and how many
    times a stand-in model was called)."""
    tensors = _prepare(inputs, ctx)
    module = _build(target, tensors, args, ctx).eval() if "init" in args else None
    models: list[LookupLM] = []
    out = _invoke(target, tensors, args, ctx, module, models=models)
    calls = {f"calls.{i}": torch.tensor(m.calls) for i, m in enumerate(models)}
    return {"out": out, **calls, **_inputs_after(tensors, args)}


def _flat_tensors(value: Any) -> list[torch.Tensor]:
    if isinstance(value, torch.Tensor):
        return [value]
    if isinstance(value, (tuple, list)):
        return [t for item in value for t in _flat_tensors(item)]
    return []


def grad(target: Any, inputs: Mapping[str, torch.Tensor], args: Mapping[str, Any], ctx: Ctx) -> dict[str, Any]:
    """Backpropagate a seeded upstream gradient; return the gradients of inputs and parameters."""
    tensors = _prepare(inputs, ctx)
    for name in args["grad_wrt"]:
        tensors[name].requires_grad_(True)
    module = _build(target, tensors, args, ctx).eval() if "init" in args else None
    out = _invoke(target, tensors, args, ctx, module)
    gen = torch.Generator().manual_seed(int(args.get("grad_seed", 0)))
    loss = None
    for t in _flat_tensors(out):
        if not t.is_floating_point():
            continue
        upstream = torch.randn(tuple(t.shape), generator=gen, dtype=torch.float64).to(t.dtype).to(t.device)
        if t.requires_grad:
            term = (t * upstream).sum()
            loss = term if loss is None else loss + term
    if loss is not None:
        loss.backward()
    result: dict[str, Any] = {"out": out}
    for name in args["grad_wrt"]:
        result[f"grad.{name}"] = tensors[name].grad
    if module is not None:
        for pname, p in module.named_parameters():
            result[f"grad.param.{pname}"] = p.grad
    return result


def dropout(target: Any, inputs: Mapping[str, torch.Tensor], args: Mapping[str, Any], ctx: Ctx) -> dict[str, Any]:
    """Run a module twice in train mode and once in eval mode."""
    tensors = _prepare(inputs, ctx)
    module = _build(target, tensors, args, ctx)
    module.train()
    seed(int(args.get("seed", 0)), ctx.device)
    train1 = _invoke(target, tensors, args, ctx, module)
    train2 = _invoke(target, tensors, args, ctx, module)
    module.eval()
    return {"train1": train1, "train2": train2, "eval": _invoke(target, tensors, args, ctx, module)}


def raises(target: Any, inputs: Mapping[str, torch.Tensor], args: Mapping[str, Any], ctx: Ctx) -> dict[str, Any]:
    """Call with arguments that must be refused; return the exception's class names, or None."""
    tensors = _prepare(inputs, ctx)
    try:
        if "init" in args:
            _build(target, tensors, args, ctx)
        else:
            _invoke(target, tensors, args, ctx)
    except NotImplementedError:
        raise
    except (SignatureMismatch, StateDictMismatch):
        raise
    except Exception as exc:  # the student's exception is the observation
        return {"raised": " ".join(c.__name__ for c in type(exc).__mro__)}
    return {"raised": None}


def causal(target: Any, inputs: Mapping[str, torch.Tensor], args: Mapping[str, Any], ctx: Ctx) -> dict[str, Any]:
    """Run once, then again with the inputs named in ``swap`` replaced (their future positions changed)."""
    tensors = _prepare(inputs, ctx)
    module = _build(target, tensors, args, ctx).eval() if "init" in args else None
    out = _invoke(target, tensors, args, ctx, module)
    swapped = dict(tensors)
    for name, alt in args["swap"].items():
        swapped[name] = tensors[alt]
    return {"out": out, "alt": _invoke(target, swapped, args, ctx, module)}


def _stack(draws: list[Any]) -> Any:
    """The draws stacked on a new first axis, element by element of a returned tuple; what cannot be stacked
    (draws of different shapes or kinds) is returned as the list of draws, which the checks then refuse."""
    first = draws[0]
    if isinstance(first, torch.Tensor) and all(isinstance(d, torch.Tensor) and d.shape == first.shape
                                                and d.dtype == first.dtype and d.device == first.device for d in draws):
        return torch.stack(draws)
    if isinstance(first, tuple) and all(isinstance(d, tuple) and len(d) == len(first) for d in draws):
        return tuple(_stack([d[i] for d in draws]) for i in range(len(first)))
    return list(draws)


ADVANCE = 1 << 18
"""How far the ``advanced`` call's generator is moved along its stream before the call: on the CPU (one Mersenne
Twister stream) ADVANCE 32-bit words drawn, on an accelerator (Philox) its offset moved by ADVANCE. A call that reads
fewer values than that (the reference reads at most 3 x 2048 in a case) reads, when advanced, none of the values
draw 0 read: the two draws are independent, and equal only as often as two draws with different seeds are."""


def advance(gen: torch.Generator) -> torch.Generator:
    """Move ``gen`` ADVANCE values along its stream (see :data:`ADVANCE`)."""
    if gen.device.type == "cpu":
        torch.rand(ADVANCE, generator=gen)
    else:
        gen.set_offset(gen.get_offset() + ADVANCE)
    return gen


def _drawn(target: Any, tensors: Mapping[str, torch.Tensor], args: Mapping[str, Any], ctx: Ctx, gen: torch.Generator,
           moved: list[bool]) -> Any:
    """One call with ``gen``; whether the call changed the generator's state is appended to ``moved``."""
    before = gen.get_state()
    out = _invoke(target, tensors, args, ctx, gen=gen)
    moved.append(not torch.equal(before, gen.get_state()))
    return out


def draws(target: Any, inputs: Mapping[str, torch.Tensor], args: Mapping[str, Any], ctx: Ctx) -> dict[str, Any]:
    """Call ``draws`` times, each with a generator seeded ``seed + i`` (the ``["gen"]`` argument); then once more
    with the first seed (``repeat``), and once with the first seed's generator advanced before the call
    (``advanced``, :func:`advance`): a result computed from ``generator.initial_seed()`` rather than drawn from
    the generator's state gives draw 0 again. ``gen_moved`` (bool, one per call in that order) says whether the
    call changed the generator's state, i.e. drew from it. The global generator is seeded before and read after
    (``rng``): a call that drew from it instead of the generator passed in shows there."""
    tensors = _prepare(inputs, ctx)
    base = int(args.get("seed", 0))
    seed(base, ctx.device)
    outs: list[Any] = []
    moved: list[bool] = []
    for i in range(int(args["draws"])):
        gen = torch.Generator(device=ctx.device).manual_seed(base + i)
        outs.append(_drawn(target, _prepare(inputs, ctx), args, ctx, gen, moved))
    repeat = _drawn(target, tensors, args, ctx, torch.Generator(device=ctx.device).manual_seed(base), moved)
    gen = advance(torch.Generator(device=ctx.device).manual_seed(base))
    advanced = _drawn(target, _prepare(inputs, ctx), args, ctx, gen, moved)
    rng = torch.randint(0, 2**62, (4,))  # from the global CPU generator, seeded above
    return {"out": _stack(outs), "repeat": repeat, "advanced": advanced,
            "gen_moved": torch.tensor(moved, dtype=torch.bool, device=ctx.device), "rng": rng,
            **_inputs_after(tensors, args)}


def greedy(model: Any, src: torch.Tensor, pad: int = 0) -> torch.Tensor:
    """Trusted greedy decoding of ``src`` (B, L) with a trained encoder–decoder of the Annotated Transformer's
    interface (``encode(src, src_mask)``, ``decode(memory, src_mask, ys, tgt_mask)``, ``generator``; masks True
    where attention is allowed), from src's first token, to src's length."""
    src_mask, _ = learning.masks(src, src[:, :1], pad)
    memory = model.encode(src, src_mask)
    ys = src[:, :1]
    for _ in range(src.size(1) - 1):
        out = model.decode(memory, src_mask, ys, learning.masks(src, ys, pad)[1])
        ys = torch.cat([ys, model.generator(out[:, -1]).argmax(-1, keepdim=True)], dim=1)
    return ys


def _fresh_like(held_out: torch.Tensor) -> torch.Tensor:
    """Sequences like ``held_out`` (its first column, tokens from the range of the others), drawn from the operating
    system's randomness after the call: nothing that ran before can have seen them."""
    gen = torch.Generator().manual_seed(int.from_bytes(os.urandom(8), "little"))
    body = held_out[:, 1:].cpu()
    fresh = torch.randint(int(body.min()), int(body.max()) + 1, tuple(body.shape), generator=gen)
    return torch.cat([held_out[:, :1].cpu(), fresh], dim=1).to(held_out.device)


def train(target: Any, inputs: Mapping[str, torch.Tensor], args: Mapping[str, Any], ctx: Ctx) -> dict[str, Any]:
    """Call a function that trains a model ``draws`` times, the seed (its first literal) seed, seed+1, ...; time each call, count
    the optimiser steps it takes, and decode what it returns greedily (:func:`greedy`) on the case's ``held_out``
    sequences and on as many drawn afresh after the call (:func:`_fresh_like`). ``untouched`` says, per call, that
    no parameter of the returned model was ever stepped by an optimiser (a fresh model returned, or one trained
    without ``optimizer.step``); ``train_mode`` that it came back in train mode (the driver decodes in eval mode).
    For the pictures (grader.sandbox.learning): ``loss_steps`` / ``loss`` (calls, points) the held-out loss the grader
    measured every tenth optimiser step of each call, ``attention`` (T, S) the first call's model's encoder–decoder attention on
    the first held-out sequence."""
    from torch.optim.optimizer import register_optimizer_step_post_hook, register_optimizer_step_pre_hook

    tensors = _prepare(inputs, ctx)
    held_out = tensors["held_out"]
    first = args["call"][0]
    stepped: dict[int, torch.Tensor] = {}
    count = [0]
    snapshots = learning.Snapshots()

    def before(optimizer: Any, _args: Any, _kwargs: Any) -> None:
        snapshots.before(optimizer, count[0])

    def hook(optimizer: Any, _args: Any, _kwargs: Any) -> None:
        count[0] += 1
        for group in optimizer.param_groups:
            for p in group["params"]:
                stepped[id(p)] = p  # held, so that no id is reused while the driver looks

    def measure() -> contextlib.ExitStack:
        stack = contextlib.ExitStack()
        stack.enter_context(torch.no_grad())
        stack.enter_context(ctx.student())
        return stack

    outs, fresh_src, fresh_out, seconds, steps, untouched, train_mode = [], [], [], [], [], [], []
    curves: list[tuple[list[int], list[float]]] = []
    attention = torch.zeros(0, 0)
    handles = [register_optimizer_step_pre_hook(before), register_optimizer_step_post_hook(hook)]
    try:
        for i in range(int(args.get("draws", 1))):
            call = [["v", int(first[1]) + i], *args["call"][1:]]
            count[0] = 0
            stepped.clear()
            snapshots.clear()
            started = time.perf_counter()
            model = _invoke(target, tensors, {**args, "call": call}, ctx)
            seconds.append(time.perf_counter() - started)
            steps.append(count[0])
            if not isinstance(model, torch.nn.Module):
                raise TypeError(f"the function returned {type(model).__name__}, not the trained model")
            untouched.append(not any(id(p) in stepped for p in model.parameters()))
            train_mode.append(model.training)
            model.eval()
            fresh = _fresh_like(held_out)
            with measure():
                outs.append(greedy(model, held_out))
                fresh_out.append(greedy(model, fresh))
            fresh_src.append(fresh)
            curves.append(learning.loss_curve(model, snapshots, count[0], held_out, measure))
            if i == 0:  # the picture of one held-out example, from the first run's model
                with measure():
                    attention = learning.cross_attention(model, held_out[:1], outs[0][:1])
    finally:
        for handle in handles:
            handle.remove()
    width = max(len(s) for s, _ in curves)  # runs of different lengths: padded (step -1, loss NaN)
    return {"out": torch.stack(outs), "fresh_src": torch.stack(fresh_src), "fresh_out": torch.stack(fresh_out),
            "seconds": torch.tensor(seconds, dtype=torch.float64), "steps": torch.tensor(steps),
            "untouched": torch.tensor(untouched), "train_mode": torch.tensor(train_mode),
            "loss_steps": torch.tensor([s + [-1] * (width - len(s)) for s, _ in curves]),
            "loss": torch.tensor([v + [float("nan")] * (width - len(v)) for _, v in curves], dtype=torch.float64),
            "attention": attention.to(torch.float64)}


DRIVERS: Mapping[str, Callable[[Any, Mapping[str, torch.Tensor], Mapping[str, Any], Ctx], dict[str, Any]]] = {
    "call": call,
    "grad": grad,
    "dropout": dropout,
    "raises": raises,
    "causal": causal,
    "draws": draws,
    "train": train,
}
