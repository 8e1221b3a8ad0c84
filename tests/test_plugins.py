"""Assignments are plug-ins: found through entry points, specs checked when defined, engine free of their names."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest
import torch

from grader import specs
from grader.spec import (
    Assignment,
    Call,
    Case,
    Driver,
    Exercise,
    Gen,
    In,
    Kind,
    Lit,
    Property,
    PropertyKind,
    SpecError,
)

ROOT = Path(__file__).resolve().parents[1]
GRADE = [sys.executable, "-m", "grader"]
EXAMPLE = ROOT / "examples" / "plugin-assignment"


def _inputs(env):
    return {"x": torch.randn(2, 3, generator=env.gen)}


def _case(**kw):
    fields = {"id": "c", "driver": Driver.CALL, "make": _inputs, "call": Call((In("x"),))}
    fields.update(kw)
    return Case(**fields)


def _exercise(*cases, **kw):
    fields = {"id": "f", "file": "f.py", "task": 1, "points": 1, "kind": Kind.FUNCTION, "cases": cases}
    fields.update(kw)
    return Exercise(**fields)


# --- a spec is checked when it is defined ------------------------------------------------------------

@pytest.mark.parametrize("make,where,field", [
    (lambda: _exercise(_case(driver="shuffle")), "case 'c'", "driver"),
    (lambda: _exercise(_case(driver=Driver.GRAD)), "exercise 'f', case 'c'", "grad_wrt"),
    (lambda: _exercise(_case(driver=Driver.GRAD, grad_wrt=("y",))), "exercise 'f', case 'c'", "grad_wrt"),
    (lambda: _exercise(_case(call=None, init=Call(), forward=Call())), "exercise 'f', case 'c'", "call"),
    (lambda: _exercise(_case(), kind=Kind.MODULE), "exercise 'f', case 'c'", "init"),
    (lambda: _exercise(_case(call=Call((Lit(object()),)))), "exercise 'f', case 'c'", "call"),
    (lambda: _exercise(_case(driver=Driver.DRAWS, draws=10)), "exercise 'f', case 'c'", "call"),
    (lambda: _exercise(_case(properties=(Property(PropertyKind.GRADIENTS),))), "exercise 'f', case 'c'", "properties"),
    (lambda: _exercise(_case(properties=(Property("sums_to_two"),))), "property", "kind"),
    (lambda: _exercise(_case(compare=(), properties=(Property(PropertyKind.JUDGE, judge="no.such.module:f", name="j"),))),
     "exercise 'f', case 'c'", "properties"),
    (lambda: _exercise(_case(), _case()), "exercise 'f', case 'c'", "id"),
    (lambda: _exercise(_case(hidden=True)), "exercise 'f'", "cases"),
    (lambda: _exercise(_case(), points=0), "exercise 'f'", "points"),
    (lambda: _exercise(_case(), file="f.txt"), "exercise 'f'", "file"),
    (lambda: Assignment("x", "X", (_exercise(_case()),), None, files=("g.py",)), "assignment 'x', exercise 'f'", "file"),
    (lambda: Assignment("x", "X", (_exercise(_case(), depends_on=("g",)),), None, files=("f.py",)),
     "assignment 'x', exercise 'f'", "depends_on"),
])
def test_a_wrong_spec_names_the_exercise_case_and_field(make, where, field):
    with pytest.raises(SpecError) as info:
        make()
    assert info.value.where.startswith(where) and info.value.field == field, str(info.value)
    assert f"field {field!r}" in str(info.value)


def test_a_right_spec_is_accepted_and_its_call_crosses_the_boundary_as_json():
    case = _case(driver=Driver.DRAWS, draws=3, call=Call((In("x"),), {"generator": Gen(), "p": Lit(0.5)}), compare=(),
                 properties=(Property(PropertyKind.JUDGE, judge="grader.checks:_judge", name="rate"),))
    exercise = _exercise(case)
    wire = exercise.cases[0].args
    assert json.loads(json.dumps(wire)) == wire == {"call": [["t", "x"]], "call_kw": {"generator": ["gen"], "p": ["v", 0.5]},
                                                    "draws": 3}
    assert Case.from_wire(wire, id="c", driver="draws", make=_inputs).call == case.call
    assert case.literals() == {"p": 0.5}


# --- the engine finds assignments through entry points and names none of them --------------------------

def test_built_in_assignments_register_through_the_entry_point_group():
    registered = {ep.name for ep in metadata.entry_points(group=specs.GROUP)}
    assert {"transformer", "pretraining"} <= registered
    assert registered <= set(specs.names())
    assert all(specs.REGISTRY[name].origin.startswith("grader.builtin.") for name in ("transformer", "pretraining"))


def _engine_files():
    for path in sorted((ROOT / "grader").rglob("*.py")):
        if "builtin" not in path.relative_to(ROOT / "grader").parts:
            yield path


def test_no_engine_module_names_an_assignment_an_exercise_or_a_mistake():
    """Outside the assignments' own packages, no file of the grader names one of them, an exercise or a mistake.
    A name that torch itself defines (torch.nn.functional.scaled_dot_product_attention, which an exercise may
    forbid) is torch's, not the exercise's."""
    names = set()
    for name in specs.names():
        names.add(name)
        for exercise in specs.get(name).exercises:
            names.add(exercise.id)
            names.update(m.id for m in exercise.mistakes)
        names.update(k.split(".", 1)[1] for k in specs.messages(name).get("en", {}) if k.startswith(("mistake.", "diagnosis.")))
    torch_names = {n for n in names if any(hasattr(m, n) for m in (torch, torch.nn, torch.nn.functional))}
    names -= torch_names
    assert {"transformer", "masked_softmax", "mlm_mask_tokens"} <= names
    pattern = re.compile(r"(?<![\w.])(" + "|".join(map(re.escape, sorted(names, key=len, reverse=True))) + r")(?!\w)")
    found = [f"{path.relative_to(ROOT)}:{i}: {m.group(1)}" for path in _engine_files()
             for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) for m in pattern.finditer(line)]
    assert not found, found
    assert len(list(_engine_files())) > 40  # the walk found the engine


def _fake_distribution(site: Path, name: str, module: str, source: str) -> None:
    info = site / f"{name}-0.1.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text(f"[nlp_grader.assignments]\n{name} = {module}\n")
    (site / f"{module}.py").write_text(source)


def _run(*args, site: Path, cwd: Path = ROOT):
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(site), str(ROOT)]), "GRADER_LANG": "en"}
    return subprocess.run([*GRADE, *args], capture_output=True, text=True, env=env, cwd=cwd, timeout=300)


def test_a_broken_plug_in_is_named_and_never_hides_the_others(tmp_path):
    _fake_distribution(tmp_path, "broken", "broken_plugin", "raise ImportError('a missing dependency')\n")
    _fake_distribution(tmp_path, "badspec", "badspec_plugin", """
