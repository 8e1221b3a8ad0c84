"""Grading a whole class: one sandboxed run per submission, resumable, results written atomically.

``OUT/<name>.json`` (the schema of ``grade check --format json`` plus a ``batch`` record) and
``OUT/<name>.md`` (feedback for the student) are written as each submission finishes; the gradebook
and the summary are rebuilt from those files at the end, so a run killed at any moment and started
again finishes the rest and produces the same gradebook. A submission whose content (and grading
settings) has not changed since its JSON was written is not graded again.

Each submission is its own failure boundary: reading, unpacking, grading, rendering and writing its
files. Whatever goes wrong there is recorded for that submission (``invalid`` when the submission is
at fault, ``grader_error`` when the grader is) and the batch goes on to its gradebook. A submission
is read without following links, special files are never opened, and what is graded is a private
copy of its regular files. Entries that cannot be graded at all (a reserved or hidden name, a link,
two submissions with one name) are listed in the summary with the reason.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import re
import tempfile
import threading
import traceback
import zipfile
import zlib
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import grader
from grader import api, clean, notebook, safefs
from grader.messages import render
from grader.reference import Reference
from grader.report import json as json_report
from grader.report.plain import case_text, exercise_notes
from grader.results import GradeResult, Message, Status
from grader.spec import Assignment

RESERVED = {"gradebook.csv", "summary.json", "scores.png"}
RESERVED_NAMES = ("gradebook", "summary", "scores")
"""Submission names that would clash with the batch's own files (compared case-insensitively)."""
MAX_ZIP_BYTES = 50 * 1024 * 1024
MAX_ZIP_FILES = 2000
MAX_FOLDER_ENTRIES = 20000
"""Entries walked in one submission folder before it is refused."""
MAX_NAME_BYTES = 255
IGNORED = ("__pycache__", ".git", ".ipynb_checkpoints", "__MACOSX")
REASONS = ("hidden", "reserved", "link", "duplicate")
"""Why an entry of the submissions folder was not graded (``batch.reason.<code>`` in the catalogs)."""


class BatchError(Exception):
    """A problem with the batch as a whole (bad folder, bad shard, clashing shards), or, raised while one
    submission is prepared, with that submission (it is then recorded as ``invalid``)."""


_PLAIN_NAME = re.compile(r"\w[\w .\-]*")


def _encoded(name: str) -> bytes:
    """A name's bytes as on disk (undecodable bytes come back through surrogateescape), whatever it holds."""
    try:
        return name.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        return name.encode("utf-8", "surrogatepass")


def result_stem(name: str) -> str:
    """The file name (without suffix) of a submission's results: the name itself when it is a plain, short
    name; otherwise a cleaned prefix and a hash of the exact name, so that no name can escape the output
    folder, clash with the batch's own files, or be too long to create."""
    raw = _encoded(name)
    if (_PLAIN_NAME.fullmatch(name) and not name.endswith((" ", ".")) and len(raw) <= 120
            and name.lower() not in RESERVED_NAMES):
        return name
    base = re.sub(r"[^\w.\-]+", "_", clean.name(name, 40)).strip("._-")[:40] or "submission"
    return f"{base}~{hashlib.sha256(raw).hexdigest()[:12]}"


@dataclass(frozen=True)
class Submission:
    name: str
    """The entry's name (without .zip), exactly as on disk."""
    path: Path
    """A folder, or a .zip file."""
    stem: str = ""
    """``OUT/<stem>.json`` and ``OUT/<stem>.md`` (see :func:`result_stem`)."""

    def __post_init__(self) -> None:
        if not self.stem:
            object.__setattr__(self, "stem", result_stem(self.name))

    @property
    def label(self) -> str:
        """The name as shown and recorded: one clean line."""
        return clean.name(self.name)


