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
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import grader
from grader import api, clean, notebook, safefs
from grader.messages import render
from grader.reference import Reference
from grader.report import feedback as feedback_mod
from grader.report import json as json_report
from grader.report import stored
from grader.results import Message
from grader.spec import Assignment
from grader.stats import plot_scores as plot_scores  # the batch's statistics, kept importable from here
from grader.stats import summarize as summarize

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


class NotASubmission(BatchError):
    """A folder or zip that holds none of the assignment's files where they belong: ``message`` says why, in
    every language (it is recorded as the reason, and rendered again by ``grade report``)."""

    def __init__(self, message: Message) -> None:
        super().__init__(render(message, "en"))
        self.message = message


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
    files, left_out = _pack_folder(folder)
    return _unpack_folder(files, dest), list(left_out)


def _pack_folder(folder: Path) -> tuple[tuple[tuple[str, bytes | None], ...], tuple[str, ...]]:
    """The folder's regular files as (relative path, bytes), its folders as (relative path, None), and what
    was left out (see :func:`snapshot`)."""
    left_out: list[str] = []
    entries: list[tuple[str, bytes | None]] = []
    budget = MAX_ZIP_BYTES
    walked = _walk(folder)
    files = sum(kind == "file" for _, kind, _ in walked)
    if files > MAX_ZIP_FILES:
        raise BatchError(f"{clean.name(folder.name)} holds {files} files (at most {MAX_ZIP_FILES})")
    for rel, kind, path in walked:
        if kind == "dir":
            entries.append((rel, None))
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
        entries.append((rel, data))
    return tuple(entries), tuple(left_out)


def _unpack_folder(entries: Iterable[tuple[str, bytes | None]], dest: Path) -> Path:
    dest.mkdir(parents=True)
    for rel, data in entries:
        parts = rel.split("/")
        if rel.startswith("/") or any(p in ("", ".", "..") for p in parts):  # never made by _pack_folder
            raise BatchError(f"refusing the packed entry {clean.name(rel)!r}")
        target = dest.joinpath(*parts)
        if data is None:
            target.mkdir(parents=True, exist_ok=True)
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    return dest


@dataclass(frozen=True)
class Packed:
    """A submission as data (what a worker on another machine grades): a folder's files, or a zip's or a
    notebook's bytes, with its entry name (messages name it) and what was left out of a folder."""

    kind: str
    """``folder``, ``zip`` or ``notebook``."""
    name: str
    files: tuple[tuple[str, bytes | None], ...]
    """folder: (relative path, bytes), and (relative path, None) for its folders; zip, notebook: ("", bytes)."""
    left_out: tuple[str, ...] = ()


def pack(sub: Submission) -> Packed:
    """Read the submission into a :class:`Packed` without following links. BatchError or safefs.UnsafeFile when
    it cannot be read (the submission is then ``invalid``, as when it cannot be unpacked)."""
    if sub.path.is_dir() and not sub.path.is_symlink():
        files, left_out = _pack_folder(sub.path)
        return Packed("folder", sub.path.name, files, left_out)
    if notebook.is_notebook(sub.path):
        return Packed("notebook", sub.path.name, (("", safefs.read_bytes(sub.path, notebook.MAX_NOTEBOOK_BYTES)),))
    try:
        data = safefs.read_bytes(sub.path, MAX_ZIP_BYTES)
    except OSError as exc:
        raise BatchError(clean.text(str(exc), 300)) from None
    return Packed("zip", sub.path.name, (("", data),))


def unpack(packed: Packed, dest: Path) -> Path:
    """A new folder ``dest`` to grade, from a :func:`pack`: a folder's files, a zip extracted, a notebook's copy."""
    if packed.kind == "folder":
        return _unpack_folder(packed.files, dest)
    name = packed.name.replace("/", "_")
    if packed.kind not in ("zip", "notebook") or len(packed.files) != 1 or name in ("", ".", ".."):
        raise BatchError(f"not a packed submission: {clean.name(packed.kind)} {clean.name(packed.name)}")
    source = dest.parent / ".packed" / name  # submission stems never start with a dot
    source.parent.mkdir(parents=True, exist_ok=True)
    source.write_bytes(packed.files[0][1] or b"")
    return notebook.to_folder(source, dest) if packed.kind == "notebook" else extract(source, dest)


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


def feedback_markdown(result: Any, name: str, lang: str, left_out: Sequence[str] = (),
                      level: str = feedback_mod.DEFAULT) -> str:
    """Feedback for the student (see grader.report.feedback for what each ``level`` shows)."""
    return feedback_mod.markdown(result, name, lang, left_out, level)


