"""Stored reference outputs for a student bundle: the visible cases only, no reference code.

A fixture folder holds ``assignment.json`` (the exercises and their visible cases as plain data),
one safetensors file per case and ``manifest.json`` with a SHA-256 per file, checked before anything is used.
A case's file holds its inputs, the reference's outputs, the catalogued mistakes' outputs, and what the
repository would otherwise compute like the reference to explain a failure there: the candidates of every
counterfactual probe (grader.diagnose.Counterfactual) and what a dropout case's output is built from
(grader.spec.DropoutModel's prepare). The code that only reads outputs ships as source (the assignment's judges
and its other probes, ``code.<module>.py``), so that a bundle reports on its visible cases what the repository
does: the same statuses, scores, mistakes and diagnoses (tools/parity.py checks it in CI).
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

from grader import diagnose
from grader.dropout import DropoutModel
from grader.sandbox import transfer
from grader.spec import Assignment, Case, CaseEnv, Exercise, Mistake, Property, PropertyKind

FORMAT = "nlp-grader/fixtures/v2"


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
                # what the reference needed: a bundle's time limit derives from it too (fitting a model takes seconds)
                "seconds": round(prepared.seconds, 3),
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
            record["counterfactuals"] = _write_counterfactuals(exercise, case, prepared, tensors)
            record["dropout_fit"] = _write_dropout_fit(exercise, case, prepared.inputs, tensors)
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
            "probes": [{"replay": True, "key": p.key} if isinstance(p, diagnose.Counterfactual) else _code_ref(exercise, p)
                       for p in exercise.probes],
        })
    judges = _write_code(spec, folder)
    (folder / "assignment.json").write_text(json.dumps({
        "format": FORMAT, "name": spec.name, "title": spec.title, "files": list(spec.files),
        "salt": reference.salt, "exercises": exercises,
        "messages": {lang: dict(texts) for lang, texts in spec.messages.items()}, "code": judges},
        indent=1), encoding="utf-8")
    files = sorted(p.name for p in folder.iterdir() if p.is_file() and p.name != "manifest.json")
    (folder / "manifest.json").write_text(json.dumps(
        {"format": FORMAT, "files": {name: _sha256(folder / name) for name in files}}, indent=1), encoding="utf-8")


def _code_ref(exercise: Exercise, probe: Any) -> dict[str, Any]:
    try:
        return diagnose.code_ref(probe)
    except ValueError as exc:
        raise FixtureError(f"the exercise {exercise.id}: {exc}; a bundle ships probes by name") from None


def _write_counterfactuals(exercise: Exercise, case: Case, prepared: Any,
                           tensors: dict[str, torch.Tensor]) -> dict[str, list[dict[str, Any]]]:
    """Every counterfactual probe's candidates for this case, computed now (``cf.<probe>.<n>`` in the case's file):
    {probe index: [{"id", "params", "tensor"}]} in the probe's order."""
    view = diagnose.View(exercise, case, prepared.inputs, prepared.call_args, prepared.expected, prepared.expected,
                         prepared.truth)  # candidates never read the student's output: the expected one stands in
    out: dict[str, list[dict[str, Any]]] = {}
    for i, probe in enumerate(exercise.probes):
        if not isinstance(probe, diagnose.Counterfactual):
            continue
        listed = []
        for n, (finding, candidate) in enumerate(probe.computed(view)):
            name = f"cf.{i}.{n}"
            tensors[name] = candidate.detach().contiguous().clone()
            listed.append({"id": finding.id, "params": json.loads(json.dumps(dict(finding.params))), "tensor": name})
        out[str(i)] = listed
    return out


def _write_dropout_fit(exercise: Exercise, case: Case, inputs: dict[str, torch.Tensor],
                       tensors: dict[str, torch.Tensor]) -> dict[str, Any] | None:
    """What a dropout case's output is built from, computed now (``fit/<name>``), and the engine's solve by name."""
    if case.dropout_fit is None:
        return None
    if not isinstance(case.dropout_fit, DropoutModel):
        raise FixtureError(f"the case {exercise.id}/{case.id}: its dropout_fit must be a grader.spec.DropoutModel "
                           "(prepare, solve) for a bundle to judge it without the assignment's code")
    p = next((prop.p for prop in case.properties if prop.kind is PropertyKind.DROPOUT_TRAIN), None)
    if p is None or not 0.0 < p < 1.0:
        return None
    tensors.update(_prefixed("fit", case.dropout_fit.prepare(inputs, 1.0 / (1.0 - p))))
    return diagnose.code_ref(case.dropout_fit.solve)


