"""Stored reference outputs for a student bundle: the visible cases only, no reference code.

A fixture folder holds ``assignment.json`` (the exercises and their visible cases as plain data),
one safetensors file per case (its inputs, the reference's outputs and the catalogued mistakes'
outputs) and ``manifest.json`` with a SHA-256 per file, checked before anything is used.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import importlib
import importlib.util
import inspect
import json
import shutil
import sys
from pathlib import Path
from typing import Any

import torch
from safetensors.torch import load_file, save_file

from grader.sandbox import transfer
from grader.spec import Assignment, Case, CaseEnv, Exercise, Mistake, Property

FORMAT = "nlp-grader/fixtures/v1"


class FixtureError(ValueError):
    """The fixtures are missing, malformed or were modified after the bundle was made."""


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _prefixed(prefix: str, tensors: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    return {f"{prefix}/{k}": v.contiguous().clone() for k, v in tensors.items()}


def write(reference: Any, folder: Path) -> None:
    """Store the visible cases of ``reference.assignment`` with their expected and mistake outputs."""
    spec: Assignment = reference.assignment
    folder.mkdir(parents=True, exist_ok=True)
    exercises = []
    for exercise in spec.exercises:
        cases = []
        for case in exercise.cases:
            if case.hidden:
                continue
            prepared = reference.prepare(exercise, case)
            tensors = _prefixed("in", prepared.inputs)
            record: dict[str, Any] = {
                "id": case.id, "driver": case.driver.value, "args": case.args, "device": case.device,
                "compare": list(case.compare),
                "properties": [{**dataclasses.asdict(p), "kind": p.kind.value} for p in case.properties],
                "inputs": sorted(prepared.inputs), "mistakes": {},
            }
            for name, entries in (("expected", prepared.expected), ("truth", prepared.truth)):
                described, data = transfer.encode_entries(entries)
                record[name] = described
                tensors.update(_prefixed(name, data))
            for mistake in exercise.mistakes:
                outputs = reference.mistake_outputs(exercise, case, mistake.id)
                if outputs is None:
                    record["mistakes"][mistake.id] = None
                    continue
                described, data = transfer.encode_entries(outputs)
                record["mistakes"][mistake.id] = described
                tensors.update(_prefixed(f"mistake.{mistake.id}", data))
            file = f"{exercise.id}.{case.id}.safetensors"
            save_file(tensors, str(folder / file))
            record["file"] = file
            cases.append(record)
        if not cases:  # the bundle would be refused when loaded (see _check_cases)
            raise FixtureError(f"the exercise {exercise.id} has no visible case to store; a bundle needs one")
        exercises.append({
            "id": exercise.id, "file": exercise.file, "task": exercise.task, "points": exercise.points,
            "kind": exercise.kind.value, "depends_on": list(exercise.depends_on), "forbidden": list(exercise.forbidden),
            "mistakes": [m.id for m in exercise.mistakes], "cases": cases, "outputs": dict(exercise.outputs),
        })
    judges = _write_judges(spec, folder)
    (folder / "assignment.json").write_text(json.dumps({
        "format": FORMAT, "name": spec.name, "title": spec.title, "files": list(spec.files),
        "salt": reference.salt, "exercises": exercises,
        "messages": {lang: dict(texts) for lang, texts in spec.messages.items()}, "judges": judges},
        indent=1), encoding="utf-8")
    files = sorted(p.name for p in folder.iterdir() if p.is_file() and p.name != "manifest.json")
    (folder / "manifest.json").write_text(json.dumps(
        {"format": FORMAT, "files": {name: _sha256(folder / name) for name in files}}, indent=1), encoding="utf-8")


def _write_judges(spec: Assignment, folder: Path) -> dict[str, str]:
    """Copy the source of every judge module a visible case uses into the folder: {module name: file}. A judge
    module must be self-contained (torch, the standard library and the engine only): a bundle has no plug-in."""
    modules = sorted({p.judge.partition(":")[0] for e in spec.exercises for c in e.cases if not c.hidden
                      for p in c.properties if p.judge})
    out = {}
    for name in modules:
        source = inspect.getsourcefile(importlib.import_module(name))
        if source is None:
            raise FixtureError(f"the judge module {name} has no source file to ship in a bundle")
        file = f"judge.{name}.py"
        shutil.copyfile(source, folder / file)
        out[name] = file
    return out


def _load_judges(folder: Path, judges: Any) -> None:
    """Import the judge modules a bundle ships under their own names (the plug-in itself is not installed)."""
    for name, file in dict(judges or {}).items():
        if name in sys.modules:
            continue
        path = folder / str(file)
        spec = importlib.util.spec_from_file_location(str(name), path)
        if spec is None or spec.loader is None or path.parent != folder:
            raise FixtureError(f"{folder}: the judge module {name} cannot be loaded from {file}")
        module = importlib.util.module_from_spec(spec)
        sys.modules[str(name)] = module
        try:
            spec.loader.exec_module(module)
        except Exception as exc:
            del sys.modules[str(name)]
            raise FixtureError(f"{folder}: the judge module {name} fails to import ({type(exc).__name__}: {exc})") from None


def verify(folder: Path) -> dict[str, Any]:
    """Check every file against the manifest; return the parsed assignment.json."""
    try:
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        listed = manifest["files"]
        if not isinstance(listed, dict):
            raise TypeError("'files' is not an object")
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise FixtureError(f"{folder}: no readable manifest.json ({exc})") from None
    for name, digest in listed.items():
        path = folder / name
        if not path.is_file():
            raise FixtureError(f"{folder}: {name} is missing")
        if _sha256(path) != digest:
            raise FixtureError(f"{folder}: {name} was modified after the bundle was made (checksum mismatch)")
    if "assignment.json" not in listed:
        raise FixtureError(f"{folder}: assignment.json is not in the manifest")
    try:
        data = json.loads((folder / "assignment.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise FixtureError(f"{folder}: assignment.json is not readable ({exc})") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise FixtureError(f"{folder}: unknown fixture format {data.get('format') if isinstance(data, dict) else data!r}")
    _check_cases(folder, data, listed)
    return data


def _check_cases(folder: Path, data: dict[str, Any], listed: dict[str, Any]) -> None:
    """Every exercise holds at least one case, and every case's file is one the manifest vouches for: an
    exercise without cases would have nothing to fail, so it is refused, never graded as full marks."""
    exercises = data.get("exercises")
    if not isinstance(exercises, list) or not exercises:
        raise FixtureError(f"{folder}: assignment.json lists no exercise")
    for ex in exercises:
        name = ex.get("id") if isinstance(ex, dict) else None
        if not isinstance(name, str):
            raise FixtureError(f"{folder}: assignment.json holds a malformed exercise entry")
        cases = ex.get("cases")
        if not isinstance(cases, list) or not cases:
            raise FixtureError(f"{folder}: the fixtures hold no case for the exercise {name}; the bundle is damaged")
        for case in cases:
            file = case.get("file") if isinstance(case, dict) else None
            if not isinstance(file, str) or file not in listed:
                raise FixtureError(f"{folder}: a case of the exercise {name} has no file the manifest lists")


class _Loaded:
    """The tensors of one case file, read once."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._tensors: dict[str, torch.Tensor] | None = None

    def inputs(self, env: CaseEnv) -> dict[str, torch.Tensor]:
        """A case's ``make``: the stored inputs (the generator is not needed)."""
        return self.group("in")

    def group(self, prefix: str) -> dict[str, torch.Tensor]:
        if self._tensors is None:
            self._tensors = load_file(str(self.path))
        start = prefix + "/"
        return {k[len(start):]: v for k, v in self._tensors.items() if k.startswith(start)}


