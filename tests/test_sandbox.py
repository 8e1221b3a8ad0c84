"""The child-process boundary: broken code ends as a clear status; every other exercise is still graded."""

from __future__ import annotations

import subprocess
import time

from grader import api
from grader.results import Status

CAUSAL = "    return torch.ones(size, size, dtype=torch.bool, device=device).tril()"
PADDING = "    return (tokens != pad_id)[:, None, None, :]"


def _by_id(result):
    return {e.id: e for e in result.exercises}


def _children_of_grader() -> list[str]:
    """Processes still running under the fork server (every sandbox child is forked by it)."""
    from grader.sandbox.forkserver import server

    proc = server()._proc
    if proc is None:
        return []
    out = subprocess.run(["ps", "-eo", "ppid=,pid=,args="], capture_output=True, text=True).stdout
    return [line for line in out.splitlines() if line.split(None, 1)[0] == str(proc.pid)]


def test_infinite_loop_times_out_and_others_keep_their_marks(submission, reference):
    sub = submission(("attention.py", CAUSAL, "    while True:\n        pass"))
    started = time.monotonic()
    result = api.check(sub, exercises=["causal_mask", "padding_mask", "masked_softmax"], timeout=3,
                       reference=reference)
    assert time.monotonic() - started < 60
    ex = _by_id(result)
    assert ex["causal_mask"].status is Status.TIMEOUT and ex["causal_mask"].score == 0
    assert ex["causal_mask"].cases[0].failure.message.key == "check.timeout"
    assert ex["padding_mask"].status is Status.PASSED and ex["masked_softmax"].status is Status.PASSED
    assert not _children_of_grader()


def test_os_exit_costs_only_the_case_that_called_it(submission, reference):
    sub = submission(("attention.py", PADDING, "    import os\n    os._exit(7)"))
    result = api.check(sub, exercises=["padding_mask", "causal_mask"], reference=reference)
    ex = _by_id(result)
    assert ex["padding_mask"].status is Status.ERROR
    failure = ex["padding_mask"].cases[0].failure
    assert failure.message.key == "check.crashed" and failure.message.params["code"] == 7
    assert ex["causal_mask"].status is Status.PASSED


def test_sys_exit_and_keyboard_interrupt_are_errors_of_the_exercise(submission, reference):
    sub = submission(("attention.py", PADDING, "    raise SystemExit(3)"),
                     ("attention.py", CAUSAL, "    raise KeyboardInterrupt"))
    result = api.check(sub, exercises=["padding_mask", "causal_mask", "masked_softmax"], reference=reference)
    ex = _by_id(result)
    assert ex["padding_mask"].status is Status.ERROR
    assert ex["padding_mask"].cases[0].failure.message.params["type"] == "SystemExit"
    assert ex["causal_mask"].cases[0].failure.message.params["type"] == "KeyboardInterrupt"
    assert ex["masked_softmax"].status is Status.PASSED


def test_syntax_error_names_file_and_line_and_spares_other_files(submission, reference):
    sub = submission(("layers.py", "class EncoderLayer(nn.Module):", "class EncoderLayer(nn.Module)"))
    result = api.check(sub, reference=reference)
    ex = _by_id(result)
    for name in ("PositionwiseFeedForward", "EncoderLayer", "DecoderLayer"):
        assert ex[name].status is Status.ERROR
    msg = ex["EncoderLayer"].cases[0].failure.message
    assert msg.key == "check.syntax" and msg.params["file"] == "layers.py"
    assert msg.params["line"] == (sub / "layers.py").read_text().splitlines().index("class EncoderLayer(nn.Module)") + 1
    assert ex["MultiHeadAttention"].status is Status.PASSED
    assert result.score == 100 - 8 - 12 - 14


def test_missing_file_and_missing_name(submission, reference):
    sub = submission(("attention.py", "def causal_mask(", "def causal_mask_renamed("))
    (sub / "positional.py").unlink()
    result = api.check(sub, reference=reference)
    ex = _by_id(result)
    assert ex["sinusoidal_positional_encoding"].status is Status.MISSING
    assert ex["sinusoidal_positional_encoding"].cases[0].failure.message.key == "check.missing_file"
    assert ex["causal_mask"].status is Status.MISSING
    assert ex["causal_mask"].cases[0].failure.message.params == {"name": "causal_mask", "file": "attention.py"}
    assert ex["padding_mask"].status is Status.PASSED


def test_wrong_signature_is_reported_before_running(submission, reference):
    sub = submission(("attention.py", "def padding_mask(tokens: torch.Tensor, pad_id: int)",
                      "def padding_mask(tokens: torch.Tensor)"))
    result = api.check(sub, exercises=["padding_mask"], reference=reference)
    failure = result.exercises[0].cases[0].failure
    assert failure.name == "signature" and failure.message.key == "check.signature"
    assert "tokens" in failure.message.params["signature"]


def test_parameter_names_are_listed_when_they_differ(submission, reference):
    sub = submission(("layers.py", "        self.linear2 = nn.Linear(d_ff, d_model)",
                      "        self.out = nn.Linear(d_ff, d_model)"),
                     ("layers.py", "        return self.linear2(", "        return self.out("))
    result = api.check(sub, exercises=["PositionwiseFeedForward"], reference=reference)
    msg = result.exercises[0].cases[0].failure.message
    assert msg.key == "check.state_dict"
    assert msg.params["missing"] == ["linear2.bias", "linear2.weight"]
    assert msg.params["unexpected"] == ["out.bias", "out.weight"]


def test_traceback_is_trimmed_to_the_students_frames(submission, reference):
    sub = submission(("attention.py", PADDING, "    return helper(tokens)\n\n\ndef helper(t):\n    return t[99]"))
    result = api.check(sub, exercises=["padding_mask"], reference=reference)
    failure = result.exercises[0].cases[0].failure
    assert failure.message.params["type"] == "IndexError"
    lines = failure.traceback.splitlines()
    assert lines[0].startswith('  File "attention.py"') and "in padding_mask" in lines[0]
    assert "grader" not in failure.traceback and "site-packages" not in failure.traceback
    assert lines[-1].startswith("IndexError")


def test_stub_of_a_dependency_is_not_called_not_attempted(submission, reference):
    sub = submission(("attention.py", "    if mask is None:\n        return torch.softmax(scores, dim=dim)",
                      '    raise NotImplementedError("Task 2: masked_softmax")'))
    result = api.check(sub, exercises=["masked_softmax", "scaled_dot_product_attention"], reference=reference)
    ex = _by_id(result)
    assert ex["masked_softmax"].status is Status.NOT_ATTEMPTED
    sdpa = ex["scaled_dot_product_attention"]
    assert sdpa.status is Status.FAILED
    assert sdpa.cases[0].failure.message.params == {"dependency": "masked_softmax"}
    assert any(n.key == "note.depends" for n in sdpa.notes)


def test_printing_is_captured_and_truncated(submission, reference):
    sub = submission(("attention.py", PADDING, "    print('x' * 100000)\n" + PADDING))
    result = api.check(sub, exercises=["padding_mask"], reference=reference)
    assert result.exercises[0].status is Status.PASSED
    assert result.output.startswith("xxxx") and len(result.output) < 5000