@dataclass(frozen=True)
class Rejected:
    """An entry of the submissions folder that is not graded, and why (one of :data:`REASONS`)."""

    name: str
    reason: str
    entries: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"submission": clean.name(self.name), "reason": self.reason,
                "entries": [clean.name(e) for e in self.entries]}


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


# --- finding submissions --------------------------------------------------------------------------

def scan(folder: Path) -> tuple[list[Submission], list[Rejected]]:
    """Every child folder or .zip of ``folder`` (named after it, sorted by name), and the entries that
    cannot be graded: hidden or system names, reserved names, links and special files, shared names."""
    if not folder.is_dir():
        raise BatchError(f"{clean.name(str(folder))} is not a folder of submissions")
    rejected: list[Rejected] = []
    named: dict[str, list[tuple[str, Path]]] = {}
    with os.scandir(folder) as it:
        entries = sorted(it, key=lambda e: e.name)
    for entry in entries:
        raw = entry.name
        try:
            link = entry.is_symlink()
            is_dir = not link and entry.is_dir(follow_symlinks=False)
            is_file = not link and entry.is_file(follow_symlinks=False)
        except OSError:
            link, is_dir, is_file = False, False, False
        zipped = raw.lower().endswith((".zip", ".ipynb")) and not is_dir  # a zip, or a notebook (grader.notebook)
        if is_file and not zipped:
            continue  # a README or an LMS export's CSV: not a submission
        name = raw[: raw.rfind(".")] if zipped else raw
        if raw.startswith(".") or raw in IGNORED:
            rejected.append(Rejected(name or raw, "hidden", (raw,)))
        elif not (is_dir or is_file):
            rejected.append(Rejected(name, "link", (raw,)))
        elif not name or name.lower() in RESERVED_NAMES:
            rejected.append(Rejected(name or raw, "reserved", (raw,)))
        else:
            named.setdefault(name, []).append((raw, Path(entry.path)))
    found: list[Submission] = []
    stems: set[str] = set()
    for name, paths in sorted(named.items()):
        if len(paths) > 1:
            rejected.append(Rejected(name, "duplicate", tuple(raw for raw, _ in paths)))
            continue
        stem = result_stem(name)
        if stem.casefold() in stems:  # "Bob" and "bob" would share a file on a case-insensitive disk
            stem = f"{stem}~{hashlib.sha256(_encoded(name)).hexdigest()[:12]}"
        stems.add(stem.casefold())
        found.append(Submission(name, paths[0][1], stem))
    return found, sorted(rejected, key=lambda r: (r.name, r.reason))


def discover(folder: Path) -> list[Submission]:
    """The gradable submissions of ``folder`` (see :func:`scan` for the others)."""
    return scan(folder)[0]


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
    digest = hashlib.sha256(_encoded(name)).digest()
    return int.from_bytes(digest[:8], "big") % n == k - 1


def _walk(root: Path) -> list[tuple[str, str, Path]]:
    """(relative path, kind, path) under ``root``, sorted; kind is dir, file, link or special. Links are
    never followed and special files never opened; IGNORED folders are left out."""
    out: list[tuple[str, str, Path]] = []
    stack = [(root, "")]
    while stack:
        folder, prefix = stack.pop()
        with os.scandir(folder) as it:
            entries = list(it)
        for e in entries:
            if e.name in IGNORED:
                continue
            rel = prefix + e.name
            if e.is_symlink():
                kind = "link"
            elif e.is_dir(follow_symlinks=False):
                kind = "dir"
                stack.append((Path(e.path), rel + "/"))
            elif e.is_file(follow_symlinks=False):
                kind = "file"
            else:
                kind = "special"
            out.append((rel, kind, Path(e.path)))
            if len(out) > MAX_FOLDER_ENTRIES:
                raise BatchError(f"{clean.name(root.name)} holds more than {MAX_FOLDER_ENTRIES} files and folders")
    return sorted(out)


