"""The driver of a batch: plan (which submissions, which are unchanged), run (an executor grades, this process
alone writes), merge (shards into one gradebook).

``OUT/<name>.json`` (the schema of ``grade check --format json`` plus a ``batch`` record) and
``OUT/<name>.md`` (feedback for the student) are written as each submission finishes; the gradebook
and the summary are rebuilt from those files at the end, so a run killed at any moment and started
again finishes the rest and produces the same gradebook. A submission whose content (and grading
settings) has not changed since its JSON was written is not graded again.

Each submission is its own failure boundary: reading, unpacking, grading, rendering and writing its
files. Whatever goes wrong there is recorded for that submission (``invalid`` when the submission is
at fault, ``grader_error`` when the grader is) and the batch goes on to its gradebook.
"""

from __future__ import annotations

import hashlib
import json
import threading
import traceback
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from grader import api, clean
from grader.batch import cluster, history, late, local
from grader.batch import render as render_batch
from grader.batch.intake import BatchError, Submission, content_hash, encoded, scan
from grader.batch.output import (
    CODE,
    failure_record,
    read_json,
    record_json,
    records,
    rejected_entries,
    results_in,
    write_atomic,
    write_if_changed,
)
from grader.batch.worker import Grading, Outcome
from grader.messages import closest
from grader.report import feedback as feedback_mod
from grader.results import Message
from grader.spec import Assignment
from grader.version import __version__


@dataclass
class BatchReport:
    graded: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    """Unchanged since the last run: not graded again."""
    failed: list[str] = field(default_factory=list)
    """The grader failed on these (status grader_error); a later run tries them again."""
    rejected: list[dict[str, Any]] = field(default_factory=list)
    """Entries not graded at all: ``{"submission", "reason", "entries"}`` (also in the summary)."""
    summary: dict[str, Any] = field(default_factory=dict)
    regrades: list[dict[str, Any]] = field(default_factory=list)
    """The lines this run added to ``OUT/history.jsonl``: submissions that had a result and were graded again."""


# --- the plan ------------------------------------------------------------------------------------

def parse_shard(text: str | None) -> tuple[int, int] | None:
    if not text:
        return None
    try:
        k, n = (int(x) for x in text.split("/"))
    except ValueError:
        raise BatchError(f"--shard {clean.name(text)!r}: expected K/N, e.g. 2/5") from None
    if not 1 <= k <= n:
        raise BatchError(f"--shard {clean.name(text)!r}: K must be between 1 and N")
    return k, n


def in_shard(name: str, shard: tuple[int, int] | None) -> bool:
    """Deterministic and stable: a student stays in the same shard when others join or leave."""
    if shard is None:
        return True
    k, n = shard
    digest = hashlib.sha256(encoded(name)).digest()
    return int.from_bytes(digest[:8], "big") % n == k - 1


def _chosen(found: Sequence[Submission], only: Sequence[str]) -> list[Submission]:
    """The submissions ``--only`` names (by name as on disk, as shown, or by result file name)."""
    by_name: dict[str, Submission] = {}
    for sub in found:
        for key in (sub.name, sub.label, sub.stem):
            by_name.setdefault(key, sub)
    unknown = [n for n in only if n not in by_name]
    if unknown:
        close = [c for c in (closest(n, by_name) for n in unknown) if c is not None]
        raise api.UsageError(Message("batch.only_unknown", {
            "names": ", ".join(clean.name(n) for n in unknown),
            "close": ", ".join(clean.name(c) for c in dict.fromkeys(close)) or "—"}))
    return list({by_name[n].stem: by_name[n] for n in only}.values())


# --- writing a submission's files ----------------------------------------------------------------

def _write_failure(output: Path, spec: Assignment, sub: Submission, status: str, message: str | Message,
                   digest: str | None, lang: str = "en", level: str = feedback_mod.DEFAULT) -> None:
    record = failure_record(spec, sub.name, status, message, digest)
    data, md = render_batch.render_record(record, lang, level) or (record, None)
    if md is not None:
        write_atomic(output / f"{sub.stem}.md", md)
    write_atomic(output / f"{sub.stem}.json", record_json(data))


def deliver(output: Path, spec: Assignment, sub: Submission, outcome: Outcome, lang: str = "en",
            level: str = feedback_mod.DEFAULT) -> str:
    """Write a submission's files from its outcome (``<stem>.json`` last: its content hash marks it done); the
    status recorded. A failure to write is recorded as ``grader_error`` where anything can be written."""
    try:
        record = outcome.record
        data, md = render_batch.render_record(record, lang, level, stem=sub.stem) or (record, None)
        if outcome.status == "graded":
            code_dir = output / CODE
            code_dir.mkdir(exist_ok=True)
            write_atomic(code_dir / f"{sub.stem}.json", render_batch.code_record(spec, sub.label, outcome.sources))
        if md is not None:
            write_atomic(output / f"{sub.stem}.md", md)
            render_batch.write_student_page(output, sub.stem, record, lang, level)  # the .html and the .md's pictures
        write_atomic(output / f"{sub.stem}.json", record_json(data))
        return outcome.status
    except Exception:  # noqa: BLE001 - the grader's fault: recorded, and retried by the next run
        try:
            _write_failure(output, spec, sub, "grader_error", traceback.format_exc(), None)
        except Exception:  # noqa: BLE001 - nothing more can be written for it; the report still says so
            pass
        return "grader_error"


