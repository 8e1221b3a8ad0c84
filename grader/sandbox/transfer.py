"""What crosses the process boundary: tensors as safetensors (never pickle) and a JSON description.

``encode`` flattens a driver's result into JSON-able entries plus a dict of plain CPU tensors;
``decode`` turns them back into :class:`Entry` objects. The grading process uses the same two
functions on the reference's results, so both sides are described in exactly the same way.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import torch
from safetensors import SafetensorError
from safetensors.torch import load, save

from grader import clean
from grader.sandbox.protocol import EntryKind, RecordKind, RecordStatus

MAX_DEPTH = 3
MAX_ITEMS = 16
MAX_TEXT = 2000

DTYPES: Mapping[str, torch.dtype] = {
    str(dt).removeprefix("torch."): dt
    for dt in (
        torch.float64, torch.float32, torch.float16, torch.bfloat16, torch.bool,
        torch.int8, torch.int16, torch.int32, torch.int64, torch.uint8,
    )
}


class TransferError(Exception):
    """The child's description of its results is malformed or disagrees with the tensors it sent."""


@dataclass(frozen=True)
class Entry:
    """One value a driver returned, as the grading process sees it."""

    kind: EntryKind
    """tensor, sequence, none, value or object."""
    shape: tuple[int, ...] = ()
    dtype: str = ""
    device: str = ""
    """Device type only: cpu, cuda or meta."""
    requires_grad: bool = False
    tensor: torch.Tensor | None = None
    """The data on the CPU; None for meta tensors."""
    length: int = 0
    """For sequences: the number of items (stored under key.0, key.1, ...)."""
    type_name: str = ""
    """For sequences and objects: the Python type's name."""
    value: Any = None
    """For value entries: a bool, int, float or str."""

    def describe(self) -> str:
        if self.kind == "tensor":
            return f"Tensor{list(self.shape)} {self.dtype}"
        if self.kind == "sequence":
            return f"{self.type_name} of {self.length}"
        if self.kind == "none":
            return "None"
        if self.kind == "value":
            return f"{type(self.value).__name__} {self.value!r}"
        return self.type_name


def encode(result: Mapping[str, Any]) -> tuple[dict[str, dict[str, Any]], dict[str, torch.Tensor]]:
    """Flatten a driver's result into (JSON-able entries, CPU tensors keyed like the entries)."""
    entries: dict[str, dict[str, Any]] = {}
    tensors: dict[str, torch.Tensor] = {}
    for key, value in result.items():
        _encode_one(key, value, entries, tensors, depth=0)
    return entries, tensors


def _encode_one(key: str, value: Any, entries: dict, tensors: dict, depth: int) -> None:
    if isinstance(value, torch.Tensor):
        plain = value.detach()
        if type(plain) is not torch.Tensor:  # a subclass cannot smuggle behaviour across
            plain = plain.as_subclass(torch.Tensor)
        device = plain.device.type
        stored = device != "meta"
        entries[key] = {
            "kind": "tensor",
            "shape": list(plain.shape),
            "dtype": str(plain.dtype).removeprefix("torch."),
            "device": device,
            "requires_grad": bool(value.requires_grad),
            "stored": stored,
        }
        if stored:
            tensors[key] = plain.cpu().contiguous().clone()
    elif isinstance(value, (tuple, list)) and depth < MAX_DEPTH and len(value) <= MAX_ITEMS:
        entries[key] = {"kind": "sequence", "type": type(value).__name__, "len": len(value)}
        for i, item in enumerate(value):
            _encode_one(f"{key}.{i}", item, entries, tensors, depth + 1)
    elif value is None:
        entries[key] = {"kind": "none"}
    elif isinstance(value, (bool, int, float)) and type(value) in (bool, int, float):
        entries[key] = {"kind": "value", "value": value}
    elif type(value) is str:
        entries[key] = {"kind": "value", "value": value[:MAX_TEXT]}
    else:
        entries[key] = {"kind": "object", "type": type(value).__name__[:200]}