def content_hash(sub: Submission, settings: str) -> str:
    """A digest of the submission's content and the grading settings, read without following links."""
    h = hashlib.sha256(settings.encode())
    if not sub.path.is_dir() or sub.path.is_symlink():
        try:
            h.update(safefs.read_bytes(sub.path, MAX_ZIP_BYTES))
        except safefs.UnsafeFile as exc:
            raise BatchError(clean.text(str(exc), 300)) from None
        return h.hexdigest()
    for rel, kind, path in _walk(sub.path):
        h.update(_encoded(rel) + b"\0" + kind.encode() + b"\0")
        if kind == "file":
            try:
                h.update(safefs.read_bytes(path, MAX_ZIP_BYTES))
            except OSError as exc:  # too large, or changed under us: its size stands for it
                h.update(f"unread {type(exc).__name__} {_size(path)}".encode())
        elif kind == "link":
            try:
                h.update(os.fsencode(os.readlink(path)))
            except OSError:
                pass
    return h.hexdigest()


def _size(path: Path) -> int:
    try:
        return path.lstat().st_size
    except OSError:
        return -1


def snapshot(folder: Path, dest: Path) -> tuple[Path, list[str]]:
    """A private copy of the submission's regular files (what is graded), and what was left out: links,
    special files, files that would take the copy past :data:`MAX_ZIP_BYTES`. More than :data:`MAX_ZIP_FILES`
    files make the submission invalid, as for a zip."""
    dest.mkdir(parents=True)
    left_out: list[str] = []
    budget = MAX_ZIP_BYTES
    walked = _walk(folder)
    files = sum(kind == "file" for _, kind, _ in walked)
    if files > MAX_ZIP_FILES:
        raise BatchError(f"{clean.name(folder.name)} holds {files} files (at most {MAX_ZIP_FILES})")
    for rel, kind, path in walked:
        target = dest / rel
        if kind == "dir":
            target.mkdir(parents=True, exist_ok=True)
            continue
        if kind != "file":
            left_out.append(f"{clean.name(rel)} ({'symbolic link' if kind == 'link' else 'not a regular file'})")
            continue
        try:
            data = safefs.read_bytes(path, budget)
        except safefs.UnsafeFile:
            too_large = _size(path) > budget
            left_out.append(f"{clean.name(rel)} ({'too large' if too_large else 'not a regular file'})")
            continue
        budget -= len(data)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    return dest, left_out


def extract(zip_path: Path, dest: Path) -> Path:
    """Unpack a submission zip safely: no absolute or parent paths, no links, names that fit, no entry that
    clashes with another, bounded size (counted on the bytes actually unpacked). BatchError says why not."""
    label = clean.name(zip_path.name)
    entry = ""
    try:
        data = safefs.read_bytes(zip_path, MAX_ZIP_BYTES)
    except OSError as exc:
        raise BatchError(clean.text(str(exc), 300)) from None
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            members = zf.infolist()
            if len(members) > MAX_ZIP_FILES:
                raise BatchError(f"{label} holds {len(members)} files (at most {MAX_ZIP_FILES})")
            if sum(m.file_size for m in members) > MAX_ZIP_BYTES:
                raise BatchError(f"{label} unpacks to more than {MAX_ZIP_BYTES // 2**20} MiB")
            dest.mkdir(parents=True, exist_ok=True)
            budget = MAX_ZIP_BYTES
            for m in members:
                entry = clean.name(m.filename)
                parts = [p for p in re.split(r"[/\\]", m.filename) if p not in ("", ".")]
                if (m.filename.startswith(("/", "\\")) or ".." in parts or "\x00" in m.filename
                        or (m.external_attr >> 16) & 0o170000 == 0o120000):
                    raise BatchError(f"{label}: refusing the entry {entry!r}")
                if not parts or any(p in IGNORED for p in parts):
                    continue
                if any(len(_encoded(p)) > MAX_NAME_BYTES for p in parts):
                    raise BatchError(f"{label}: the entry {entry!r} has a name longer than {MAX_NAME_BYTES} bytes")
                target = dest.joinpath(*parts)
                if m.is_dir():
                    target.mkdir(parents=True, exist_ok=True)
                    continue
                target.parent.mkdir(parents=True, exist_ok=True)
                fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o644)
                with os.fdopen(fd, "wb") as out, zf.open(m) as src:
                    written = 0
                    while chunk := src.read(1 << 20):
                        written += len(chunk)
                        budget -= len(chunk)
                        if budget < 0 or written > m.file_size:
                            raise BatchError(f"{label} unpacks to more than its entries declare")
                        out.write(chunk)
    except BatchError:
        raise
    except zipfile.BadZipFile as exc:
        raise BatchError(f"{label} is not a readable zip file: {clean.text(str(exc), 300)}") from None
    except (FileExistsError, IsADirectoryError, NotADirectoryError):
        raise BatchError(f"{label}: the entry {entry!r} clashes with another entry of the same name "
                         "(a file and a folder, or the same file twice)") from None
    except (OSError, ValueError, RuntimeError, NotImplementedError, EOFError, zlib.error, zipfile.LargeZipFile) as exc:
        detail = clean.text(getattr(exc, "strerror", None) or str(exc), 300)
        raise BatchError(f"{label}: cannot unpack the entry {entry!r}: {type(exc).__name__}: {detail}") from None
    return dest


