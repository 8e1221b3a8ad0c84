"""Reading a submission's files without trusting them: no symbolic links followed, regular files only,
sizes capped. A link to ``/proc/self/mem`` or ``/dev/stdin``, a named pipe or a device in a submission
is never opened; a file that is too large is refused before it is read.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable
from pathlib import Path

MAX_FILE_BYTES = 16 * 1024 * 1024
MAX_TREE_BYTES = 64 * 1024 * 1024
MAX_TREE_FILES = 2000


class UnsafeFile(OSError):
    """A file that is not read: a link, not a regular file, or too large."""


def read_bytes(path: Path | str, limit: int = MAX_FILE_BYTES) -> bytes:
    """The content of a regular file, opened without following a link at its last component."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as exc:
        if os.path.islink(path):
            raise UnsafeFile(f"{Path(path).name} is a symbolic link; links are not followed") from None
        raise UnsafeFile(f"{Path(path).name} cannot be opened: {exc.strerror}") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise UnsafeFile(f"{Path(path).name} is not a regular file")
        if info.st_size > limit:
            raise UnsafeFile(f"{Path(path).name} is {info.st_size} bytes (at most {limit})")
        chunks, size = [], 0
        while size <= limit:
            chunk = os.read(fd, min(1 << 20, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        if size > limit:
            raise UnsafeFile(f"{Path(path).name} grew past {limit} bytes while it was read")
        return b"".join(chunks)
    finally:
        os.close(fd)


def read_text(path: Path | str, limit: int = MAX_FILE_BYTES) -> str:
    """:func:`read_bytes` decoded as UTF-8 (invalid bytes replaced)."""
    return read_bytes(path, limit).decode("utf-8", errors="replace")


def is_regular(path: Path | str) -> bool:
    """A regular file, not a link to one."""
    try:
        return stat.S_ISREG(os.lstat(path).st_mode)
    except OSError:
        return False


def folder_and_subfolders(folder: Path) -> list[Path]:
    """Where a submission's files may be: ``folder`` itself, then each folder just below it (sorted; links, hidden
    folders and ``__pycache__``-like ones left out), as an LMS or a zip adds one level."""
    return [folder, *sorted(p for p in folder.iterdir()
                            if p.is_dir() and not p.is_symlink() and not p.name.startswith((".", "__")))]


def copy_tree(source: Path, dest: Path, *, ignore: Iterable[str] = (), max_bytes: int = MAX_TREE_BYTES,
              max_files: int = MAX_TREE_FILES) -> list[str]:
    """Copy the folders and regular files under ``source`` into ``dest`` (readable by anyone, since the
    sandbox's user may differ from ours); links, pipes and devices are left out. Returns what was left out
    (relative paths). Raises UnsafeFile when the tree is larger than ``max_bytes`` or ``max_files``."""
    skipped: list[str] = []
    ignored = set(ignore)
    total = files = 0
    dest.mkdir(mode=0o755)
    os.chmod(dest, 0o755)
    stack = [(source, dest)]
    while stack:
        here, there = stack.pop()
        with os.scandir(here) as entries:
            for entry in sorted(entries, key=lambda e: e.name):
                rel = os.path.relpath(entry.path, source)
                if entry.name in ignored or entry.name.endswith(".pyc"):
                    continue
                if entry.is_dir(follow_symlinks=False):
                    (there / entry.name).mkdir(mode=0o755)
                    stack.append((Path(entry.path), there / entry.name))
                    continue
                if not entry.is_file(follow_symlinks=False):
                    skipped.append(rel)
                    continue
                files += 1
                if files > max_files:
                    raise UnsafeFile(f"more than {max_files} files")
                data = read_bytes(entry.path, min(MAX_FILE_BYTES, max_bytes - total))
                total += len(data)
                target = there / entry.name
                fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644)
                try:
                    view = memoryview(data)
                    while view:
                        view = view[os.write(fd, view):]
                finally:
                    os.close(fd)
    return skipped