# --- the batch ------------------------------------------------------------------------------------

EXECUTORS = {"local": local.grade, "ray": cluster.grade}
"""Where a batch's submissions are graded: worker threads of this process (grader.batch.local), or a Ray cluster
(grader.batch.cluster); both take the same arguments and hand each outcome to ``deliver`` in this thread."""


def run(submissions: Path, *, assignment: str, output: Path, workers: int | None = None, resume: bool = True,
        hidden: bool = True, shard: str | None = None, lang: str = "en", salt: str = "",
        limits: Any = None, exercises: Sequence[str] = (), only: Sequence[str] = (), timeout: float | None = None,
        feedback: str = feedback_mod.DEFAULT, device: str = "auto", executor: str = "local",
        address: str | None = None, reason: str | None = None, due: str | None = None,
        on_progress: Callable[[str, int, int], None] | None = None, reference_cache: Path | None = None) -> BatchReport:
    """Grade every submission in ``submissions`` into ``output`` (only ``exercises``, when given; only the
    submissions named in ``only``, whatever their content, when given); then render every output file from the
    stored results, in ``lang`` at ``feedback`` level. One submission's fault, whatever it is, is recorded for it
    and the batch goes on. ``executor="ray"`` grades on a Ray cluster (``address``, or a local one; see
    grader.batch.cluster); this process alone writes ``output``, so everything else is the same."""
    spec = api.assignment_spec(assignment)
    feedback_mod.check_level(feedback)
    api.select(spec, exercises)  # an unknown exercise is refused, with the closest known names
    if executor not in EXECUTORS:
        raise api.UsageError(Message("cluster.bad_executor", {"executor": executor, "known": ", ".join(EXECUTORS)}))
    if executor == "ray":
        cluster.require_ray()
    elif address is not None:
        raise api.UsageError(Message("cluster.address_without_ray", {"address": address}))
    else:
        api.resolve_device(device)  # a GPU asked for must exist here (on a cluster: on its workers)
    if shard == "auto":  # a scheduler's task array: K and N from its environment (grader.schedulers)
        from grader import schedulers

        shard = schedulers.shard_from_environment()[0]
    chosen = parse_shard(shard)
    found, rejected = scan(submissions)
    subs = [s for s in found if in_shard(s.name, chosen)]
    picked = _chosen(subs, only) if only else None
    output.mkdir(parents=True, exist_ok=True)
    settings = json.dumps({"grader": __version__, "assignment": spec.name, "hidden": hidden, "salt": salt,
                           **({"exercises": sorted(exercises)} if exercises else {}),
                           **({"device": device} if device != "auto" else {})})
    report = BatchReport(rejected=[r.to_dict() for r in rejected if in_shard(r.name, chosen)])
    todo: list[tuple[Submission, str | None, BaseException | None]] = []
    for sub in subs:
        if picked is not None and sub not in picked:
            report.skipped.append(sub.label)  # not asked for: kept as it is
            continue
        try:
            digest = content_hash(sub, settings)
        except Exception as exc:  # noqa: BLE001 - recorded for this submission by its worker
            todo.append((sub, None, exc))
            continue
        previous = read_json(output / f"{sub.stem}.json") or {}
        record = previous.get("batch")
        if (picked is None and resume and isinstance(record, dict) and record.get("content_hash") == digest
                and (record.get("status") != "graded" or "result" in record)):  # an older grader's: graded again
            report.skipped.append(sub.label)
        else:
            todo.append((sub, digest, None))
    before = {sub.stem: old for sub, _, _ in todo
              if (old := history.scores_of(read_json(output / f"{sub.stem}.json"))) is not None}
    if due and late.parse_time(due) is None:  # refused before anything is graded
        raise api.UsageError(Message("lms.bad_due", {"value": due}))
    grading = Grading(spec.name, hidden=hidden, salt=salt, limits=limits, timeout=timeout, exercises=tuple(exercises),
                      device=device, hide=(str(submissions.resolve()), str(output.resolve())),
                      # a cluster's workers are other machines: the grading machine's folder means nothing there
                      reference_cache=str(reference_cache) if reference_cache is not None and executor == "local" else None)
    done = 0

    def finish(name: str, status: str) -> None:
        nonlocal done
        (report.failed if status == "grader_error" else report.graded).append(name)
        done += 1
        if on_progress:
            try:
                on_progress(name, done, len(todo))
            except Exception:  # noqa: BLE001 - a progress display never stops the batch
                pass

    if todo:
        # the plot's library loads while the fork server is still importing torch, not after the last submission
        threading.Thread(target=_load_plotting, daemon=True).start()
        EXECUTORS[executor](todo, spec=spec, grading=grading, address=address, workers=workers,
                            deliver=lambda sub, outcome: finish(sub.label, deliver(output, spec, sub, outcome, lang,
                                                                                   feedback)))
    for sub, _, _ in todo:  # a regrade: what it was, what it is, when and why (OUT/history.jsonl)
        new = history.scores_of(read_json(output / f"{sub.stem}.json"))
        if sub.stem in before and new is not None:
            report.regrades.append(history.entry(sub.label, before[sub.stem], new, version=__version__, reason=reason))
    history.append(output, report.regrades)
    record_times(output, subs, due)  # after the grading: a run killed before it leaves no file but the records
    report.summary = render_batch.render_output(output, lang=lang, level=feedback, spec=spec, rejected=report.rejected)
    return report