# --- writing results ------------------------------------------------------------------------------

def write_atomic(path: Path, content: str | bytes) -> None:
    """Write ``path`` whole or not at all (a temporary file in the same folder, then a rename)."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(content if isinstance(content, bytes) else content.encode("utf-8", errors="replace"))
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def feedback_markdown(result: GradeResult, name: str, lang: str, left_out: Sequence[str] = ()) -> str:
    """Feedback for the student: every name and message escaped, every code fence longer than what it holds.
    ``left_out``: the submission's files that were not graded (links, special files, too large)."""
    md, code = clean.markdown, clean.markdown_code
    title = render("ui.title", lang, assignment=result.assignment, score=result.score, max_score=result.max_score)
    lines = [f"# {md(name)}: {md(title)}",
             "", f"| {md(render('ui.col.exercise', lang))} | {md(render('ui.col.status', lang))} | "
                 f"{md(render('ui.col.score', lang))} |",
             "|---|---|---|"]
    for e in result.exercises:
        lines.append(f"| {code(e.id)} | {md(render('status.' + e.status.value, lang))} | {e.score:g} / {e.max_score:g} |")
    for e in result.exercises:
        if e.status is Status.PASSED:
            continue
        lines += ["", f"## {code(e.id)}", ""]
        lines += [f"- {md(note)}" for note in exercise_notes(e, lang)]
        failing = [c for c in e.cases if c.status is not Status.PASSED]
        if failing:
            first = failing[0]
            hidden = render("ui.hidden_tag", lang) if first.hidden else ""
            lines += ["", md(render("ui.case", lang, case=first.id, hidden=hidden)), "", clean.fence(case_text(first, lang))]
            if len(failing) > 1:
                lines.append(md(render("ui.more_cases", lang, count=len(failing) - 1)))
    if result.quiz is not None:
        answered = sum(q.status != "unanswered" for q in result.quiz.questions)
        lines += ["", md(render("quiz.ui.line", lang, score=result.quiz.score, max_score=result.quiz.max_score,
                                answered=answered, total=len(result.quiz.questions)))]
    elif result.quiz_error:
        lines += ["", md(render("quiz.error", lang, detail=result.quiz_error))]
    if left_out:
        lines += ["", md(render("batch.left_out", lang, files=", ".join(left_out[:20])))]
    return "\n".join(lines) + "\n"


