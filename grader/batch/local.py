"""The local executor: a batch's submissions graded by threads of this process, each driving one sandboxed child
at a time, against one reference prepared before any of them starts.

:func:`grade` has the signature of the Ray executor's (grader.batch.cluster); neither knows the other. Each outcome
is handed to ``deliver`` in the calling thread, as it comes, in the order the submissions finish.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed

from grader.batch.intake import Submission
from grader.batch.worker import Grading, Outcome, grade_submission, packed_or_failure, prepare_reference, problem_outcome
from grader.spec import Assignment


def grade(todo: Sequence[tuple[Submission, str | None, BaseException | None]], *, spec: Assignment,
          grading: Grading, address: str | None, workers: int | None,
          deliver: Callable[[Submission, Outcome], None]) -> None:
    """Grade ``todo`` (as built by grader.batch.driver.run) with ``workers`` threads (default: one per core);
    ``address`` is the Ray executor's and must be None here."""
    if address is not None:
        raise ValueError("the local executor grades on this machine: it takes no cluster address")
    reference = prepare_reference(spec, grading)  # the reference runs once per batch, before any worker starts

    def grade_one(sub: Submission, digest: str | None, problem: BaseException | None) -> Outcome:
        if problem is not None or digest is None:
            return problem_outcome(spec, sub, problem)
        packed = packed_or_failure(sub, spec, digest)
        return packed if isinstance(packed, Outcome) else grade_submission(packed, sub, digest, grading, reference)

    with ThreadPoolExecutor(max_workers=max(1, workers or os.cpu_count() or 1)) as pool:
        futures = {pool.submit(grade_one, sub, digest, problem): sub for sub, digest, problem in todo}
        for future in as_completed(futures):
            deliver(futures[future], future.result())