def record_times(output: Path, subs: Sequence[Submission], due: str | None) -> None:
    """``OUT/times.json``: each submission's time (Gradescope's metadata, else its files') and the due date (``due``,
    else the one stored, else Gradescope's); the dashboard flags late submissions from it."""
    stored_due, submitted = late.read_times(output)
    deadline = late.parse_time(due) if due else stored_due
    if due and deadline is None:
        raise api.UsageError(Message("lms.bad_due", {"value": due}))
    data = read_json(output / late.TIMES) or {}
    sources = {str(k): str(v) for k, v in (data.get("source") or {}).items()} if isinstance(data.get("source"), dict) else {}
    for sub in subs:
        when, meta_due, source = late.submission_time(sub.path)
        if when is not None:
            submitted[sub.label], sources[sub.label] = when, source
        deadline = deadline or meta_due
    if deadline is not None or submitted:
        write_if_changed(output / late.TIMES, late.times_json(deadline, submitted, sources))  # unchanged: left alone


def write_gradebook(output: Path, spec: Assignment, results: Iterable[dict[str, Any]] | None = None,
                    rejected: Sequence[dict[str, Any]] | None = None) -> dict[str, Any]:
    """``gradebook.csv``, ``summary.json``, the plots and the similarity report from ``results`` (default: the
    results in ``output``), as they are (see grader.batch.render for rendering them again)."""
    rows = list(results if results is not None else results_in(output))
    return render_batch.write_summary(output, spec, rows, rejected)


def _load_plotting() -> Any:
    from grader.stats import load_plotting

    return load_plotting()


def merge(outputs: Sequence[Path], *, assignment: str, output: Path) -> dict[str, Any]:
    """Join the results of several shards into ``output`` (per-student files and one gradebook)."""
    spec = api.assignment_spec(assignment)
    output.mkdir(parents=True, exist_ok=True)
    seen: dict[str, Path] = {}
    rows = []
    rejected: dict[tuple[str, str], dict[str, Any]] = {}
    deadline: Any = None
    submitted: dict[str, Any] = {}
    sources: dict[str, str] = {}
    for folder in outputs:
        if not folder.is_dir():
            raise BatchError(f"{clean.name(str(folder))} is not a batch output folder")
        for path, data in records(folder):
            stem = path.stem
            if stem in seen and seen[stem] != folder:
                raise BatchError(f"{clean.name(data['submission'])} was graded in both {seen[stem]} and {folder}")
            seen[stem] = folder
            rows.append(data)
            if folder.resolve() != output.resolve():
                pictures = folder / f"{stem}{render_batch.PICTURES}"
                drawn = [f"{pictures.name}/{p.name}" for p in sorted(pictures.glob("*.svg"))] \
                    if pictures.is_dir() and not pictures.is_symlink() else []
                # code/: for the similarity report; the page and its pictures: the student's feedback as a batch has it
                for rel in (f"{stem}.json", f"{stem}.md", f"{stem}.html", f"code/{stem}.json", *drawn):
                    src = folder / rel
                    if src.is_file() and not src.is_symlink() and not src.parent.is_symlink():
                        (output / rel).parent.mkdir(exist_ok=True)
                        write_atomic(output / rel, src.read_bytes())
        for r in rejected_entries(read_json(folder / "summary.json")):
            rejected[(r["submission"], r["reason"])] = r
        due, when = late.read_times(folder)  # each shard's submission times, joined
        deadline = deadline or due
        submitted.update(when)
        stored_times = read_json(folder / late.TIMES) or {}
        if isinstance(stored_times.get("source"), dict):
            sources.update({str(k): str(v) for k, v in stored_times["source"].items()})
    if deadline is not None or submitted:
        write_if_changed(output / late.TIMES, late.times_json(deadline, submitted, sources))
    return write_gradebook(output, spec, rows, list(rejected.values()))