def failure_record(spec: Assignment, name: str, status: str, message: str, digest: str | None) -> dict[str, Any]:
    return {"schema": json_report.SCHEMA, "assignment": spec.name, "submission": clean.name(name),
            "grader_version": grader.__version__, "score": 0.0, "max_score": spec.max_score, "exercises": [],
            "error": clean.text(message, 20000), "batch": {"status": status, "content_hash": digest}}


def _write_failure(output: Path, spec: Assignment, sub: Submission, status: str, message: str,
                   digest: str | None) -> None:
    if status == "invalid":
        write_atomic(output / f"{sub.stem}.md", f"# {clean.markdown(sub.label)}\n\n{clean.fence(message)}\n")
    write_atomic(output / f"{sub.stem}.json", clean.json_dumps(failure_record(spec, sub.name, status, message, digest)))


# --- the batch ------------------------------------------------------------------------------------

def run(submissions: Path, *, assignment: str, output: Path, workers: int | None = None, resume: bool = True,
        hidden: bool = True, shard: str | None = None, lang: str = "en", salt: str = "",
        limits: Any = None, exercises: Sequence[str] = (),
        on_progress: Callable[[str, int, int], None] | None = None) -> BatchReport:
    """Grade every submission in ``submissions`` into ``output`` (only ``exercises``, when given); return
    what was done. One submission's fault, whatever it is, is recorded for it and the batch goes on."""
    spec = api.assignment_spec(assignment)
    unknown = [e for e in exercises if e not in {x.id for x in spec.exercises}]
    if unknown:
        raise api.UsageError(Message("usage.unknown_exercise", {"names": ", ".join(unknown),
                                                                 "known": ", ".join(e.id for e in spec.exercises)}))
    chosen = parse_shard(shard)
    output.mkdir(parents=True, exist_ok=True)
    found, rejected = scan(submissions)
    subs = [s for s in found if in_shard(s.name, chosen)]
    settings = json.dumps({"grader": grader.__version__, "assignment": spec.name, "hidden": hidden, "salt": salt,
                           **({"exercises": sorted(exercises)} if exercises else {})})
    reference = Reference(spec, salt)
    api.runner.warm_up(hidden)
    # the plot's library loads while the fork server is still importing torch, not after the last submission
    threading.Thread(target=_load_plotting, daemon=True).start()
    for exercise in spec.exercises:  # the reference runs once per batch, before any worker starts
        if exercises and exercise.id not in exercises:
            continue
        for case in exercise.cases:
            if hidden or not case.hidden:
                reference.prepare(exercise, case, graded=hidden)
    report = BatchReport(rejected=[r.to_dict() for r in rejected if in_shard(r.name, chosen)])
    todo: list[tuple[Submission, str | None, BaseException | None]] = []
    for sub in subs:
        try:
            digest = content_hash(sub, settings)
        except Exception as exc:  # noqa: BLE001 - recorded for this submission by its worker
            todo.append((sub, None, exc))
            continue
        previous = _read_json(output / f"{sub.stem}.json") or {}
        record = previous.get("batch")
        if resume and isinstance(record, dict) and record.get("content_hash") == digest:
            report.skipped.append(sub.label)
        else:
            todo.append((sub, digest, None))
    hide = [submissions.resolve(), output.resolve()]
    done = 0

    def grade(sub: Submission, digest: str) -> str:
        with tempfile.TemporaryDirectory(prefix="nlp-grader-sub-", ignore_cleanup_errors=True) as tmp:
            left_out: list[str] = []
            try:
                if sub.path.is_dir() and not sub.path.is_symlink():
                    path, left_out = snapshot(sub.path, Path(tmp) / sub.stem)
                elif notebook.is_notebook(sub.path):  # a folder with the notebook, graded as a notebook
                    path = notebook.to_folder(sub.path, Path(tmp) / sub.stem)
                else:
                    path = extract(sub.path, Path(tmp) / sub.stem)
                result = api.check(path, assignment=spec.name, hidden=hidden, reference=reference, salt=salt,
                                   limits=limits, hide=hide, exercises=exercises, quiz_student=sub.label)
            except (api.UsageError, BatchError, safefs.UnsafeFile) as exc:  # the submission's fault, not ours
                message = render(exc.message, lang) if isinstance(exc, api.UsageError) else str(exc)
                _write_failure(output, spec, sub, "invalid", message, digest)
                return "invalid"
        data = json_report.to_dict(result, lang)
        data["submission"] = sub.label
        data["batch"] = {"status": "graded", "content_hash": digest,
                         **({"left_out": left_out[:50]} if left_out else {})}
        feedback = feedback_markdown(result, sub.label, lang, left_out)
        text = clean.json_dumps(data)
        write_atomic(output / f"{sub.stem}.md", feedback)
        write_atomic(output / f"{sub.stem}.json", text)  # last: its content hash marks the submission done
        return "graded"

    def grade_one(sub: Submission, digest: str | None, problem: BaseException | None) -> tuple[str, str]:
        try:
            if problem is None and digest is not None:
                try:
                    return sub.label, grade(sub, digest)
                except (api.UsageError, BatchError):
                    raise
                except Exception:  # noqa: BLE001 - a grader fault may pass (a fork server replaced): once more
                    return sub.label, grade(sub, digest)
            if isinstance(problem, BatchError):
                _write_failure(output, spec, sub, "invalid", str(problem), None)
                return sub.label, "invalid"
            raise problem if problem is not None else RuntimeError("no content hash")
        except Exception:  # noqa: BLE001 - the grader's fault: recorded, and retried by the next run
            try:
                _write_failure(output, spec, sub, "grader_error", traceback.format_exc(), None)
            except Exception:  # noqa: BLE001 - nothing more can be written for it; the report still says so
                pass
            return sub.label, "grader_error"

    with ThreadPoolExecutor(max_workers=max(1, workers or os.cpu_count() or 1)) as pool:
        futures = [pool.submit(grade_one, sub, digest, problem) for sub, digest, problem in todo]
        for future in as_completed(futures):
            name, status = future.result()
            (report.failed if status == "grader_error" else report.graded).append(name)
            done += 1
            if on_progress:
                try:
                    on_progress(name, done, len(todo))
                except Exception:  # noqa: BLE001 - a progress display never stops the batch
                    pass
    report.summary = write_gradebook(output, spec, rejected=report.rejected)
    return report