def _no_code(reference: Any) -> None:
    """Mistakes in a bundle have no implementation: their outputs are stored."""
    return None


def load(folder: Path, quiz: Path | None = None) -> Assignment:
    """The assignment described by a fixture folder (after checking the manifest)."""
    data = verify(folder)
    try:
        return _load(folder, data, quiz)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise FixtureError(f"{folder}: assignment.json is malformed ({type(exc).__name__}: {exc})") from None


def _load(folder: Path, data: dict[str, Any], quiz: Path | None) -> Assignment:
    _load_judges(folder, data.get("judges"))
    exercises = []
    for ex in data["exercises"]:
        cases = []
        for c in ex["cases"]:
            loaded = _Loaded(folder / c["file"])
            cases.append(Case.from_wire(
                c["args"], id=c["id"], driver=c["driver"], make=loaded.inputs,
                hidden=False, device=c["device"], compare=tuple(c["compare"]),
                properties=tuple(Property(**p) for p in c["properties"]),
            ))
        exercises.append(Exercise(
            id=ex["id"], file=ex["file"], task=ex["task"], points=ex["points"], kind=ex["kind"], cases=tuple(cases),
            depends_on=tuple(ex["depends_on"]), forbidden=tuple(ex["forbidden"]),
            mistakes=tuple(Mistake(m, impl=_no_code) for m in ex["mistakes"]),
            outputs={str(k): str(v) for k, v in ex.get("outputs", {}).items()},
        ))
    messages = data.get("messages", {})
    return Assignment(name=data["name"], title=data["title"], exercises=tuple(exercises), solutions=None,
                      files=tuple(data["files"]), quiz=quiz, fixtures=folder,
                      messages={str(lang): {str(k): str(v) for k, v in texts.items()} for lang, texts in messages.items()})


@functools.lru_cache(maxsize=8)
def _described(folder: Path) -> dict[str, Any]:
    """assignment.json, read once per folder."""
    return json.loads((folder / "assignment.json").read_text(encoding="utf-8"))


def stored(folder: Path, exercise_id: str, case_id: str) -> tuple[dict, dict, dict]:
    """(expected, truth, {mistake id: outputs or None}) for one case, as transfer entries."""
    data = _described(folder)
    ex = next(e for e in data["exercises"] if e["id"] == exercise_id)
    c = next(c for c in ex["cases"] if c["id"] == case_id)
    loaded = _Loaded(folder / c["file"])
    expected = transfer.decode(c["expected"], loaded.group("expected"))
    truth = transfer.decode(c["truth"], loaded.group("truth"))
    mistakes = {mid: None if described is None else transfer.decode(described, loaded.group(f"mistake.{mid}"))
                for mid, described in c["mistakes"].items()}
    return expected, truth, mistakes


__all__ = ["FixtureError", "load", "stored", "verify", "write", "CaseEnv"]
