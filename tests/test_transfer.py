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


def test_results_cross_the_pipe_in_pieces_and_come_back_whole():
    from grader.sandbox.runner import ProgressStream

    data = transfer.dumps({"status": "ok", "entries": {}}, {"out": torch.arange(1000.0)})
    stream = ProgressStream(lambda i: 1 << 20 if i == 3 else None)
    message = b"isolation {}\nstart 3\n" + f"done 3 {len(data)}\n".encode() + data + b"start 4\n"
    events = []
    for i in range(0, len(message), 7):  # the pipe delivers whatever it likes
        events += stream.feed(message[i:i + 7])
    assert [(w, r) for w, r, _ in events] == [("isolation", "{}"), ("start", "3"), ("done", "3"), ("start", "4")]
    record, tensors = transfer.loads(events[2][2])
    assert record == {"status": "ok", "entries": {}} and torch.equal(tensors["out"], torch.arange(1000.0))


@pytest.mark.parametrize("message,needle", [
    (b"done 0 5000\n", "over the limit"),     # announced before any byte is read
    (b"done 7 10\n", "protocol violation"),   # a task this child was not given
    (b"done 0 lots\n", "protocol violation"),
    (b"x" * (2 << 20), "without end"),
])
def test_progress_stream_refuses_what_breaks_the_protocol(message, needle):
    from grader.sandbox.runner import ProgressStream, ProtocolError

    stream = ProgressStream(lambda i: 1000 if i == 0 else None)
    with pytest.raises(ProtocolError, match=needle):
        stream.feed(message)


def test_a_bad_line_keeps_the_results_read_before_it_in_the_same_chunk():
    """CI once read ``done 0 …`` + ``start 1`` + a malformed line in one chunk: the good result was dropped
    and case 0 was blamed for what case 1 wrote."""
    from grader.sandbox.runner import ProgressStream, ProtocolError

    stream = ProgressStream(lambda i: 1000 if i in (0, 1) else None)
    with pytest.raises(ProtocolError) as caught:
        stream.feed(b"start 0\ndone 0 3\nabcstart 1\ndone \xc2\xb2 \xc2\xb3\n")
    assert caught.value.events == [("start", "0", b""), ("done", "0", b"abc"), ("start", "1", b"")]


def test_unreadable_result_is_a_transfer_error():
    with pytest.raises(transfer.TransferError):
        transfer.loads(b"\xff" * 20)
    with pytest.raises(transfer.TransferError, match="truncated"):
        transfer.loads(transfer.dumps({"status": "ok"}, {"out": torch.zeros(10)})[:12])


def test_fork_server_preloads_only_inputs_marked_shared(tmp_path, monkeypatch):
    from safetensors.torch import save_file

    from grader.sandbox import child

    monkeypatch.setattr(child, "SHARED_INPUTS", {})
    monkeypatch.setattr(child, "_shared_bytes", 0)
    full, empty = tmp_path / "a.safetensors", tmp_path / "b.safetensors"
    save_file({"x": torch.arange(4.0)}, str(full))
    save_file({}, str(empty))
    tasks = [{"inputs": str(full)}, {"inputs": str(empty)}, {"inputs": str(tmp_path / "missing.safetensors")}]
    child.preload({"preload": False, "tasks": tasks})
    assert child.SHARED_INPUTS == {}
    child.preload({"preload": True, "tasks": tasks})
    assert set(child.SHARED_INPUTS) == {str(full), str(empty)}  # a missing file is left to the child to report
    assert torch.equal(child.SHARED_INPUTS[str(full)]["x"], torch.arange(4.0)) and child.SHARED_INPUTS[str(empty)] == {}
    monkeypatch.setattr(child, "MAX_SHARED_BYTES", full.stat().st_size)
    monkeypatch.setattr(child, "SHARED_INPUTS", {})
    monkeypatch.setattr(child, "_shared_bytes", 0)
    child.preload({"preload": True, "tasks": tasks})
    assert set(child.SHARED_INPUTS) == {str(empty)}  # over the cap: the server starts over


def test_a_case_on_meta_runs_and_the_fork_server_pays_for_torchs_compiler_only_then(tmp_path):
    """The fork server imports torch._dynamo (what an op on ``meta`` needs, over a second) before the first job
    that has a ``meta`` case, never at its start: a check without one (every built-in assignment) does not wait
    for it, and a case on ``meta`` still runs."""
    from grader.sandbox import forkserver, runner

    assert forkserver._warm_meta({"tasks": [{"device": None}, {"device": "elsewhere"}]}) is False
    sub = tmp_path / "sub"
    sub.mkdir()
    (sub / "attention.py").write_text("import torch\n\ndef f(x):\n    return torch.softmax(x * 2, dim=-1)\n")
    task = runner.Task(index=0, exercise="f", case="meta", file="attention.py", name="f", driver="call",
                       args={"call": [["t", "x"]]}, device="meta", inputs={"x": torch.randn(2, 3)})
    run = runner.run_tasks(sub, [task], hide=[])
    outcome = run.outcomes[0]
    assert outcome.status == "ok", outcome
    entry = transfer.decode(outcome.record["entries"], {})["out"] if "entries" in outcome.record else None
    assert entry is not None and entry.shape == (2, 3) and entry.device == "meta"


@pytest.mark.parametrize("dtype", [torch.float64, torch.float32, torch.float16, torch.bfloat16, torch.int64,
                                   torch.int32, torch.int16, torch.int8, torch.uint8, torch.bool, torch.complex64])
def test_a_result_written_directly_reads_back_with_safetensors_own_reader(dtype):
    """transfer.pack writes the safetensors format itself (issue 23: safetensors' save spent a tenth of a batch's
    CPU on bookkeeping); what safetensors' reader and the grading process's loads get back is what was sent:
    every dtype (complex through safetensors' own writer), a scalar, an empty tensor, a view of another."""
    from safetensors.torch import load

    base = (torch.randn(4, 6, dtype=torch.float64) * 50)
    made = base.to(dtype) if dtype != torch.bool else base > 0
    tensors = {"out.0": made, "out.1": made[0, 0].clone(), "out.2": made[:0].clone(),
               "after.q": made.t().contiguous(), "a/b c": made[1:3, ::2].contiguous()}
    record = {"status": "ok", "entries": {}, "note": "한글 and \u00e9"}
    data = transfer.dumps(record, tensors)
    back = load(data)
    assert back.keys() == tensors.keys()
    for name, tensor in tensors.items():
        assert back[name].dtype == tensor.dtype and back[name].shape == tensor.shape
        assert torch.equal(back[name], tensor), name
    header_size = int.from_bytes(data[:8], "little")
    assert (8 + header_size) % 8 == 0
    got_record, got = transfer.loads(data)
    assert got_record["status"] == "ok" and torch.equal(got["out.0"], made)