def _refuse_constant(token: str) -> Any:
    raise ValueError(f"not strict JSON: {token}")


def _read_json(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"), parse_constant=_refuse_constant)
    except (OSError, ValueError, RecursionError):
        return None
    return data if isinstance(data, dict) else None


def _results(folder: Path) -> list[tuple[Path, dict[str, Any]]]:
    out = []
    for path in sorted(folder.glob("*.json")):
        if path.name in RESERVED or path.name.startswith(".") or path.is_symlink():
            continue
        data = _read_json(path)
        if data and isinstance(data.get("submission"), str):
            out.append((path, data))
    return out


def results_in(folder: Path) -> list[dict[str, Any]]:
    return [data for _, data in _results(folder)]


def _number(value: Any) -> Any:
    return value if isinstance(value, (int, float)) and not isinstance(value, bool) else clean.csv_cell(value)


def write_gradebook(output: Path, spec: Assignment, results: Iterable[dict[str, Any]] | None = None,
                    rejected: Sequence[dict[str, Any]] | None = None) -> dict[str, Any]:
    """``gradebook.csv`` and ``summary.json`` (and ``scores.png`` where matplotlib is installed). Text cells
    cannot start a formula; scores stay numbers."""
    rows = sorted(results if results is not None else results_in(output), key=lambda d: d["submission"])
    ids = [e.id for e in spec.exercises]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([clean.csv_cell(c) for c in ["student", "score", "max_score", *ids, "quiz_score",
                                                  "quiz_max_score", "status"]])
    for d in rows:
        per = {e.get("id"): e.get("score", 0) for e in d.get("exercises", []) if isinstance(e, dict)}
        quiz: dict[str, Any] = d["quiz"] if isinstance(d.get("quiz"), dict) else {}
        writer.writerow([clean.csv_cell(d["submission"]), _number(d.get("score", 0)),
                         _number(d.get("max_score", spec.max_score)), *[_number(per.get(i, 0)) for i in ids],
                         _number(quiz.get("score", "")), _number(quiz.get("max_score", "")),
                         clean.csv_cell(_status(d))])
    write_atomic(output / "gradebook.csv", buffer.getvalue())
    summary = summarize(rows, spec, rejected)
    write_atomic(output / "summary.json", clean.json_dumps(summary))
    summary["plot"] = plot_scores(summary, output / "scores.png")
    return summary


def _status(d: dict[str, Any]) -> str:
    record = d.get("batch")
    return str(record.get("status", "graded")) if isinstance(record, dict) else "graded"


def summarize(rows: Sequence[dict[str, Any]], spec: Assignment,
              rejected: Sequence[dict[str, Any]] | None = None) -> dict[str, Any]:
    graded = [d for d in rows if _status(d) == "graded"]
    scores = [float(d["score"]) for d in graded]
    # a batch restricted to some exercises is out of their points, not the assignment's
    maxima = {float(d.get("max_score", spec.max_score)) for d in graded}
    max_score = maxima.pop() if len(maxima) == 1 and maxima != {float(spec.max_score)} else spec.max_score
    bins = [0] * 10
    for s in scores:
        bins[min(max(int(10 * s / max_score), 0), 9) if max_score else 0] += 1
    pass_rates = {}
    for e in spec.exercises:
        statuses = [x["status"] for d in graded for x in d.get("exercises", []) if x["id"] == e.id]
        pass_rates[e.id] = round(sum(s == "passed" for s in statuses) / len(statuses), 3) if statuses else None
    mistakes = Counter((x["id"], m["id"]) for d in graded for x in d.get("exercises", []) for m in x.get("mistakes", []))
    return {
        "submissions": len(rows), "graded": len(graded),
        "invalid": sorted(d["submission"] for d in rows if _status(d) == "invalid"),
        "grader_errors": sorted(d["submission"] for d in rows if _status(d) == "grader_error"),
        "rejected": sorted(rejected or [], key=lambda r: (r["submission"], r["reason"])),
        "mean": round(sum(scores) / len(scores), 2) if scores else None,
        "median": sorted(scores)[len(scores) // 2] if scores else None,
        "max_score": max_score,
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
    rejected: dict[tuple[str, str], dict[str, Any]] = {}
    for folder in outputs:
        if not folder.is_dir():
            raise BatchError(f"{clean.name(str(folder))} is not a batch output folder")
        for path, data in _results(folder):
            stem = path.stem
            if stem in seen and seen[stem] != folder:
                raise BatchError(f"{clean.name(data['submission'])} was graded in both {seen[stem]} and {folder}")
            seen[stem] = folder
            rows.append(data)
            if folder.resolve() != output.resolve():
                for suffix in (".json", ".md"):
                    src = folder / f"{stem}{suffix}"
                    if src.is_file() and not src.is_symlink():
                        write_atomic(output / f"{stem}{suffix}", src.read_bytes())
        previous = _read_json(folder / "summary.json") or {}
        for r in previous.get("rejected", []) if isinstance(previous.get("rejected"), list) else []:
            if isinstance(r, dict) and isinstance(r.get("submission"), str) and r.get("reason") in REASONS:
                rejected[(r["submission"], r["reason"])] = {"submission": clean.name(r["submission"]),
                                                            "reason": r["reason"],
                                                            "entries": [clean.name(e) for e in r.get("entries", [])]}
    return write_gradebook(output, spec, rows, list(rejected.values()))