def submission_root(folder: Path, spec: Assignment) -> Path:
    """The folder of a submission's copy that holds the assignment's files: itself or one folder down (as
    Gradescope and GitHub Classroom exports have them). NotASubmission says why there is none: the files sit
    deeper (and where), or none of them is there at all (and what is)."""
    names = set(spec.files)
    subfolders = sorted(p for p in folder.iterdir()
                        if p.is_dir() and not p.is_symlink() and not p.name.startswith((".", "__")))
    for candidate in (folder, *subfolders):
        if any((candidate / f).is_file() and not (candidate / f).is_symlink() for f in names):
            return candidate
    walked = _walk(folder)
    if any(kind == "file" and rel.endswith(".ipynb") and rel.count("/") <= 1 for rel, kind, _ in walked):
        return folder  # a notebook submission: its own reader finds the code in it
    deeper = sorted({rel.rsplit("/", 1)[0] for rel, kind, _ in walked
                     if kind == "file" and "/" in rel and rel.rsplit("/", 1)[1] in names})
    if deeper:
        raise NotASubmission(Message("batch.invalid.too_deep", {
            "where": ", ".join(clean.name(d + "/") for d in deeper[:5]), "files": ", ".join(spec.files)}))
    found = [clean.name(rel) for rel, kind, _ in walked if kind == "file"]
    raise NotASubmission(Message("batch.invalid.no_files", {
        "files": ", ".join(spec.files),
        "found": ", ".join(found[:10]) + (f" (+{len(found) - 10})" if len(found) > 10 else "") if found else "—"}))


def read_sources(root: Path, spec: Assignment) -> dict[str, str]:
    """The assignment's files as graded (for the similarity report), read without following links."""
    from grader.similar import MAX_SOURCE

    out = {}
    for name in spec.files:
        try:
            out[name] = clean.text(safefs.read_bytes(root / name, MAX_SOURCE), MAX_SOURCE)
        except OSError:  # missing, a link, or too large: not compared
            continue
    return out


def failure_record(spec: Assignment, name: str, status: str, message: str | Message, digest: str | None) -> dict[str, Any]:
    reason = {"reason": {"code": message.key, "params": dict(message.params)}} if isinstance(message, Message) else {}
    text = render(message, "en") if isinstance(message, Message) else message
    return {"schema": json_report.SCHEMA, "assignment": spec.name, "submission": clean.name(name),
            "grader_version": grader.__version__, "score": 0.0, "max_score": spec.max_score, "exercises": [],
            "error": clean.text(text, 20000), "batch": {"status": status, "content_hash": digest, **reason}}


def _write_failure(output: Path, spec: Assignment, sub: Submission, status: str, message: str | Message,
                   digest: str | None, lang: str = "en", level: str = feedback_mod.DEFAULT) -> None:
    from grader.report import render_batch

    record = failure_record(spec, sub.name, status, message, digest)
    data, md = render_batch.render_record(record, lang, level) or (record, None)
    if md is not None:
        write_atomic(output / f"{sub.stem}.md", md)
    write_atomic(output / f"{sub.stem}.json", clean.json_dumps(data))


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
    import torch

    reference = Reference(spec, grading.salt)
    api.runner.warm_up(grading.hidden)
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        for exercise in spec.exercises:
            if grading.exercises and exercise.id not in grading.exercises:
                continue
            for case in exercise.cases:
                if grading.hidden or not case.hidden:
                    reference.prepare(exercise, case, graded=grading.hidden)
    finally:
        torch.set_num_threads(threads)
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


def deliver(output: Path, spec: Assignment, sub: Submission, outcome: Outcome, lang: str = "en",
            level: str = feedback_mod.DEFAULT) -> str:
    """Write a submission's files from its outcome (``<stem>.json`` last: its content hash marks it done); the
    status recorded. A failure to write is recorded as ``grader_error`` where anything can be written."""
    from grader.report import render_batch

    try:
        record = outcome.record
        data, md = render_batch.render_record(record, lang, level) or (record, None)
        if outcome.status == "graded":
            code_dir = output / render_batch.CODE
            code_dir.mkdir(exist_ok=True)
            write_atomic(code_dir / f"{sub.stem}.json", render_batch.code_record(spec, sub.label, outcome.sources))
        if md is not None:
            write_atomic(output / f"{sub.stem}.md", md)
        write_atomic(output / f"{sub.stem}.json", clean.json_dumps(data))
        return outcome.status
    except Exception:  # noqa: BLE001 - the grader's fault: recorded, and retried by the next run
        try:
            _write_failure(output, spec, sub, "grader_error", traceback.format_exc(), None)
        except Exception:  # noqa: BLE001 - nothing more can be written for it; the report still says so
            pass
        return "grader_error"


# --- the batch ------------------------------------------------------------------------------------

def _chosen(found: Sequence[Submission], only: Sequence[str]) -> list[Submission]:
    """The submissions ``--only`` names (by name as on disk, as shown, or by result file name)."""
    from grader.messages import closest

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


EXECUTORS = ("local", "ray")
"""Where a batch's submissions are graded: worker threads of this process, or a Ray cluster (grader.cluster)."""


def problem_outcome(spec: Assignment, sub: Submission, problem: BaseException | None) -> Outcome:
    """The record of a submission whose content could not even be hashed: ``invalid`` when it is at fault."""
    if isinstance(problem, BatchError):
        return Outcome("invalid", failure_record(spec, sub.name, "invalid", str(problem), None))
    text = "".join(traceback.format_exception(problem)) if problem is not None else "no content hash"
    return Outcome("grader_error", failure_record(spec, sub.name, "grader_error", text, None))


