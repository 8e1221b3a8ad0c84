"""The engine's shape (ARCHITECTURE.md): no import cycle among grader's modules, counting imports inside functions;
the layers of pyproject.toml's [tool.importlinter] hold; no engine module grows past one job's size."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import grimp
import pytest

ROOT = Path(__file__).resolve().parent.parent
MAX_LINES = 600
LONGER = {"grader/static.py", "grader/sandbox/isolate.py"}
"""One sectioned job each (the static scan; the sandbox's walls): allowed past MAX_LINES."""


def _cycles(graph: grimp.ImportGraph) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan), iteratively."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for start in sorted(graph.modules):
        if start in index:
            continue
        work = [(start, iter(sorted(graph.find_modules_directly_imported_by(start))))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.find_modules_directly_imported_by(child)))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_no_import_cycle_among_the_grader_modules():
    graph = grimp.build_graph("grader", include_external_packages=False)  # imports inside functions count too
    assert _cycles(graph) == []


def test_the_cycle_finder_finds_a_cycle():
    graph = grimp.ImportGraph()
    for name in ("p", "p.a", "p.b", "p.c"):
        graph.add_module(name)
    graph.add_import(importer="p.a", imported="p.b")
    graph.add_import(importer="p.b", imported="p.a")
    graph.add_import(importer="p.c", imported="p.a")
    assert _cycles(graph) == [["p.a", "p.b"]]


def test_the_layer_contracts_hold():
    lint = Path(sys.executable).with_name("lint-imports")
    if not lint.exists():
        pytest.fail("lint-imports is missing: pip install -e '.[dev]'")
    done = subprocess.run([str(lint), "--config", str(ROOT / "pyproject.toml")], cwd=ROOT, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    assert "0 broken" in done.stdout


def test_no_engine_module_is_over_600_lines():
    """The plug-ins (grader/builtin) and the message catalogs are data and texts, not engine."""
    too_long = {}
    for path in sorted((ROOT / "grader").rglob("*.py")):
        rel = path.relative_to(ROOT).as_posix()
        if rel.startswith(("grader/builtin/", "grader/messages/")) or rel in LONGER:
            continue
        lines = path.read_text(encoding="utf-8").count("\n")
        if lines > MAX_LINES:
            too_long[rel] = lines
    assert too_long == {}


def test_the_grade_command_imports_torch_only_after_the_fork_server_starts():
    """`grade check` starts the fork server and only then imports torch, so the two imports run side by side
    (issue 23). Any module the command imports at the top that pulls torch in (a type import of grader.spec at
    run time, say) puts them back in a row: about a second and a half on every check."""
    code = "import sys, grader.cli; print(sorted(m for m in sys.modules if m == 'torch' or m.startswith('torch.')))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]", done.stdout[:300]


@pytest.mark.parametrize("args, starts", [
    ([], True), (["."], True), (["assignments/transformer", "--lang", "ko"], True), (["--lang", "ko"], True),
    (["check", ".", "--hidden"], True), (["batch", "subs", "--assignment", "transformer", "--output", "o"], True),
    (["quiz", "--assignment", "transformer"], False), (["list"], False), (["report", "out"], False),
    (["export", "gradescope"], False), (["check", "--help"], False), (["--version"], False), (["help"], False),
])
def test_the_grade_command_starts_the_fork_server_first_only_when_it_grades(args, starts):
    """grader.__main__ starts the fork server before importing the command (issue 23): its torch import then runs
    beside everything the command does first; a command that runs no student code starts none."""
    from grader.__main__ import grades

    assert grades(args) is starts


def test_the_fork_server_module_imports_nothing_heavy():
    """What grader.__main__ imports before the server starts: no torch, no click, no rich."""
    code = ("import sys, grader.sandbox.forkserver; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('torch', 'click', 'rich', 'numpy')))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]", done.stdout[:300]


@pytest.mark.parametrize("name", ["transformer", "pretraining", "seq2seq", "training"])
def test_the_code_a_bundle_ships_imports_no_plug_in(name):
    """A bundle ships its assignment's judges and output-reading probes as single files and no plug-in
    (grader.fixtures._write_code): such a module may import torch, the standard library and the engine, never its
    own plug-in's other modules (the training judge once read its band from a sibling module: every installed
    bundle failed the training case with ModuleNotFoundError)."""
    import ast
    import importlib
    import inspect

    from grader import diagnose, fixtures, specs

    spec = specs.get(name)
    modules = {p.judge.partition(":")[0] for e in spec.exercises for c in e.cases if not c.hidden
               for p in c.properties if p.judge}
    modules |= {diagnose.code_ref(p)["ref"].partition(":")[0] for e in spec.exercises for p in e.probes
                if not isinstance(p, diagnose.Counterfactual)}
    shipped = sorted(m for m in modules if not fixtures._in_engine(m))
    bad = {}
    for module in shipped:
        tree = ast.parse(inspect.getsource(importlib.import_module(module)))
        for node in ast.walk(tree):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [("." * node.level) + (node.module or "")] if isinstance(node, ast.ImportFrom) else []
            bad.update({f"{module}:{node.lineno}": n for n in names
                        if n.startswith(".") or (n.startswith("grader.") and not fixtures._in_engine(n))})
    assert bad == {}, bad