def payload_bytes(value: Any, depth: int = 0) -> int:
    """Bytes the tensors in a driver's result would take once sent (meta tensors take none)."""
    if isinstance(value, torch.Tensor):
        with torch._C.DisableTorchFunctionSubclass():
            return 0 if value.device.type == "meta" else value.numel() * value.element_size()
    if isinstance(value, dict):
        return sum(payload_bytes(v, depth) for v in value.values())
    if isinstance(value, (tuple, list)) and depth < MAX_DEPTH:
        return sum(payload_bytes(v, depth + 1) for v in value[:MAX_ITEMS])
    return 0


MAX_ENTRIES = 256
MAX_DIMS = 16


def _field(raw: Mapping[str, Any], key: str, name: str, kind: type | tuple[type, ...], default: Any = None) -> Any:
    value = raw.get(name, default)
    ok = isinstance(value, kind) and not (isinstance(value, bool) and bool not in (kind if isinstance(kind, tuple) else (kind,)))
    if not ok:
        raise TransferError(f"entry {key!r}: field {name!r} should be {_type_words(kind)}, got {type(value).__name__}")
    return value


def _type_words(kind: type | tuple[type, ...]) -> str:
    kinds = kind if isinstance(kind, tuple) else (kind,)
    return " or ".join(k.__name__ for k in kinds)


def decode(entries: Mapping[str, Any], tensors: Mapping[str, torch.Tensor]) -> dict[str, Entry]:
    """Check a description against its tensors and build :class:`Entry` objects.

    Every field is type- and range-checked (the child is not trusted); shape and dtype are read from
    the tensors themselves and the description must agree with them. Strings are cleaned.
    """
    if not isinstance(entries, Mapping):
        raise TransferError("result description is not an object")
    if len(entries) > MAX_ENTRIES:
        raise TransferError(f"result description has {len(entries)} entries (at most {MAX_ENTRIES})")
    out: dict[str, Entry] = {}
    for key, raw in entries.items():
        if not isinstance(key, str) or len(key) > 200 or not isinstance(raw, Mapping):
            raise TransferError(f"malformed entry {clean.name(key, 80)!r}")
        kind = raw.get("kind")
        if kind == "tensor":
            device = _field(raw, key, "device", str)
            dtype = _field(raw, key, "dtype", str)
            shape = _field(raw, key, "shape", list)
            stored = _field(raw, key, "stored", bool, False)
            requires_grad = _field(raw, key, "requires_grad", bool, False)
            if (dtype not in DTYPES or len(shape) > MAX_DIMS
                    or not all(isinstance(n, int) and not isinstance(n, bool) and 0 <= n < 2**40 for n in shape)):
                raise TransferError(f"malformed tensor entry {key!r}")
            if device not in ("cpu", "cuda", "meta"):
                raise TransferError(f"tensor {key!r}: unknown device {clean.name(device, 40)!r}")
            tensor = tensors.get(key)
            if stored:
                if tensor is None:
                    raise TransferError(f"tensor {key!r} is described but was not sent")
                if list(tensor.shape) != shape or tensor.dtype != DTYPES[dtype]:
                    raise TransferError(f"tensor {key!r} does not match its description")
            elif device != "meta":
                raise TransferError(f"tensor {key!r} on {device!r} was not sent")
            out[key] = Entry(kind=EntryKind.TENSOR, shape=tuple(shape), dtype=dtype, device=device,
                             requires_grad=requires_grad, tensor=tensor if stored else None)
        elif kind == "sequence":
            length = _field(raw, key, "len", int)
            if not 0 <= length <= MAX_ITEMS:
                raise TransferError(f"sequence {key!r}: length {length} out of range")
            out[key] = Entry(kind=EntryKind.SEQUENCE, length=length, type_name=clean.name(_field(raw, key, "type", str)))
        elif kind == "none":
            out[key] = Entry(kind=EntryKind.NONE)
        elif kind == "value":
            value = raw.get("value")
            if isinstance(value, str):
                value = clean.text(value, MAX_TEXT)
            elif isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 2**63:
                raise TransferError(f"value {key!r}: integer out of range")
            elif not isinstance(value, (bool, int, float)):
                raise TransferError(f"malformed value entry {key!r}")
            out[key] = Entry(kind=EntryKind.VALUE, value=value)
        elif kind == "object":
            out[key] = Entry(kind=EntryKind.OBJECT, type_name=clean.name(_field(raw, key, "type", str)))
        else:
            raise TransferError(f"unknown entry kind {clean.name(kind, 40)!r} for {key!r}")
    return out


