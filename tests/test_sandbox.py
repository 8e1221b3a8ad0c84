"""The child-process boundary: broken code ends as a clear status; every other exercise is still graded."""

from __future__ import annotations

import subprocess
import time

from conftest import SOLUTIONS

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


def _endless_masked_softmax(submission):
    text = (SOLUTIONS / "attention.py").read_text()
    start = text.index("def masked_softmax")
    body = text.index('"""', text.index('"""', start) + 3) + 3
    loop = "\n    while True:\n        scores = scores + 0\n"
    sub = submission()
    (sub / "attention.py").write_text(text[:body] + loop + text[body:])
    return sub, text[:body].count("\n") + 3  # the line of `scores = scores + 0`


def test_an_endless_loop_costs_seconds_and_says_where_it_was_stuck(submission, reference):
    sub, line = _endless_masked_softmax(submission)
    started = time.monotonic()
    result = api.check(sub, reference=reference)
    assert time.monotonic() - started < 60  # the exercise limit alone is 60 s, five exercises use it
    ex = {e.id: e for e in result.exercises}
    first = ex["masked_softmax"].cases[0].failure
    assert ex["masked_softmax"].status is Status.TIMEOUT
    assert first.message.key == "check.timeout_at"
    assert first.message.params == {"limit": first.message.params["limit"], "file": "attention.py", "line": line,
                                    "function": "masked_softmax"}
    assert "attention.py" in first.traceback and "scores = scores + 0" in first.traceback
    assert ex["masked_softmax"].cases[1].failure.message.key == "check.timeout_skipped"
    # what calls it is not run again (it would loop the same way), and says why
    for name in ("scaled_dot_product_attention", "MultiHeadAttention", "EncoderLayer", "DecoderLayer"):
        failure = ex[name].cases[0].failure
        assert ex[name].status is Status.TIMEOUT and failure.message.key == "check.timeout_dependency", name
        assert failure.message.params["function"] == "masked_softmax"
    # what does not call it is graded as usual
    for name in ("sinusoidal_positional_encoding", "causal_mask", "split_heads", "PositionwiseFeedForward"):
        assert ex[name].status is Status.PASSED, name


def test_an_explicit_timeout_is_the_exercises_limit(submission, reference):
    """`--timeout` (or timeout=) is a per-exercise limit as documented: no case limit of its own then."""
    sub, _ = _endless_masked_softmax(submission)
    result = api.check(sub, reference=reference, exercises=["masked_softmax"], timeout=3)
    failure = result.exercises[0].cases[0].failure
    assert failure.message.params["limit"] == 3


def _broken(sub, file: str, old: str, new: str) -> None:
    path = sub / file
    text = path.read_text()
    assert old in text, old
    path.write_text(text.replace(old, new, 1))


def test_the_relies_on_note_names_only_what_the_code_calls(submission, reference):
    """The reference's MultiHeadAttention calls masked_softmax, not scaled_dot_product_attention: when both
    it and scaled_dot_product_attention fail, the note names masked_softmax only if that failed too."""
    names = ["scaled_dot_product_attention", "masked_softmax", "MultiHeadAttention"]
    sub = submission()
    sdpa = (sub / "attention.py").read_text()
    start = sdpa.index("def scaled_dot_product_attention")
    body = sdpa.index('"""', sdpa.index('"""', start) + 3) + 3
    (sub / "attention.py").write_text(sdpa[:body] + "\n    q = q * 2\n" + sdpa[body:])
    _broken(sub, "multihead.py", "return self.w_o(combine_heads(heads))", "return combine_heads(heads)")
    ex = {e.id: e for e in api.check(sub, reference=reference, exercises=names).exercises}
    assert ex["scaled_dot_product_attention"].status is Status.FAILED and ex["MultiHeadAttention"].status is Status.FAILED
    assert not [n for n in ex["MultiHeadAttention"].notes if n.key == "note.depends"]
    # masked_softmax broken too: MultiHeadAttention does call it, and the note says so
    _broken(sub, "attention.py", "def masked_softmax(", "def _masked_softmax_reference(")
    (sub / "attention.py").write_text((sub / "attention.py").read_text() + (
        "\n\ndef masked_softmax(scores, mask=None, dim=-1):\n    return _masked_softmax_reference(scores, mask, dim) * 2\n"))
    ex = {e.id: e for e in api.check(sub, reference=reference, exercises=names).exercises}
    notes = [n for n in ex["MultiHeadAttention"].notes if n.key == "note.depends"]
    assert ex["masked_softmax"].status is Status.FAILED
    assert [n.params["deps"] for n in notes] == ["masked_softmax"]
