"""Grading a whole class: one sandboxed run per submission, resumable, results written atomically.

``OUT/<name>.json`` (the schema of ``grade check --format json`` plus a ``batch`` record) and
``OUT/<name>.md`` (feedback for the student) are written as each submission finishes; the gradebook
and the summary are rebuilt from those files at the end, so a run killed at any moment and started
again finishes the rest and produces the same gradebook. A submission whose content (and grading
settings) has not changed since its JSON was written is not graded again.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import shutil
import tempfile
import threading
import traceback
import zipfile
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import grader
from grader import api
from grader.messages import render
from grader.reference import Reference
from grader.report import json as json_report
from grader.report.plain import case_text, exercise_notes
from grader.results import GradeResult, Status
from grader.spec import Assignment

RESERVED = {"gradebook.csv", "summary.json", "scores.png"}
MAX_ZIP_BYTES = 50 * 1024 * 1024
MAX_ZIP_FILES = 2000
IGNORED = ("__pycache__", ".git", ".ipynb_checkpoints", "__MACOSX")


class BatchError(Exception):
    """A problem with the batch as a whole (bad folder, bad shard, clashing names)."""


@dataclass(frozen=True)
class Submission:
    name: str
    path: Path
    """A folder, or a .zip file."""


@dataclass
class BatchReport:
    graded: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    """Unchanged since the last run: not graded again."""
    failed: list[str] = field(default_factory=list)
    """The grader failed on these (status grader_error); a later run tries them again."""
    summary: dict[str, Any] = field(default_factory=dict)


# --- finding submissions --------------------------------------------------------------------------

def discover(folder: Path) -> list[Submission]:
    """Every child folder or .zip of ``folder``, named after it, sorted by name."""
    if not folder.is_dir():
        raise BatchError(f"{folder} is not a folder of submissions")
    found: dict[str, Submission] = {}
    for entry in sorted(folder.iterdir()):
        if entry.name.startswith(".") or entry.name in IGNORED:
            continue
        if entry.is_dir():
            name = entry.name
        elif entry.suffix.lower() == ".zip":
            name = entry.stem
        else:
            continue
        if name in found:
            raise BatchError(f"two submissions are called {name!r}: {found[name].path.name} and {entry.name}")
        found[name] = Submission(name, entry)
    return list(found.values())


def parse_shard(text: str | None) -> tuple[int, int] | None:
    if not text:
        return None
    try:
        k, n = (int(x) for x in text.split("/"))
    except ValueError:
        raise BatchError(f"--shard {text!r}: expected K/N, e.g. 2/5") from None
    if not 1 <= k <= n:
        raise BatchError(f"--shard {text!r}: K must be between 1 and N")
    return k, n


def in_shard(name: str, shard: tuple[int, int] | None) -> bool:
    """Deterministic and stable: a student stays in the same shard when others join or leave."""
    if shard is None:
        return True
    k, n = shard
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big") % n == k - 1


def content_hash(sub: Submission, settings: str) -> str:
    h = hashlib.sha256(settings.encode())
    if sub.path.is_file():
        h.update(sub.path.read_bytes())
        return h.hexdigest()
    for path in sorted(sub.path.rglob("*")):
        rel = path.relative_to(sub.path)
        if path.is_file() and not any(part in IGNORED for part in rel.parts):
            h.update(str(rel).encode() + b"\0")
            h.update(path.read_bytes())
    return h.hexdigest()


def extract(zip_path: Path, dest: Path) -> Path:
    """Unpack a submission zip safely: no absolute or parent paths, no links, bounded size."""
    try:
        with zipfile.ZipFile(zip_path) as zf:
            members = zf.infolist()
            if len(members) > MAX_ZIP_FILES:
                raise BatchError(f"{zip_path.name} holds {len(members)} files (at most {MAX_ZIP_FILES})")
            if sum(m.file_size for m in members) > MAX_ZIP_BYTES:
                raise BatchError(f"{zip_path.name} unpacks to more than {MAX_ZIP_BYTES // 2**20} MiB")
            for m in members:
                parts = Path(m.filename).parts
                if m.filename.startswith(("/", "\\")) or ".." in parts or (m.external_attr >> 16) & 0o170000 == 0o120000:
                    raise BatchError(f"{zip_path.name}: refusing the entry {m.filename!r}")
                if any(p in IGNORED for p in parts):
                    continue
                zf.extract(m, dest)
    except zipfile.BadZipFile as exc:
        raise BatchError(f"{zip_path.name} is not a readable zip file: {exc}") from None
    return dest


# --- writing results ------------------------------------------------------------------------------

def write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def feedback_markdown(result: GradeResult, name: str, lang: str) -> str:
    title = render("ui.title", lang, assignment=result.assignment, score=result.score, max_score=result.max_score)
    lines = [f"# {name}: {title}",
             "", f"| {render('ui.col.exercise', lang)} | {render('ui.col.status', lang)} | {render('ui.col.score', lang)} |",
             "|---|---|---|"]
    for e in result.exercises:
        lines.append(f"| `{e.id}` | {render('status.' + e.status.value, lang)} | {e.score:g} / {e.max_score:g} |")
    for e in result.exercises:
        if e.status is Status.PASSED:
            continue
        lines += ["", f"## `{e.id}`", ""]
        lines += [f"- {note}" for note in exercise_notes(e, lang)]
        failing = [c for c in e.cases if c.status is not Status.PASSED]
        if failing:
            first = failing[0]
            hidden = render("ui.hidden_tag", lang) if first.hidden else ""
            lines += ["", render("ui.case", lang, case=first.id, hidden=hidden), "", "```text", case_text(first, lang), "```"]
            if len(failing) > 1:
                lines.append(render("ui.more_cases", lang, count=len(failing) - 1))
    if result.quiz is not None:
        answered = sum(q.status != "unanswered" for q in result.quiz.questions)
        lines += ["", render("quiz.ui.line", lang, score=result.quiz.score, max_score=result.quiz.max_score,
                                 answered=answered, total=len(result.quiz.questions))]
    return "\n".join(lines) + "\n"


def failure_record(spec: Assignment, name: str, status: str, message: str, digest: str | None) -> dict[str, Any]:
    return {"schema": json_report.SCHEMA, "assignment": spec.name, "submission": name, "grader_version": grader.__version__,
            "score": 0.0, "max_score": spec.max_score, "exercises": [], "error": message,
            "batch": {"status": status, "content_hash": digest}}


# --- the batch ------------------------------------------------------------------------------------

def run(submissions: Path, *, assignment: str, output: Path, workers: int | None = None, resume: bool = True,
        hidden: bool = True, shard: str | None = None, lang: str = "en", salt: str = "",
        limits: Any = None, on_progress: Callable[[str, int, int], None] | None = None) -> BatchReport:
    """Grade every submission in ``submissions`` into ``output``; return what was done."""
    spec = api.assignment_spec(assignment)
    output.mkdir(parents=True, exist_ok=True)
    subs = [s for s in discover(submissions) if in_shard(s.name, parse_shard(shard))]
    clash = [s.name for s in subs if f"{s.name}.json" in RESERVED or s.name in ("gradebook", "summary", "scores")]
    if clash:
        raise BatchError(f"submission names clash with the batch's own files: {', '.join(clash)}")
    settings = json.dumps({"grader": grader.__version__, "assignment": spec.name, "hidden": hidden, "salt": salt})
    reference = Reference(spec, salt)
    api.runner.warm_up(hidden)
    # the plot's library loads while the fork server is still importing torch, not after the last submission
    threading.Thread(target=_load_plotting, daemon=True).start()
    for exercise in spec.exercises:  # the reference runs once per batch, before any worker starts
        for case in exercise.cases:
            if hidden or not case.hidden:
                reference.prepare(exercise, case)
    report = BatchReport()
    todo = []
    for sub in subs:
        digest = content_hash(sub, settings)
        previous = _read_json(output / f"{sub.name}.json")
        if resume and previous and previous.get("batch", {}).get("content_hash") == digest:
            report.skipped.append(sub.name)
        else:
            todo.append((sub, digest))
    hide = [submissions.resolve(), output.resolve()]
    done = 0

    def grade_one(sub: Submission, digest: str) -> tuple[str, str]:
        with tempfile.TemporaryDirectory(prefix="nlp-grader-sub-") as tmp:
            try:
                path = extract(sub.path, Path(tmp) / sub.name) if sub.path.is_file() else sub.path
                result = api.check(path, assignment=spec.name, hidden=hidden, reference=reference, salt=salt,
                                   limits=limits, hide=hide)
            except (api.UsageError, BatchError) as exc:
                message = render(exc.message, lang) if isinstance(exc, api.UsageError) else str(exc)
                write_atomic(output / f"{sub.name}.json",
                             json.dumps(failure_record(spec, sub.name, "invalid", message, digest), ensure_ascii=False, indent=2))
                write_atomic(output / f"{sub.name}.md", f"# {sub.name}\n\n{message}\n")
                return sub.name, "invalid"
            except Exception:  # noqa: BLE001 - the grader's fault: recorded, and retried by the next run
                write_atomic(output / f"{sub.name}.json", json.dumps(
                    failure_record(spec, sub.name, "grader_error", traceback.format_exc(), None), indent=2))
                return sub.name, "grader_error"
        data = json_report.to_dict(result, lang)
        data["submission"] = sub.name
        data["batch"] = {"status": "graded", "content_hash": digest}
        write_atomic(output / f"{sub.name}.md", feedback_markdown(result, sub.name, lang))
        write_atomic(output / f"{sub.name}.json", json.dumps(data, ensure_ascii=False, indent=2, allow_nan=False))
        return sub.name, "graded"

    with ThreadPoolExecutor(max_workers=max(1, workers or os.cpu_count() or 1)) as pool:
        futures = [pool.submit(grade_one, sub, digest) for sub, digest in todo]
        for future in as_completed(futures):
            name, status = future.result()
            (report.failed if status == "grader_error" else report.graded).append(name)
            done += 1
            if on_progress:
                on_progress(name, done, len(todo))
    report.summary = write_gradebook(output, spec)
    return report


def _read_json(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def results_in(folder: Path) -> list[dict[str, Any]]:
    out = []
    for path in sorted(folder.glob("*.json")):
        if path.name in RESERVED or path.name.startswith("."):
            continue
        data = _read_json(path)
        if data and "submission" in data:
            out.append(data)
    return out


def write_gradebook(output: Path, spec: Assignment, results: Iterable[dict[str, Any]] | None = None) -> dict[str, Any]:
    """``gradebook.csv`` and ``summary.json`` (and ``scores.png`` where matplotlib is installed)."""
    rows = sorted(results if results is not None else results_in(output), key=lambda d: d["submission"])
    ids = [e.id for e in spec.exercises]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["student", "score", "max_score", *ids, "quiz_score", "quiz_max_score", "status"])
    for d in rows:
        per = {e["id"]: e["score"] for e in d.get("exercises", [])}
        quiz = d.get("quiz") or {}
        writer.writerow([d["submission"], d.get("score", 0), d.get("max_score", spec.max_score),
                         *[per.get(i, 0) for i in ids], quiz.get("score", ""), quiz.get("max_score", ""),
                         d.get("batch", {}).get("status", "graded")])
    write_atomic(output / "gradebook.csv", buffer.getvalue())
    summary = summarize(rows, spec)
    write_atomic(output / "summary.json", json.dumps(summary, ensure_ascii=False, indent=2))
    summary["plot"] = plot_scores(summary, output / "scores.png")
    return summary


def summarize(rows: Sequence[dict[str, Any]], spec: Assignment) -> dict[str, Any]:
    graded = [d for d in rows if d.get("batch", {}).get("status", "graded") == "graded"]
    scores = [float(d["score"]) for d in graded]
    bins = [0] * 10
    for s in scores:
        bins[min(int(10 * s / spec.max_score), 9) if spec.max_score else 0] += 1
    pass_rates = {}
    for e in spec.exercises:
        statuses = [x["status"] for d in graded for x in d.get("exercises", []) if x["id"] == e.id]
        pass_rates[e.id] = round(sum(s == "passed" for s in statuses) / len(statuses), 3) if statuses else None
    mistakes = Counter((x["id"], m["id"]) for d in graded for x in d.get("exercises", []) for m in x.get("mistakes", []))
    return {
        "submissions": len(rows), "graded": len(graded),
        "invalid": sorted(d["submission"] for d in rows if d.get("batch", {}).get("status") == "invalid"),
        "grader_errors": sorted(d["submission"] for d in rows if d.get("batch", {}).get("status") == "grader_error"),
        "mean": round(sum(scores) / len(scores), 2) if scores else None,
        "median": sorted(scores)[len(scores) // 2] if scores else None,
        "max_score": spec.max_score,
        "histogram": {"bins": [f"{10 * i}-{10 * (i + 1)}%" for i in range(10)], "counts": bins},
        "pass_rates": pass_rates,
        "top_mistakes": [{"exercise": ex, "mistake": mk, "students": n} for (ex, mk), n in mistakes.most_common(10)],
    }


def _load_plotting() -> Any:
    """matplotlib's pyplot with a file-only backend, or None when matplotlib is not installed."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return None
    return plt