def encode_entries(entries: Mapping[str, Entry]) -> tuple[dict[str, dict[str, Any]], dict[str, torch.Tensor]]:
    """The inverse of :func:`decode`: decoded entries back to (description, tensors), for storing them."""
    described: dict[str, dict[str, Any]] = {}
    tensors: dict[str, torch.Tensor] = {}
    for key, e in entries.items():
        if e.kind == "tensor":
            described[key] = {"kind": "tensor", "shape": list(e.shape), "dtype": e.dtype, "device": e.device,
                              "requires_grad": e.requires_grad, "stored": e.tensor is not None}
            if e.tensor is not None:
                tensors[key] = e.tensor.contiguous().clone()
        elif e.kind == "sequence":
            described[key] = {"kind": "sequence", "type": e.type_name, "len": e.length}
        elif e.kind == "value":
            described[key] = {"kind": "value", "value": e.value}
        elif e.kind == "object":
            described[key] = {"kind": "object", "type": e.type_name}
        else:
            described[key] = {"kind": "none"}
    return described, tensors


def roundtrip(result: Mapping[str, Any]) -> dict[str, Entry]:
    """Describe a trusted result (the reference's) exactly as a child's result would be described."""
    entries, tensors = encode(result)
    return decode(entries, tensors)


def dumps(record: Mapping[str, Any], tensors: Mapping[str, torch.Tensor]) -> bytes:
    """One task's result as safetensors bytes: the tensors, with the JSON ``record`` in the metadata."""
    return pack(tensors, {"record": json.dumps(record)})


_SAFETENSORS_DTYPES = {torch.float64: "F64", torch.float32: "F32", torch.float16: "F16", torch.bfloat16: "BF16",
                       torch.int64: "I64", torch.int32: "I32", torch.int16: "I16", torch.int8: "I8",
                       torch.uint8: "U8", torch.bool: "BOOL"}


def tensor_bytes(tensor: torch.Tensor) -> bytes:
    """A CPU tensor's data, row-major, in the machine's byte order (what safetensors stores)."""
    return tensor.detach().contiguous().reshape(-1).view(torch.uint8).numpy().tobytes()


def pack(tensors: Mapping[str, torch.Tensor], metadata: Mapping[str, str]) -> bytes:
    """The safetensors format written directly (an 8-byte header length, the JSON header, the data in order),
    what safetensors' own ``save`` writes, without the work it spends per tensor on pointers and shared storage
    (a tenth of a batch's CPU): a result's tensors are fresh contiguous CPU copies (:func:`encode`). Anything
    else (another dtype, a big-endian machine) goes through ``save``. The reader is safetensors' own either way."""
    if sys.byteorder != "little" or any(t.dtype not in _SAFETENSORS_DTYPES or t.device.type != "cpu"
                                        for t in tensors.values()):
        return save(dict(tensors), metadata=dict(metadata))
    header: dict[str, Any] = {"__metadata__": dict(metadata)}
    chunks: list[bytes] = []
    offset = 0
    for name, tensor in tensors.items():
        data = tensor_bytes(tensor)
        header[name] = {"dtype": _SAFETENSORS_DTYPES[tensor.dtype], "shape": list(tensor.shape),
                        "data_offsets": [offset, offset + len(data)]}
        chunks.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)  # the data starts 8-byte aligned, as safetensors' writer leaves it
    return b"".join([len(text).to_bytes(8, "little"), text, *chunks])