def _write_code(spec: Assignment, folder: Path) -> dict[str, str]:
    """Copy the source of every module whose code a visible case uses (its judges, the exercise's probes that read
    outputs only) into the folder: {module name: file}. Such a module must be self-contained (torch, the standard
    library and the engine only): a bundle has no plug-in. Engine modules are in the bundle already."""
    modules = {p.judge.partition(":")[0] for e in spec.exercises for c in e.cases if not c.hidden
               for p in c.properties if p.judge}
    modules |= {diagnose.code_ref(p)["ref"].partition(":")[0] for e in spec.exercises for p in e.probes
                if not isinstance(p, diagnose.Counterfactual)}
    out = {}
    for name in sorted(m for m in modules if not _in_engine(m)):
        source = inspect.getsourcefile(importlib.import_module(name))
        if source is None:
            raise FixtureError(f"the module {name} has no source file to ship in a bundle")
        file = f"code.{name}.py"
        shutil.copyfile(source, folder / file)
        out[name] = file
    return out


def _in_engine(module: str) -> bool:
    """A module the bundle's own grader package has (not a plug-in's)."""
    return module.split(".")[0] == "grader" and not module.startswith("grader.builtin.")


def _load_code(folder: Path, modules: Any) -> None:
    """Import the modules a bundle ships under their own names (the plug-in itself is not installed)."""
    for name, file in dict(modules or {}).items():
        if name in sys.modules:
            continue
        path = folder / str(file)
        spec = importlib.util.spec_from_file_location(str(name), path)
        if spec is None or spec.loader is None or path.parent != folder:
            raise FixtureError(f"{folder}: the module {name} cannot be loaded from {file}")
        module = importlib.util.module_from_spec(spec)
        sys.modules[str(name)] = module
        try:
            spec.loader.exec_module(module)
        except Exception as exc:
            del sys.modules[str(name)]
            raise FixtureError(f"{folder}: the module {name} fails to import ({type(exc).__name__}: {exc})") from None


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
        start = prefix + "/"
        return {k[len(start):]: v for k, v in self._all().items() if k.startswith(start)}

    def tensor(self, name: str) -> torch.Tensor:
        return self._all()[name]

    def prepared(self, inputs: Any, scale: float) -> dict[str, torch.Tensor]:
        """A dropout case's ``prepare``: what was computed at release (for this case's p)."""
        return self.group("fit")

    def _all(self) -> dict[str, torch.Tensor]:
        if self._tensors is None:
            self._tensors = load_file(str(self.path))
        return self._tensors


def _replay(by_case: dict[str, list[tuple[diagnose.Finding, _Loaded, str]]], key: str) -> diagnose.Replay:
    """A counterfactual probe's stored candidates, read from each case's file when first compared."""

    def stored(case_id: str) -> list[tuple[diagnose.Finding, torch.Tensor]]:
        return [(finding, loaded.tensor(name)) for finding, loaded, name in by_case.get(case_id, [])]

    return diagnose.Replay(stored, key)


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
    _load_code(folder, data.get("code"))
    exercises = []
    for ex in data["exercises"]:
        cases = []
        replays: dict[int, dict[str, list[tuple[diagnose.Finding, _Loaded, str]]]] = {}
        for c in ex["cases"]:
            loaded = _Loaded(folder / c["file"])
            fit = c.get("dropout_fit")
            cases.append(Case.from_wire(
                c["args"], id=c["id"], driver=c["driver"], make=loaded.inputs,
                hidden=False, device=c["device"], compare=tuple(c["compare"]),
                properties=tuple(Property(**p) for p in c["properties"]),
                dropout_fit=None if fit is None else DropoutModel(loaded.prepared, diagnose.from_ref(fit)),
            ))
            for index, listed in (c.get("counterfactuals") or {}).items():
                replays.setdefault(int(index), {})[c["id"]] = [
                    (diagnose.Finding(str(f["id"]), dict(f["params"])), loaded, str(f["tensor"])) for f in listed]
        probes = tuple(_replay(replays.get(i, {}), str(p.get("key", "out"))) if p.get("replay") else diagnose.from_ref(p)
                       for i, p in enumerate(ex.get("probes", [])))
        exercises.append(Exercise(
            id=ex["id"], file=ex["file"], task=ex["task"], points=ex["points"], kind=ex["kind"], cases=tuple(cases),
            depends_on=tuple(ex["depends_on"]), forbidden=tuple(ex["forbidden"]),
            mistakes=tuple(Mistake(m, impl=_no_code) for m in ex["mistakes"]),
            outputs={str(k): str(v) for k, v in ex.get("outputs", {}).items()}, probes=probes,
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


def stored_seconds(folder: Path, exercise_id: str, case_id: str) -> float:
    """What the reference needed for one case when the bundle was made (0 for a bundle made before it was stored)."""
    ex = next(e for e in _described(folder)["exercises"] if e["id"] == exercise_id)
    return float(next(c for c in ex["cases"] if c["id"] == case_id).get("seconds", 0.0))
