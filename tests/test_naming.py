"""No wrong names: a catalogued mistake is named only from cases that can tell it apart from the correct
output, never after a structural failure, and equality takes the dtype into account."""

from __future__ import annotations

import torch

from grader import api
from grader.results import Status

CAUSAL = "    return torch.ones(size, size, dtype=torch.bool, device=device).tril()"


def _by_id(result):
    return {e.id: e for e in result.exercises}


def test_a_dtype_failure_names_no_mistake(submission, reference):
    """A uint8 causal mask has the right values in the wrong dtype: it used to be named "the mask opens
    the future" (the catalogued upper-triangular mask compared without its dtype)."""
    sub = submission(("attention.py", CAUSAL, CAUSAL.replace("dtype=torch.bool", "dtype=torch.uint8")))
    ex = _by_id(api.check(sub, exercises=["causal_mask"], reference=reference, hidden=True))["causal_mask"]
    assert ex.status is Status.FAILED
    assert {c.failure.name for c in ex.cases if c.failure is not None} <= {"dtype", "runs"}
    assert ex.mistakes == ()


def test_a_mistake_equal_to_the_correct_output_on_a_case_is_not_named_from_it(reference, assignment):
    """Where a catalogued mistake gives the correct output (the upper triangle of a 1x1 mask), matching the
    student's output against it proves nothing: the matcher refuses it even if the case failed elsewhere."""
    from grader import checks
    from grader.sandbox.runner import Outcome

    ex = assignment.exercise("causal_mask")
    case = next(c for c in ex.cases if c.id == "size_1")
    prepared = reference.prepare(ex, case)
    indistinct = [m.id for m in ex.mistakes
                  if checks._same(prepared.expected, reference.mistake_outputs(ex, case, m.id) or {})]
    assert indistinct  # some mistakes are the correct output at size 1
    outcome = Outcome("ok", {"status": "ok"}, prepared.expected)  # the correct output, as if a property had failed
    assert not set(checks.mistake_evidence(reference, prepared, outcome)) & set(indistinct)


SDPA_SCALE = "    scores = q @ k.transpose(-2, -1) / math.sqrt(d_k)"


def test_outputs_are_called_by_their_names_and_the_divisor_is_estimated(submission, reference):
    """A sqrt(d_k) written as d_k ** 0.25 by mistake: no catalogued program does that, but the probe fits the
    divisor from the student's weights and says what it was; the failing output is called "weights" or "output",
    never "out.1"."""
    from grader.messages import render

    sub = submission(("attention.py", SDPA_SCALE, SDPA_SCALE.replace("math.sqrt(d_k)", "d_k ** 0.25")))
    ex = _by_id(api.check(sub, exercises=["scaled_dot_product_attention"], reference=reference))[
        "scaled_dot_product_attention"]
    assert ex.status is Status.FAILED and ex.mistakes == ()
    keys = {c.failure.message.params.get("key") for c in ex.cases if c.failure is not None}
    assert keys and keys <= {"output", "weights"}, keys
    scale = next(d for d in ex.diagnoses if d.id == "scale_factor")
    d_k = 8  # every visible case that shows the weights has d_k = 8
    assert abs(float(scale.params["got"]) - d_k ** 0.25) < 0.01 and scale.params["expected"] == f"{d_k ** 0.5:.3g}"
    assert "1.68" in render(scale.message, "en") and "√d_k" in render(scale.message, "en")
    assert "나누었습니다" in render(scale.message, "ko")


def test_the_correct_solution_gets_no_diagnosis(reference):
    from conftest import SOLUTIONS

    result = api.check(SOLUTIONS, reference=reference)
    assert result.score == result.max_score
    assert not any(e.diagnoses or e.mistakes for e in result.exercises)


def test_a_probe_that_cannot_read_an_output_observes_nothing(reference, assignment):
    """Probes read what a submission sent: an odd output (NaN everywhere, another dtype) never breaks grading."""
    from grader import diagnose
    from grader.sandbox.transfer import roundtrip

    ex = assignment.exercise("scaled_dot_product_attention")
    case = next(c for c in ex.cases if c.id == "causal_4d")
    prepared = reference.prepare(ex, case)
    odd = roundtrip({"out": (torch.full((2, 2, 5, 8), float("nan")), torch.zeros(2, 2, 5, 5, dtype=torch.int64))})
    view = diagnose.View(ex, case, prepared.inputs, prepared.call_args, odd, prepared.expected, prepared.truth)
    assert diagnose.diagnose(ex, ex.probes, [("causal_4d", view)]) == ()

    def broken(view):
        raise RuntimeError("a probe that fails")

    assert diagnose.diagnose(ex, (broken,), [("causal_4d", view)]) == ()