def run(submissions: Path, *, assignment: str, output: Path, workers: int | None = None, resume: bool = True,
        hidden: bool = True, shard: str | None = None, lang: str = "en", salt: str = "",
        limits: Any = None, exercises: Sequence[str] = (), only: Sequence[str] = (), timeout: float | None = None,
        feedback: str = feedback_mod.DEFAULT, device: str = "auto", executor: str = "local",
        address: str | None = None,
        on_progress: Callable[[str, int, int], None] | None = None) -> BatchReport:
    """Grade every submission in ``submissions`` into ``output`` (only ``exercises``, when given; only the
    submissions named in ``only``, whatever their content, when given); then render every output file from the
    stored results, in ``lang`` at ``feedback`` level. One submission's fault, whatever it is, is recorded for it
    and the batch goes on. ``executor="ray"`` grades on a Ray cluster (``address``, or a local one; see
    grader.cluster); this process alone writes ``output``, so everything else is the same."""
    from grader.report import render_batch

    spec = api.assignment_spec(assignment)
    feedback_mod.check_level(feedback)
    unknown = [e for e in exercises if e not in {x.id for x in spec.exercises}]
    if unknown:
        raise api.UsageError(Message("usage.unknown_exercise", {"names": ", ".join(unknown),
                                                                 "known": ", ".join(e.id for e in spec.exercises)}))
    if executor not in EXECUTORS:
        raise api.UsageError(Message("cluster.bad_executor", {"executor": executor, "known": ", ".join(EXECUTORS)}))
    if executor == "ray":
        from grader import cluster

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
    settings = json.dumps({"grader": grader.__version__, "assignment": spec.name, "hidden": hidden, "salt": salt,
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
        previous = _read_json(output / f"{sub.stem}.json") or {}
        record = previous.get("batch")
        if (picked is None and resume and isinstance(record, dict) and record.get("content_hash") == digest
                and (record.get("status") != "graded" or "result" in record)):  # an older grader's: graded again
            report.skipped.append(sub.label)
        else:
            todo.append((sub, digest, None))
    grading = Grading(spec.name, hidden=hidden, salt=salt, limits=limits, timeout=timeout, exercises=tuple(exercises),
                      device=device, hide=(str(submissions.resolve()), str(output.resolve())))
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

    if todo and executor == "ray":
        from grader import cluster

        threading.Thread(target=_load_plotting, daemon=True).start()
        cluster.grade(todo, spec=spec, grading=grading, address=address, workers=workers,
                      deliver=lambda sub, outcome: finish(sub.label, deliver(output, spec, sub, outcome, lang, feedback)))
    elif todo:
        # the plot's library loads while the fork server is still importing torch, not after the last submission
        threading.Thread(target=_load_plotting, daemon=True).start()
        reference = prepare_reference(spec, grading)  # the reference runs once per batch, before any worker starts

        def grade_one(sub: Submission, digest: str | None, problem: BaseException | None) -> tuple[str, str]:
            if problem is not None or digest is None:
                outcome = problem_outcome(spec, sub, problem)
            else:
                packed = packed_or_failure(sub, spec, digest)
                outcome = packed if isinstance(packed, Outcome) else grade_submission(packed, sub, digest, grading,
                                                                                      reference)
            return sub.label, deliver(output, spec, sub, outcome, lang, feedback)

        with ThreadPoolExecutor(max_workers=max(1, workers or os.cpu_count() or 1)) as pool:
            futures = [pool.submit(grade_one, sub, digest, problem) for sub, digest, problem in todo]
            for future in as_completed(futures):
                finish(*future.result())
    report.summary = render_batch.render_output(output, lang=lang, level=feedback, spec=spec, rejected=report.rejected)
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


def write_gradebook(output: Path, spec: Assignment, results: Iterable[dict[str, Any]] | None = None,
                    rejected: Sequence[dict[str, Any]] | None = None) -> dict[str, Any]:
    """``gradebook.csv``, ``summary.json``, the plots and the similarity report from ``results`` (default: the
    results in ``output``), as they are (see grader.report.render_batch for rendering them again)."""
    from grader.report import render_batch

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
                for rel in (f"{stem}.json", f"{stem}.md", f"code/{stem}.json"):  # code/: for the similarity report
                    src = folder / rel
                    if src.is_file() and not src.is_symlink() and not src.parent.is_symlink():
                        (output / rel).parent.mkdir(exist_ok=True)
                        write_atomic(output / rel, src.read_bytes())
        previous = _read_json(folder / "summary.json") or {}
        for r in previous.get("rejected", []) if isinstance(previous.get("rejected"), list) else []:
            if isinstance(r, dict) and isinstance(r.get("submission"), str) and r.get("reason") in REASONS:
                rejected[(r["submission"], r["reason"])] = {"submission": clean.name(r["submission"]),
                                                            "reason": r["reason"],
                                                            "entries": [clean.name(e) for e in r.get("entries", [])]}
    return write_gradebook(output, spec, rows, list(rejected.values()))
