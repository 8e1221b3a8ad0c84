"""grader.check in a real Jupyter kernel (nbclient + ipykernel, the `dev` extra): a student's notebook in this
repository (hidden cases at hand), and the handout notebook run top to bottom with only the student bundle
installed. One kernel per scenario: a kernel start takes seconds."""

from __future__ import annotations

import json
import re
import shutil
import textwrap
from pathlib import Path

import nbformat
import pytest
from conftest import SOLUTIONS, STUBS
from nbclient import NotebookClient

from grader import api, release
from grader.messages import render

CORRECT = '''
LOWEST = torch.finfo(torch.float64).min

def _fill(scores, mask):
    return scores.masked_fill(~mask, max(LOWEST, torch.finfo(scores.dtype).min))

def masked_softmax(scores, mask=None, dim=-1):
    if mask is None:
        return torch.softmax(scores, dim=dim)
    return torch.softmax(_fill(scores, mask), dim=dim).masked_fill(~mask, 0.0)
'''
MASK_IGNORED = '''
def masked_softmax(scores, mask=None, dim=-1):
    return torch.softmax(scores, dim=dim)  # the mask is ignored
'''
BROKEN = '''
def causal_mask(size, device=None):
    return torch.ones(size, device=device).tril()  # 1-D: tril raises
'''
REPORT = ('print("RESULT", json.dumps({"score": r.score, "max": r.max_score, "passed": r.passed, '
          '"status": [e.status.value for e in r.exercises]}))')


def execute(cells: list[str], cwd: Path, timeout: int = 240) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(textwrap.dedent(c).strip()) for c in cells]
    return run(nb, cwd, timeout)


def run(nb: nbformat.NotebookNode, cwd: Path, timeout: int = 240) -> nbformat.NotebookNode:
    # a cell that raises fails the test (CellExecutionError): grader.check must never raise
    NotebookClient(nb, timeout=timeout, kernel_name="python3", resources={"metadata": {"path": str(cwd)}}).execute()
    return nb


def printed(cell: nbformat.NotebookNode) -> dict:
    text = "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream")
    match = re.search(r"^RESULT (.*)$", text, re.M)
    assert match, text
    return json.loads(match.group(1))


def html_of(cell: nbformat.NotebookNode) -> list[str]:
    return [o.data["text/html"] for o in cell.outputs if o.output_type in ("display_data", "execute_result")
            and "text/html" in o.get("data", {})]


def test_a_students_notebook_in_a_kernel(tmp_path, monkeypatch):
    monkeypatch.setenv("GRADER_LANG", "en")
    nb = execute([
        "import json\nimport torch\nimport grader",
        CORRECT,
        'r = grader.check("masked_softmax")\n' + REPORT,
        MASK_IGNORED,
        'r = grader.check("masked_softmax")\n' + REPORT,
        'grader.check("masked_softmax", lang="ko")',  # the cell's value: shown once, not twice
        BROKEN,
        'r2 = grader.check("causal_mask", display=False)\nr = r2\n' + REPORT,
        "r2",  # a result shown again in a later cell
    ], tmp_path)
    correct, wrong, broken = printed(nb.cells[2]), printed(nb.cells[4]), printed(nb.cells[7])
    assert correct == {"score": correct["max"], "max": 10, "passed": True, "status": ["passed"]}
    assert wrong["score"] < wrong["max"] and not wrong["passed"] and wrong["status"] == ["failed"]
    assert broken["score"] == 0 and broken["status"] == ["error"]

    # the HTML report: the exercise table, the failing case and the diagnosis the same code gets from grade check
    (page,) = html_of(nb.cells[4])
    assert '<table class="ex">' in page and "<code>masked_softmax</code>" in page
    folder = tmp_path / "same"
    shutil.copytree(SOLUTIONS, folder, ignore=shutil.ignore_patterns("__pycache__"))
    attention = folder / "attention.py"
    attention.write_text(attention.read_text().replace(
        "    if mask is None:\n        return torch.softmax(scores, dim=dim)\n", "    return torch.softmax(scores, dim=dim)\n", 1))
    same = api.check(folder, assignment="transformer", hidden=True, exercises=["masked_softmax"]).exercises[0]
    named = [render(d.message, "en") for d in getattr(same, "diagnoses", ())]
    named += [render(f"mistake.{m.id}", "en") for m in same.mistakes]
    assert named, "the grader names nothing for an ignored mask: the test would be vacuous"
    import html

    for text in named:
        assert html.escape(text, quote=True) in page

    (korean,) = html_of(nb.cells[5])
    assert 'lang="ko"' in korean and "문제" in korean and "실패" in korean and "exercise" not in korean
    assert len(html_of(nb.cells[8])) == 1  # displayed when asked in a later cell
    assert not any(o.output_type == "error" for c in nb.cells if c.cell_type == "code" for o in c.outputs)


@pytest.fixture(scope="module")
def bundle(tmp_path_factory):
    out = tmp_path_factory.mktemp("release") / "bundle"
    release.release(assignment="transformer", output=out)
    return out


def test_the_handout_runs_top_to_bottom_with_only_the_bundle(bundle, tmp_path, monkeypatch):
    monkeypatch.setenv("PYTHONPATH", str(bundle))  # the kernel imports the bundle's grader, not this repository's
    monkeypatch.setenv("GRADER_LANG", "en")
    work = tmp_path / "colab"
    work.mkdir()
    nb = nbformat.read(bundle / "transformer" / "transformer.ipynb", as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(
        "import json\nr = grader.check(display=False)\n" + REPORT + "\nprint('FROM', grader.__file__)"))
    run(nb, work, timeout=400)
    assert not any(o.output_type == "error" for c in nb.cells if c.cell_type == "code" for o in c.outputs)
    final = printed(nb.cells[-1])
    assert final["score"] == 0 and final["max"] == 100 and set(final["status"]) == {"not_attempted"}
    source = "".join(o.get("text", "") for o in nb.cells[-1].outputs if o.output_type == "stream")
    assert f"FROM {bundle}" in source
    checks = [c for c in nb.cells if c.cell_type == "code" and c.source.startswith("grader.check(")]
    assert len(checks) == 12 and all(len(html_of(c)) == 1 for c in checks)
    last = html_of(checks[-1])[0]
    assert render("html.visible_only", "en") in last  # a bundle runs the visible cases only, and says so
    assert not any(work.iterdir()), "grader.check wrote into the student's folder"
    assert (STUBS / "transformer.ipynb").read_bytes() == (bundle / "transformer" / "transformer.ipynb").read_bytes()
