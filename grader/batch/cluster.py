"""Grading a batch on a Ray cluster: ``grade batch --executor ray [--address ADDR]`` (the extra ``nlp-grader[cluster]``).

The driver (the process that runs ``grade batch``) does everything the local executor does around grading: it
finds the submissions, hashes them for resume, applies ``--shard`` and ``--only``, and it alone writes the
output folder, atomically, as each result comes back; the gradebook, the summary and the feedback files are then
rendered from those files exactly as after a local batch. Only the grading itself moves to the cluster.

The unit of work is a chunk of submissions (at most :data:`MAX_CHUNK`), one Ray task asking for one CPU (and
one GPU with ``--device cuda``). Submissions travel as data (:class:`grader.batch.intake.Packed`: the bytes of a
folder's files, of a zip, of a notebook), never as paths only the driver can see. The task runs
:func:`grade_chunk` in a Ray worker process, which grades each submission with the same function as the local
executor (:func:`grader.batch.worker.grade_submission`: the student's code runs in the sandbox's child, never in the
worker) and keeps, between tasks, its own warm fork server and its reference (prepared once per worker
process), so that a submission costs what it costs in a local batch. It answers, per submission, with the JSON
record the local path would write, plus the worker's host name.

Faults: a task whose worker process or node dies is retried by Ray (``max_retries``); a chunk still lost after
that is recorded as ``grader_error`` for each of its submissions, with the reason, so that nothing is lost and
the next run grades them again. A worker whose grader is another version, or that cannot prepare the assignment
(not installed on that node), stops the batch with a message that says so: what was written until then stays,
and the next run resumes. The driver keeps at most a few chunks per CPU of the cluster in flight, so the
submissions' bytes are read as they are needed, not all at once.
"""

from __future__ import annotations

import json
import logging
import math
import os
import socket
import traceback
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from grader import api, clean
from grader.batch.intake import Packed, Submission
from grader.batch.output import failure_record, refuse_constant
from grader.batch.worker import Grading, Outcome, grade_submission, packed_or_failure, prepare_reference, problem_outcome
from grader.reference import Reference
from grader.results import Message
from grader.spec import Assignment
from grader.version import __version__

