"""Only plain, self-consistent data crosses the boundary."""

from __future__ import annotations

import pytest
import torch

from grader.sandbox import transfer


def test_roundtrip_describes_structure_and_devices():
    out = transfer.roundtrip({"out": (torch.ones(2, 3), torch.zeros(1, dtype=torch.bool)), "meta": torch.empty(4, device="meta"),
                              "none": None, "raised": "ValueError Exception", "obj": object()})
    assert out["out"].kind == "sequence" and out["out"].length == 2
    assert out["out.0"].shape == (2, 3) and out["out.0"].dtype == "float32" and out["out.0"].device == "cpu"
    assert out["out.1"].dtype == "bool"
    assert out["meta"].device == "meta" and out["meta"].tensor is None
    assert out["none"].kind == "none" and out["raised"].value == "ValueError Exception"
    assert out["obj"].kind == "object" and out["obj"].type_name == "object"


def test_tensor_subclass_arrives_as_a_plain_tensor():
    class Liar(torch.Tensor):
        def __eq__(self, other):  # noqa: D105
            return True

    liar = torch.ones(3).as_subclass(Liar)
    entries, tensors = transfer.encode({"out": liar})
    assert type(tensors["out"]) is torch.Tensor


@pytest.mark.parametrize("entries,tensors,needle", [
    ({"out": {"kind": "tensor", "shape": [2], "dtype": "float32", "device": "cpu", "stored": True}}, {}, "not sent"),
    ({"out": {"kind": "tensor", "shape": [3], "dtype": "float32", "device": "cpu", "stored": True}},
     {"out": torch.ones(2)}, "does not match"),
    ({"out": {"kind": "tensor", "shape": [2], "dtype": "complex64", "device": "cpu", "stored": True}},
     {"out": torch.ones(2)}, "malformed"),
    ({"out": {"kind": "pickle"}}, {}, "unknown entry kind"),
    ({"out": {"kind": "value", "value": [1, 2]}}, {}, "malformed value"),
])
def test_decode_rejects_descriptions_that_lie(entries, tensors, needle):
    with pytest.raises(transfer.TransferError, match=needle):
        transfer.decode(entries, tensors)


def test_read_refuses_oversized_results(tmp_path):
    transfer.write(tmp_path / "0", {"status": "ok", "entries": {}}, {"out": torch.zeros(1000)})
    with pytest.raises(transfer.TransferError, match="over the limit"):
        transfer.read(tmp_path / "0", max_bytes=100)
