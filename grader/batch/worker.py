"""The worker: one packed submission in, one record out, never raises.

:func:`grade_submission` unpacks a :class:`~grader.batch.intake.Packed` submission into a private folder, grades it
with grader.api.check against a reference prepared once (:func:`prepare_reference`; the student's code runs in
the sandbox's child, never here) and answers with an :class:`Outcome`: the record to store and the sources for the
similarity report. The submission's fault is recorded as ``invalid``, the grader's (twice) as ``grader_error``.
Both executors (grader.batch.local, grader.batch.cluster) call exactly this; nothing here writes the output.
"""

from __future__ import annotations

import tempfile
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from grader import api, safefs
from grader.batch.intake import BatchError, NotASubmission, Packed, Submission, pack, read_sources, submission_root, unpack
from grader.batch.output import failure_record
from grader.reference import Reference, one_torch_thread
from grader.report import stored
from grader.results import Message
from grader.spec import Assignment


@dataclass(frozen=True)
class Grading:
    """How every submission of a batch is graded: all a worker needs besides the submission and the reference
    (it names no path of the driver's but those the student's code must not see)."""

    assignment: str
    hidden: bool = True
    salt: str = ""
    limits: Any = None
    timeout: float | None = None
    exercises: tuple[str, ...] = ()
    device: str = "auto"
    hide: tuple[str, ...] = ()
    reference_cache: str | None = None
    """Where the reference's prepared cases are kept between runs (grader.reference.cache_folder); None: nowhere."""


@dataclass
class Outcome:
    """What grading one submission gave, before anything is written: a graded record (``{"submission",
    "batch"}``, the result stored losslessly) and the sources for the similarity report, or a failure record."""

    status: str
    """``graded``, ``invalid`` or ``grader_error``."""
    record: dict[str, Any]
    sources: dict[str, str] = field(default_factory=dict)


def prepare_reference(spec: Assignment, grading: Grading) -> Reference:
    """The reference of a batch, every case it grades prepared at once (before any submission is graded), with the
    fork server warming up beside it. On one torch thread, as grader.api.check prepares it: a float64 sum is
    computed in the same order in every process (a Ray worker has one thread, a workstation several), so the
    expected values a diff shows are the same to the last digit."""
    reference = Reference(spec, grading.salt, Path(grading.reference_cache) if grading.reference_cache else None)
    api.runner.warm_up()
    with one_torch_thread():
        for exercise in spec.exercises:
            if grading.exercises and exercise.id not in grading.exercises:
                continue
            for case in exercise.cases:
                if grading.hidden or not case.hidden:
                    reference.prepare(exercise, case, graded=grading.hidden)
    reference.keep()
    return reference


def _grade_packed(packed: Packed, sub: Submission, digest: str, grading: Grading, reference: Reference) -> Outcome:
    spec = reference.assignment
    with tempfile.TemporaryDirectory(prefix="nlp-grader-sub-", ignore_cleanup_errors=True) as tmp:
        try:
            path = unpack(packed, Path(tmp) / sub.stem)
            root = submission_root(path, spec)
            result = api.check(root, assignment=spec.name, hidden=grading.hidden, reference=reference, salt=grading.salt,
                               limits=grading.limits, timeout=grading.timeout, hide=[Path(p) for p in grading.hide],
                               exercises=grading.exercises, device=grading.device, quiz_student=sub.label)
            sources = read_sources(root, spec)
        except NotASubmission as exc:
            return Outcome("invalid", failure_record(spec, sub.name, "invalid", exc.message, digest))
        except (api.UsageError, BatchError, safefs.UnsafeFile) as exc:  # the submission's fault, not ours
            message: str | Message = exc.message if isinstance(exc, api.UsageError) else str(exc)
            return Outcome("invalid", failure_record(spec, sub.name, "invalid", message, digest))
    left_out = list(packed.left_out[:50])
    record: dict[str, Any] = {"submission": sub.label, "batch": {
        "status": "graded", "content_hash": digest, **({"left_out": left_out} if left_out else {}),
        "result": stored.encode(result)}}
    return Outcome("graded", record, sources)


def _once_more(spec: Assignment, sub: Submission, attempt: Callable[[], Outcome]) -> Outcome:
    """``attempt``, and once more when the grader failed (a fork server replaced may pass); a second failure is the
    grader's, recorded for the submission (``grader_error``, retried by the next run). Never raises."""
    try:
        try:
            return attempt()
        except Exception:  # noqa: BLE001
            return attempt()
    except Exception:  # noqa: BLE001
        return Outcome("grader_error", failure_record(spec, sub.name, "grader_error", traceback.format_exc(), None))


def packed_or_failure(sub: Submission, spec: Assignment, digest: str) -> Packed | Outcome:
    """The submission as data, or why it cannot be graded: unreadable (``invalid``), or the grader failed twice."""
    for attempt in (1, 2):
        try:
            return pack(sub)
        except (BatchError, safefs.UnsafeFile) as exc:  # the submission's fault, as when it cannot be unpacked
            return Outcome("invalid", failure_record(spec, sub.name, "invalid", str(exc), digest))
        except Exception:  # noqa: BLE001 - once more, then the grader's fault
            if attempt == 2:
                return Outcome("grader_error", failure_record(spec, sub.name, "grader_error", traceback.format_exc(), None))
    raise AssertionError("unreachable")


def grade_submission(packed: Packed, sub: Submission, digest: str, grading: Grading, reference: Reference) -> Outcome:
    """Grade one packed submission (the student's code runs in the sandbox, never here). Never raises: the
    submission's fault is ``invalid``, the grader's (twice) ``grader_error``."""
    return _once_more(reference.assignment, sub, lambda: _grade_packed(packed, sub, digest, grading, reference))


def problem_outcome(spec: Assignment, sub: Submission, problem: BaseException | None) -> Outcome:
    """The record of a submission whose content could not even be hashed: ``invalid`` when it is at fault."""
    if isinstance(problem, BatchError):
        return Outcome("invalid", failure_record(spec, sub.name, "invalid", str(problem), None))
    text = "".join(traceback.format_exception(problem)) if problem is not None else "no content hash"
    return Outcome("grader_error", failure_record(spec, sub.name, "grader_error", text, None))