RETRIES = 3
"""Ray retries a chunk whose worker or node died this many times before its submissions are recorded as lost."""
MAX_CHUNK = 8
"""Submissions per task at most: small enough to balance a class over the cluster and to lose little with a node."""
CHUNKS_PER_SLOT = 4
"""The class is cut into about this many chunks per concurrent task (fewer when that makes chunks of one)."""
IN_FLIGHT_PER_SLOT = 2
"""Chunks submitted ahead per concurrent task: the workers never wait, and the driver holds few bytes at once."""
DRIVER_ENVIRONMENT = ("LANG", "LC_ALL", "LC_CTYPE", "TZ", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
"""Variables the sandbox may inherit (grader.sandbox.limits) that are settings, not the node's: a worker takes the
driver's (Ray sets OMP_NUM_THREADS in its workers), so the sandbox's environment, and the address-space allowance
that follows from its threads, are those of a local batch. What belongs to the node (CUDA's devices) stays."""


def require_ray() -> Any:
    """The ``ray`` module, or a usage error that says how to install it."""
    try:
        import ray
    except ImportError:
        raise api.UsageError(Message("cluster.no_ray")) from None
    return ray


# --- the worker -----------------------------------------------------------------------------------

_REFERENCES: dict[tuple[Any, ...], Reference] = {}
"""The references a worker process has prepared, by what decides them: one per batch settings, kept warm."""


def _reference(grading: Grading) -> Reference:
    key = (grading.assignment, grading.salt, grading.hidden, grading.exercises)
    if key not in _REFERENCES:
        _REFERENCES[key] = prepare_reference(api.assignment_spec(grading.assignment), grading)
    return _REFERENCES[key]


def _adopt(environment: Mapping[str, str | None]) -> None:
    for name in DRIVER_ENVIRONMENT:
        value = environment.get(name)
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


def grade_chunk(version: str, grading: Grading, items: Sequence[tuple[str, str, str, Packed]],
                environment: Mapping[str, str | None] | None = None) -> dict[str, Any]:
    """Run in a Ray worker: grade each ``(name, stem, content hash, packed submission)`` one after the other, the
    sandbox in the driver's ``environment`` (see :data:`DRIVER_ENVIRONMENT`; set before the fork server starts).

    Returns ``{"host", "version", "results": [JSON text per submission]}``; ``results`` is empty and ``setup`` says
    why when this worker cannot grade the batch at all (another grader version, an assignment it does not have)."""
    host = socket.gethostname()
    if version != __version__:
        return {"host": host, "version": __version__, "results": []}
    if environment is not None:
        _adopt(environment)
    try:
        reference = _reference(grading)
    except Exception as exc:  # noqa: BLE001 - the node cannot grade this batch: the driver stops and says why
        detail = exc.message.key if isinstance(exc, api.UsageError) else traceback.format_exc(limit=5)
        return {"host": host, "version": __version__, "results": [], "setup": clean.text(detail, 4000)}
    results = []
    for name, stem, digest, packed in items:
        sub = Submission(name, Path(packed.name), stem)  # the path is never opened here: only the name counts
        outcome = grade_submission(packed, sub, digest, grading, reference)
        outcome.record.setdefault("batch", {})["host"] = host
        results.append(json.dumps({"stem": stem, "status": outcome.status, "record": outcome.record,
                                   "sources": outcome.sources}, allow_nan=False, default=str))
    return {"host": host, "version": __version__, "results": results}


# --- the driver -----------------------------------------------------------------------------------

def _connect(ray: Any, address: str | None, workers: int | None) -> bool:
    """Join the cluster at ``address`` (``auto``: the one this machine belongs to), or start a local one; True when
    this call started the connection (and so ends it). An existing connection (ray.init by the caller) is used."""
    if ray.is_initialized():
        return False
    options: dict[str, Any] = {"log_to_driver": False, "logging_level": logging.WARNING}
    try:
        if address is None:
            ray.init(num_cpus=workers, include_dashboard=False, **options)
        else:
            ray.init(address=address, **options)
    except Exception as exc:  # noqa: BLE001 - no cluster there, or it refused us: the person's to fix
        raise api.UsageError(Message("cluster.cannot_connect", {
            "address": address or "local", "error": clean.text(f"{type(exc).__name__}: {exc}", 500)})) from None
    return True


def _decode(text: Any, stem: str) -> Outcome | None:
    """A worker's answer for one submission as an Outcome, when it has the expected shape (else None)."""
    try:
        data = json.loads(text, parse_constant=refuse_constant) if isinstance(text, str) else None
    except (ValueError, RecursionError):
        return None
    if (not isinstance(data, dict) or data.get("stem") != stem or data.get("status") not in ("graded", "invalid",
                                                                                             "grader_error")
            or not isinstance(data.get("record"), dict) or not isinstance(data.get("sources"), dict)
            or not all(isinstance(k, str) and isinstance(v, str) for k, v in data["sources"].items())):
        return None
    return Outcome(data["status"], data["record"], data["sources"])


def _lost(spec: Assignment, sub: Submission, error: str, retries: int) -> Outcome:
    message = Message("cluster.lost", {"retries": retries, "error": clean.text(error, 1000)})
    return Outcome("grader_error", failure_record(spec, sub.name, "grader_error", message, None))


def grade(todo: Sequence[tuple[Submission, str | None, BaseException | None]], *, spec: Assignment,
          grading: Grading, address: str | None, workers: int | None,
          deliver: Callable[[Submission, Outcome], None], chunk_size: int | None = None,
          retries: int | None = None) -> None:
    """Grade ``todo`` (as built by grader.batch.driver.run) on a Ray cluster; ``deliver`` writes each outcome (here, in the
    driver, as each chunk comes back). Submissions that cannot be read or hashed are delivered at once, as by the
    local executor."""
    ray = require_ray()
    retries = RETRIES if retries is None else retries
    started = _connect(ray, address, workers)
    try:
        resources = ray.cluster_resources()
        gpus = 1 if grading.device == "cuda" else 0
        if gpus and not resources.get("GPU"):
            raise api.UsageError(Message("cluster.no_gpu", {"cpus": int(resources.get("CPU", 0))}))
        slots = max(1, int(resources.get("GPU" if gpus else "CPU", 1)))
        if workers:
            slots = min(slots, workers)
        remote = ray.remote(grade_chunk).options(num_cpus=1, num_gpus=gpus, max_retries=retries, retry_exceptions=False)
        ready: list[tuple[Submission, str]] = []
        for sub, digest, problem in todo:
            if problem is not None or digest is None:
                deliver(sub, problem_outcome(spec, sub, problem))
            else:
                ready.append((sub, digest))
        size = chunk_size or max(1, min(MAX_CHUNK, math.ceil(len(ready) / (CHUNKS_PER_SLOT * slots))))
        chunks = [ready[i:i + size] for i in range(0, len(ready), size)]
        pending: dict[Any, list[Submission]] = {}
        limit = slots * IN_FLIGHT_PER_SLOT if not workers else slots
        version = __version__
        environment = {name: os.environ.get(name) for name in DRIVER_ENVIRONMENT}

        def submit(chunk: list[tuple[Submission, str]]) -> None:
            items = []
            for sub, digest in chunk:
                packed = packed_or_failure(sub, spec, digest)  # read only now: the driver holds a few chunks
                if isinstance(packed, Outcome):
                    deliver(sub, packed)
                else:
                    items.append((sub.name, sub.stem, digest, packed))
            if items:
                by_stem = {sub.stem: sub for sub, _ in chunk}
                pending[remote.remote(version, grading, items, environment)] = [by_stem[stem] for _, stem, _, _ in items]

        def top_up(queue: Any) -> None:
            for chunk in queue:
                submit(chunk)
                if len(pending) >= limit:
                    break

        queue = iter(chunks)
        try:
            top_up(queue)
            while pending:
                done, _ = ray.wait(list(pending), num_returns=1)
                subs = pending.pop(done[0])
                try:
                    reply = ray.get(done[0])
                except Exception as exc:  # noqa: BLE001 - Ray's retries are spent (a worker or node died each time)
                    first = (str(exc).strip().splitlines() or [""])[0]
                    for sub in subs:
                        deliver(sub, _lost(spec, sub, f"{type(exc).__name__}: {first}", retries))
                else:
                    _check_worker(reply)
                    answers = reply["results"]
                    for i, sub in enumerate(subs):
                        outcome = _decode(answers[i], sub.stem) if i < len(answers) else None
                        deliver(sub, outcome or _lost(spec, sub, f"no answer from {clean.name(str(reply['host']))}", 0))
                top_up(queue)
        except BaseException:
            for ref in pending:  # a stopped batch leaves nothing running on a shared cluster
                ray.cancel(ref, force=True)
            raise
    finally:
        if started:
            ray.shutdown()


def _check_worker(reply: Any) -> None:
    """Stop the batch when a worker cannot grade it (see :func:`grade_chunk`)."""
    if not isinstance(reply, dict) or not isinstance(reply.get("results"), list):
        raise api.UsageError(Message("cluster.setup", {"host": "?", "detail": clean.text(repr(reply), 300)}))
    host = clean.name(str(reply.get("host", "?")))
    if reply.get("version") != __version__:
        raise api.UsageError(Message("cluster.version", {"host": host, "theirs": clean.name(str(reply.get("version"))),
                                                         "ours": __version__}))
    if reply.get("setup"):
        raise api.UsageError(Message("cluster.setup", {"host": host, "detail": clean.text(str(reply["setup"]), 4000)}))
