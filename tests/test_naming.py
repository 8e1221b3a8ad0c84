"""No wrong names: a catalogued mistake is named only from cases that can tell it apart from the correct
output, never after a structural failure, and equality takes the dtype into account."""

from __future__ import annotations

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
    assert not set(checks.matching_mistakes(reference, prepared, outcome)) & set(indistinct)
