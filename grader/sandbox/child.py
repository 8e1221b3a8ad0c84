"""The sandbox child: imports the student's files and runs the drivers on them.

Started by :mod:`grader.sandbox.runner` as ``python -m grader.sandbox.child PROGRESS_FD``. It imports
torch first (while the grading process prepares the cases), then reads one JSON job line from
stdin. For every task it writes ``out/<index>.safetensors`` and ``out/<index>.json`` and reports
``start <index>`` / ``done <index>`` on the progress pipe, which is how the parent enforces timeouts.

Nothing here decides a grade: the parent reads the plain data back and judges it.
"""

from __future__ import annotations

import importlib
import json
import os
import re
import sys
import traceback
import types
from pathlib import Path
from typing import Any

import torch
from safetensors.torch import load_file

from grader.sandbox import drivers, transfer

STUB_MARKER = re.compile(r"^Task \d+: (\w+)")
PACKAGE = "submission"
MAX_TRACEBACK = 4000


def _student_frames(exc: BaseException, root: Path) -> str:
    """The traceback, keeping only frames from the student's files, with paths relative to the submission."""
    frames = traceback.extract_tb(exc.__traceback__)
    lines = []
    for frame in frames:
        try:
            rel = Path(frame.filename).resolve().relative_to(root)
        except ValueError:
            continue
        lines.append(f'  File "{rel}", line {frame.lineno}, in {frame.name}')
        if frame.line:
            lines.append(f"    {frame.line.strip()}")
    message = "".join(traceback.format_exception_only(type(exc), exc)).strip()
    text = "\n".join([*lines, message])
    return text[-MAX_TRACEBACK:]


def _error(kind: str, exc: BaseException | None = None, root: Path | None = None, **extra: Any) -> dict[str, Any]:
    record: dict[str, Any] = {"status": "error", "kind": kind, **extra}
    if exc is not None:
        record["type"] = type(exc).__name__
        record["message"] = str(exc)[: transfer.MAX_TEXT]
        if root is not None:
            record["traceback"] = _student_frames(exc, root)
    return record


class Submission:
    """The student's files, imported as the package ``submission`` (their ``__init__.py`` is not run)."""

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        package = types.ModuleType(PACKAGE)
        package.__path__ = [str(self.root)]
        sys.modules[PACKAGE] = package
        sys.path.insert(0, str(self.root))
        self._modules: dict[str, Any] = {}

    def load(self, file: str) -> Any:
        """The imported module, or an error record (cached either way)."""
        if file not in self._modules:
            self._modules[file] = self._import(file)
        return self._modules[file]

    def _import(self, file: str) -> Any:
        if not (self.root / file).is_file():
            return _error("missing_file", file=file)
        try:
            return importlib.import_module(f"{PACKAGE}.{Path(file).stem}")
        except SyntaxError as exc:
            filename = exc.filename or file
            try:
                filename = str(Path(filename).resolve().relative_to(self.root))
            except ValueError:
                pass
            return _error("syntax", exc, file=filename, line=exc.lineno or 0, text=(exc.text or "").rstrip()[:500],
                          detail=exc.msg)
        except BaseException as exc:  # noqa: BLE001 - whatever the student's import does is reported
            return _error("import", exc, self.root, file=file)


def run_task(sub: Submission, task: dict[str, Any], inputs: dict[str, torch.Tensor]) -> tuple[dict, dict]:
    """Run one task and return (record, tensors)."""
    module = sub.load(task["file"])
    if isinstance(module, dict):
        return module, {}
    target = getattr(module, task["name"], None)
    if target is None:
        return _error("missing_name", file=task["file"], name=task["name"]), {}
    torch.manual_seed(0)
    driver = drivers.DRIVERS[task["driver"]]
    try:
        result = driver(target, inputs, task["args"], drivers.Ctx(device=task["device"]))
        entries, tensors = transfer.encode(result)
    except drivers.SignatureMismatch as exc:
        return _error("signature", what=exc.what, signature=exc.signature, nargs=exc.nargs), {}
    except drivers.StateDictMismatch as exc:
        return _error("state_dict", missing=exc.missing, unexpected=exc.unexpected, misshaped=exc.misshaped), {}
    except NotImplementedError as exc:
        match = STUB_MARKER.match(str(exc))
        return _error("not_implemented", exc, sub.root, stub_of=match.group(1) if match else None), {}
    except BaseException as exc:  # noqa: BLE001 - sys.exit, KeyboardInterrupt: all the student's doing
        return _error("exception", exc, sub.root), {}
    return {"status": "ok", "entries": entries}, tensors


def main() -> int:
    progress = os.fdopen(int(sys.argv[1]), "w", buffering=1)
    torch.set_num_threads(1)
    job = json.loads(sys.stdin.readline())
    sub = Submission(Path(job["submission"]))
    out_dir, in_dir = Path(job["outdir"]), Path(job["indir"])
    for task in job["tasks"]:
        index = task["index"]
        progress.write(f"start {index}\n")
        inputs = load_file(str(in_dir / f"{index}.safetensors"))
        record, tensors = run_task(sub, task, inputs)
        try:
            transfer.write(out_dir / str(index), record, tensors)
        except Exception as exc:  # noqa: BLE001 - an unwritable result is the task's error
            transfer.write(out_dir / str(index), _error("transfer", exc), {})
        progress.write(f"done {index}\n")
    progress.close()
    return 0


if __name__ == "__main__":
    code = main()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:  # noqa: BLE001,S110 - the student's code may have replaced or closed them
            pass
    os._exit(code)  # skip interpreter teardown, which the student's code may have booby-trapped
