"""Intake: finding a class's submissions and reading them safely, as a private copy or as data.

A submission is a child folder, ``.zip`` or ``.ipynb`` of the submissions folder. It is read without following
links, special files are never opened, and what is graded is a private copy of its regular files (or a zip
unpacked with every entry checked). Entries that cannot be graded at all (a reserved or hidden name, a link, two
submissions with one name) are listed with the reason. Nothing here grades or writes results.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import zipfile
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from grader import cells, clean, safefs
from grader.messages import render
from grader.results import Message
from grader.spec import Assignment

RESERVED_NAMES = ("gradebook", "summary", "scores")
OWN_STEMS = (*RESERVED_NAMES, "index", "history", "times")
"""Names of the batch's own files (index.html, history.jsonl, times.json): a submission called so is graded, and its
results are stored under a hashed name (:func:`result_stem`)."""
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


def encoded(name: str) -> bytes:
    """A name's bytes as on disk (undecodable bytes come back through surrogateescape), whatever it holds."""
    try:
        return name.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        return name.encode("utf-8", "surrogatepass")


def result_stem(name: str) -> str:
    """The file name (without suffix) of a submission's results: the name itself when it is a plain, short
    name; otherwise a cleaned prefix and a hash of the exact name, so that no name can escape the output
    folder, clash with the batch's own files, or be too long to create."""
    raw = encoded(name)
    if (_PLAIN_NAME.fullmatch(name) and not name.endswith((" ", ".")) and len(raw) <= 120
            and name.lower() not in OWN_STEMS):
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
            stem = f"{stem}~{hashlib.sha256(encoded(name)).hexdigest()[:12]}"
        stems.add(stem.casefold())
        found.append(Submission(name, paths[0][1], stem))
    return found, sorted(rejected, key=lambda r: (r.name, r.reason))


def discover(folder: Path) -> list[Submission]:
    """The gradable submissions of ``folder`` (see :func:`scan` for the others)."""
    return scan(folder)[0]


# --- reading one -----------------------------------------------------------------------------------

def walk(root: Path) -> list[tuple[str, str, Path]]:
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
    for rel, kind, path in walk(sub.path):
        h.update(encoded(rel) + b"\0" + kind.encode() + b"\0")
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
    walked = walk(folder)
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
    if cells.is_notebook(sub.path):
        return Packed("notebook", sub.path.name, (("", safefs.read_bytes(sub.path, cells.MAX_NOTEBOOK_BYTES)),))
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
    return cells.to_folder(source, dest) if packed.kind == "notebook" else extract(source, dest)


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
                if any(len(encoded(p)) > MAX_NAME_BYTES for p in parts):
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


def submission_root(folder: Path, spec: Assignment) -> Path:
    """The folder of a submission's copy that holds the assignment's files: itself or one folder down (as
    Gradescope and GitHub Classroom exports have them). NotASubmission says why there is none: the files sit
    deeper (and where), or none of them is there at all (and what is)."""
    names = set(spec.files)
    for candidate in safefs.folder_and_subfolders(folder):
        if any((candidate / f).is_file() and not (candidate / f).is_symlink() for f in names):
            return candidate
    walked = walk(folder)
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