def loads(data: bytes) -> tuple[dict[str, Any], dict[str, torch.Tensor]]:
    """Parse what :func:`dumps` made. The tensors are copies owned by this process, so nothing the
    child does afterwards can change them. The record is checked field by field (:func:`clean_record`)."""
    try:
        if len(data) < 8:
            raise ValueError("truncated header")
        header_size = int.from_bytes(data[:8], "little")
        if header_size > len(data) - 8:
            raise ValueError("truncated header")
        header = json.loads(data[8:8 + header_size])
        record = json.loads(header["__metadata__"]["record"])
        tensors = load(data)
    except (ValueError, KeyError, TypeError, RecursionError, SafetensorError) as exc:
        raise TransferError(f"unreadable result: {clean.text(exc, 200)}") from exc
    return clean_record(record), tensors


STATUSES = tuple(s.value for s in RecordStatus)
KINDS = tuple(k.value for k in RecordKind)
TEXT_FIELDS = {"type": 200, "message": MAX_TEXT, "traceback": 4000, "file": 200, "name": 200, "text": 500,
               "detail": 500, "what": 200, "signature": 500, "stub_of": 100, "kind": 40,
               "op": 100, "made": 100}
INT_FIELDS = ("line", "nargs", "size", "limit")
NAME_LISTS = ("missing", "unexpected")


def clean_record(record: Any) -> dict[str, Any]:
    """A child's record with every field checked: known fields of the right type (strings cleaned,
    integers in range, lists bounded), other fields kept only as short clean strings or plain numbers.
    TransferError names the first field that is wrong."""
    if not isinstance(record, dict):
        raise TransferError("the result record is not an object")
    status = record.get("status")
    if status not in STATUSES:
        raise TransferError(f"the record's status should be one of {', '.join(STATUSES)}, got {clean.name(status, 40)!r}")
    out: dict[str, Any] = {"status": RecordStatus(status)}
    for key, value in list(record.items())[:64]:
        if key == "status":
            continue
        if not isinstance(key, str):
            raise TransferError("a record field name is not a string")
        if key == "entries":
            if not isinstance(value, dict):
                raise TransferError("the record's field 'entries' should be an object")
            out[key] = value  # checked by decode()
        elif key in TEXT_FIELDS:
            if value is not None and not isinstance(value, str):
                raise TransferError(f"the record's field {key!r} should be text, got {type(value).__name__}")
            out[key] = None if value is None else clean.text(value, TEXT_FIELDS[key])
        elif key in INT_FIELDS:
            if value is not None and (not isinstance(value, int) or isinstance(value, bool) or abs(value) >= 2**63):
                raise TransferError(f"the record's field {key!r} should be an integer, got {type(value).__name__}")
            out[key] = value
        elif key in NAME_LISTS:
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise TransferError(f"the record's field {key!r} should be a list of names")
            out[key] = [clean.name(v) for v in value[:MAX_ENTRIES]]
        elif key == "misshaped":
            if not isinstance(value, list) or not all(_misshaped_ok(v) for v in value):
                raise TransferError("the record's field 'misshaped' should list [name, shape, shape]")
            out[key] = [[clean.name(v[0]), list(v[1]), list(v[2])] for v in value[:MAX_ENTRIES]]
        elif isinstance(value, bool) or (isinstance(value, (int, float)) and not isinstance(value, bool)
                                         and abs(value) < 2**63):
            out[clean.name(key, 40)] = value
        elif isinstance(value, str) or value is None:
            out[clean.name(key, 40)] = None if value is None else clean.text(value, 500)
        else:
            raise TransferError(f"the record's field {clean.name(key, 40)!r} has an unexpected type {type(value).__name__}")
    if status == "error" and not isinstance(out.get("kind"), str):
        raise TransferError("an error record without a kind")
    if "kind" in out:
        if out["kind"] not in KINDS:
            raise TransferError(f"the record's kind should be one of {', '.join(KINDS)}, got {clean.name(out['kind'], 40)!r}")
        out["kind"] = RecordKind(out["kind"])
    return out


def _misshaped_ok(v: Any) -> bool:
    def dims(x: Any) -> bool:
        return isinstance(x, list) and len(x) <= MAX_DIMS and all(
            isinstance(n, int) and not isinstance(n, bool) and 0 <= n < 2**40 for n in x)

    return isinstance(v, list) and len(v) == 3 and isinstance(v[0], str) and dims(v[1]) and dims(v[2])