def plot_scores(summary: dict[str, Any], path: Path) -> str | None:
    """A bar chart of the score distribution; None when matplotlib is not installed."""
    plt = _load_plotting()
    if plt is None:
        return None
    fig, ax = plt.subplots(figsize=(7, 3.5), dpi=100)
    ax.bar(summary["histogram"]["bins"], summary["histogram"]["counts"], color="#4477aa")
    ax.set_xlabel("score (share of max)")
    ax.set_ylabel("submissions")
    ax.set_title(f"{summary['graded']} graded · mean {summary['mean']} / {summary['max_score']:g}")
    ax.tick_params(axis="x", labelrotation=45)
    fig.tight_layout()
    tmp = path.with_name(f".{path.name}.tmp.png")
    fig.savefig(tmp)
    plt.close(fig)
    os.replace(tmp, path)
    return path.name


def merge(outputs: Sequence[Path], *, assignment: str, output: Path) -> dict[str, Any]:
    """Join the results of several shards into ``output`` (per-student files and one gradebook)."""
    spec = api.assignment_spec(assignment)
    output.mkdir(parents=True, exist_ok=True)
    seen: dict[str, Path] = {}
    rows = []
    for folder in outputs:
        if not folder.is_dir():
            raise BatchError(f"{folder} is not a batch output folder")
        for data in results_in(folder):
            name = data["submission"]
            if name in seen and seen[name] != folder:
                raise BatchError(f"{name} was graded in both {seen[name]} and {folder}")
            seen[name] = folder
            rows.append(data)
            if folder.resolve() != output.resolve():
                for suffix in (".json", ".md"):
                    src = folder / f"{name}{suffix}"
                    if src.exists():
                        shutil.copyfile(src, output / f".{name}{suffix}.tmp")
                        os.replace(output / f".{name}{suffix}.tmp", output / f"{name}{suffix}")
    return write_gradebook(output, spec, rows)