import torch
from grader.spec import Assignment, Call, Case, Driver, Exercise, In, Kind
def assignment():
    case = Case("c", Driver.GRAD, lambda env: {"x": torch.ones(2)}, Call((In("x"),)))
    return Assignment("badspec", "Bad", (Exercise("f", "f.py", 1, 1, Kind.FUNCTION, (case,)),), None, ("f.py",))
""")
    listed = _run("list", site=tmp_path)
    said = " ".join(listed.stderr.split())  # as a person reads it, whatever the terminal's width
    assert listed.returncode == 0, listed.stderr
    assert "transformer:" in listed.stdout and "pretraining:" in listed.stdout
    assert "the assignment broken cannot be loaded" in said and "a missing dependency" in said
    assert "exercise 'f', case 'c', field 'grad_wrt'" in said
    checked = _run("check", str(tmp_path), "--assignment", "badspec", site=tmp_path)
    said = " ".join(checked.stderr.split())
    assert checked.returncode == 2 and "field 'grad_wrt'" in said and "Traceback" not in said


def test_a_third_party_assignment_installs_beside_the_grader_and_grades(tmp_path):
    """examples/plugin-assignment, really installed with pip (into a folder on the path, no dependencies), is listed
    and graded; the engine has no file that names it."""
    site = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation",
                    "--target", str(site), str(EXAMPLE)], check=True, capture_output=True, timeout=300)
    listed = _run("list", "--assignment", "layernorm", site=site)
    assert listed.returncode == 0 and "layernorm: Layer normalisation (10 points)" in listed.stdout, listed.stderr
    solution = _run("check", str(EXAMPLE / "nlp_grader_layernorm" / "solution"), "--assignment", "layernorm",
                    "--hidden", "--format", "json", site=site)
    assert solution.returncode == 0, solution.stderr
    assert json.loads(solution.stdout)["score"] == 10
    stub = _run("check", "--format", "json", site=site, cwd=EXAMPLE / "nlp_grader_layernorm" / "stubs")
    assert stub.returncode == 1 and {e["status"] for e in json.loads(stub.stdout)["exercises"]} == {"not_attempted"}
    wrong = tmp_path / "wrong"
    wrong.mkdir()
    (wrong / "norm.py").write_text("import torch\ndef layer_norm(x, eps=1e-5):\n"
                                   "    return (x - x.mean(-1, keepdim=True)) / torch.sqrt(x.var(-1, keepdim=True) + eps)\n")
    named = _run("check", str(wrong), "--assignment", "layernorm", "--format", "json", "--lang", "ko", site=site)
    result = json.loads(named.stdout)
    assert result["score"] == 0 and result["exercises"][0]["mistakes"][0]["id"] == "layernorm_unbiased_variance"
    assert not any("layernorm" in path.read_text(encoding="utf-8") for path in _engine_files())
