"""Notebooks without a kernel: .ipynb submissions (grade check, grade batch), how cells become the assignment's
files, grader.check's result object, the renderer registry and the HTML report. The real Jupyter kernel runs in
tests/test_notebook_kernel.py."""

from __future__ import annotations

import json
import re
import shutil
import sys
import zipfile
from pathlib import Path

import nbformat
import pytest
from click.testing import CliRunner
from conftest import ROOT, SOLUTIONS, STUBS

from grader import api, batch, cli, notebook, release, report
from grader.cells import Cell, collect, python_source, write_files
from grader.results import Status

FILES = ("positional.py", "attention.py", "multihead.py", "layers.py")
MASK_IGNORED = ("attention.py", "    if mask is None:\n        return torch.softmax(scores, dim=dim)\n",
                "    return torch.softmax(scores, dim=dim)  # the mask is ignored\n")

POLARITY_INVERTED = (("attention.py", "filled = scores.masked_fill(~mask, lowest)", "filled = scores.masked_fill(mask, lowest)"),
                     ("attention.py", "return weights.masked_fill(~mask, 0.0)", "return weights.masked_fill(mask, 0.0)"))


def solution_cells(*edits: tuple[str, str, str]) -> list[str]:
    """The reference solution as a student's notebook would hold it: one cell per file, the relative imports
    (sibling modules) gone, since a notebook has one namespace."""
    cells = []
    for file in FILES:
        text = (SOLUTIONS / file).read_text(encoding="utf-8")
        for f, old, new in edits:
            if f == file:
                assert old in text
                text = text.replace(old, new, 1)
        cells.append(re.sub(r"^from \.\w+ import .*$", "", text, flags=re.M))
    return cells


def write_notebook(path: Path, sources: list[str], *, markdown: str = "# My transformer") -> Path:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell(markdown), *(nbformat.v4.new_code_cell(s) for s in sources)]
    path.write_text(json.dumps(nb, ensure_ascii=True))  # as nbformat writes it, and any string JSON can hold
    return path


def as_folder(path: Path, *edits: tuple[str, str, str]) -> Path:
    """The same code as .py files: the reference solution with the same edits."""
    shutil.copytree(SOLUTIONS, path, ignore=shutil.ignore_patterns("__pycache__"))
    for file, old, new in edits:
        target = path / file
        target.write_text(target.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")
    return path


def grade_json(*args: str) -> tuple[int, dict]:
    result = CliRunner().invoke(cli.main, ["check", *args, "--format", "json", "--lang", "en"], catch_exceptions=False)
    return result.exit_code, json.loads(result.output)


def scores(data: dict) -> dict[str, tuple[float, str]]:
    return {e["id"]: (e["score"], e["status"]) for e in data["exercises"]}


# --- cells to files ---------------------------------------------------------------------------------

def test_shell_and_magic_lines_are_left_out_line_for_line():
    source = "!pip install x\n%matplotlib inline\ndef f():\n    %time g()\n    return 1\n"
    assert python_source(source) == "pass\npass\ndef f():\n    pass\n    return 1\n"
    assert python_source("%%writefile attention.py\ndef f(): pass\n") is None
    assert python_source("%%time\nx = 1\n") == "\nx = 1\n"


def test_the_last_definition_wins_and_only_what_an_exercise_reaches_is_written(tmp_path, assignment):
    cells = [
        Cell("1", "import torch\nimport numpy as np\nLOWEST = -1e9\n"),
        Cell("2", "def masked_softmax(scores, mask=None, dim=-1):\n    raise NotImplementedError\n"),
        Cell("3", "def _fill(scores, mask):\n    return scores.masked_fill(~mask, LOWEST)\n\n"
                  "def masked_softmax(scores, mask=None, dim=-1):\n    out = torch.softmax(scores if mask is None "
                  "else _fill(scores, mask), dim=dim)\n    return out if mask is None else out.masked_fill(~mask, 0.0)\n"),
        # a student's try-out at the top level: `out` is also a local name above, and must not be pulled in
        Cell("4", "out = masked_softmax(torch.randn(2, 3))\nprint(out)\n"),
        Cell("5", "def scaled_dot_product_attention(q, k, v, mask=None):\n"
                  "    w = masked_softmax(q @ k.transpose(-2, -1) / q.size(-1) ** 0.5, mask)\n    return w @ v, w\n"),
        Cell("6", "class MultiHeadAttention(torch.nn.Module):\n    def forward(self, x):\n"
                  "        return scaled_dot_product_attention(x, x, x)[0]\n"),
    ]
    defs = collect(cells)
    written = write_files(defs, assignment, tmp_path, "mine.ipynb")
    attention = (tmp_path / "attention.py").read_text()
    assert attention.count("def masked_softmax") == 1 and "raise NotImplementedError" not in attention
    assert "def _fill" in attention and "LOWEST = -1e9" in attention and "import torch" in attention
    assert "numpy" not in attention and "print(out)" not in attention and "out = masked_softmax" not in attention
    assert "# cell 3, line 4" in attention  # each definition under the cell it came from
    multihead = (tmp_path / "multihead.py").read_text()
    assert "from .attention import scaled_dot_product_attention" in multihead  # another file's exercise: imported
    assert "def scaled_dot_product_attention" not in multihead
    assert written.exercises["attention.py"] == ["masked_softmax", "scaled_dot_product_attention"]
    assert written.exercises["positional.py"] == [] and (tmp_path / "positional.py").is_file()


def test_what_a_class_needs_as_it_is_defined_comes_first_whatever_the_cell_order(tmp_path, assignment):
    cells = [Cell("1", "import torch\nfrom torch import nn"),
             Cell("2", "class Base(nn.Module):\n    pass\n"),
             Cell("3", "class PositionwiseFeedForward(Base):\n    SCALE = FACTOR\n"
                       "    def forward(self, x):\n        return x * LATER\n"),
             Cell("4", "class Base(nn.Module):  # fixed later\n    def extra(self):\n        return 1\n"),
             Cell("5", "FACTOR = 2\nLATER = 3\n")]
    write_files(collect(cells), assignment, tmp_path, "order.ipynb")
    source = (tmp_path / "layers.py").read_text()
    namespace: dict = {}
    exec(compile(source, "layers.py", "exec"), namespace)  # the test's own code: it defines classes, nothing else
    assert namespace["PositionwiseFeedForward"].__mro__[1] is namespace["Base"] and namespace["Base"]().extra() == 1
    assert source.index("class Base") < source.index("class PositionwiseFeedForward")


@pytest.mark.parametrize("cell", [
    "def masked_softmax(x):\n    return x\x00\n",                    # a NUL byte
    "x = " + "(" * 300 + "1" + ")" * 300 + "\n",                          # nesting the parser refuses
    "def masked_softmax(s, mask=None, dim=-1):\n    return '\ud800'\n",  # a lone surrogate
    "def masked_softmax(s, mask=None, dim=-1):\n    t = 'a\u2028b\x0cc'\n    return s.softmax(dim)\n",
])
def test_hostile_cells_are_reported_or_graded_never_a_grader_fault(tmp_path, cell):
    path = write_notebook(tmp_path / "hostile.ipynb", ["import torch", cell])
    result = CliRunner().invoke(cli.main, ["check", str(path), "--exercise", "masked_softmax", "--format", "json"])
    assert result.exit_code in (0, 1), result.output
    data = json.loads(result.output)
    assert data["exercises"][0]["status"] in ("missing", "failed", "error", "passed")


def test_a_cell_that_does_not_parse_is_reported_with_its_number_and_line(tmp_path):
    sources = solution_cells()
    sources[1] = sources[1].replace("def causal_mask(size: int", "def causal_mask(size: int,,", 1)
    path = write_notebook(tmp_path / "broken.ipynb", sources)
    code, data = grade_json(str(path), "--exercise", "causal_mask", "--exercise", "padding_mask")
    assert code == 1
    by_id = {e["id"]: e for e in data["exercises"]}
    assert by_id["causal_mask"]["status"] == "missing" and by_id["padding_mask"]["status"] == "missing"
    line = sources[1].splitlines().index(next(x for x in sources[1].splitlines() if ",," in x)) + 1
    notes = [n for n in by_id["causal_mask"]["notes"] if n["code"] == "notebook.cell_syntax"]
    assert notes and f"cell 3, line {line}" in notes[0]["message"], by_id["causal_mask"]["notes"]
    korean = CliRunner().invoke(cli.main, ["check", str(path), "--exercise", "causal_mask", "--lang", "ko"])
    assert f"셀 3의 {line}번째 줄" in korean.output


def test_a_notebook_scores_as_the_same_code_in_files(tmp_path):
    path = write_notebook(tmp_path / "alice.ipynb", ["!pip install nothing\n%load_ext autoreload", *solution_cells(MASK_IGNORED)])
    code_nb, from_notebook = grade_json(str(path), "--hidden")
    code_py, from_files = grade_json(str(as_folder(tmp_path / "files", MASK_IGNORED)), "--assignment", "transformer",
                                     "--hidden")
    assert scores(from_notebook) == scores(from_files)
    assert from_notebook["score"] == from_files["score"] < from_files["max_score"] and code_nb == code_py == 1
    assert scores(from_notebook)["masked_softmax"][1] == "failed"
    assert scores(from_notebook)["sinusoidal_positional_encoding"] == (8, "passed")


def test_batch_grades_notebooks_beside_folders_and_zips(tmp_path):
    subs = tmp_path / "subs"
    subs.mkdir()
    write_notebook(subs / "alice.ipynb", solution_cells(MASK_IGNORED))
    as_folder(subs / "bob", MASK_IGNORED)
    carol = write_notebook(tmp_path / "carol.ipynb", solution_cells())
    with zipfile.ZipFile(subs / "carol.zip", "w") as zf:  # a zip that holds notebooks (and nothing else)
        zf.write(carol, "work/transformer.ipynb")
        zf.writestr("work/scratch.ipynb", json.dumps(nbformat.v4.new_notebook()))  # named after no assignment
    out = tmp_path / "out"
    report_ = batch.run(subs, assignment="transformer", output=out, workers=1, hidden=False,
                        exercises=["masked_softmax", "causal_mask"])
    assert sorted(report_.graded) == ["alice", "bob", "carol"] and not report_.failed
    results = {n: json.loads((out / f"{n}.json").read_text()) for n in ("alice", "bob", "carol")}
    assert results["alice"]["score"] == results["bob"]["score"]
    assert scores(results["alice"]) == scores(results["bob"])
    assert results["carol"]["score"] == results["carol"]["max_score"] == 15


def test_quiz_answers_cell_is_graded_like_the_answers_file(tmp_path, assignment):
    from grader.quiz import bank as quiz_bank

    bank = quiz_bank.load(assignment.quiz)
    question = next(q for q in bank.questions if q.type == "single")
    toml = f'student = "s1"\n{question.id} = "{question.choices[0].id}"\n'
    cell = f'# quiz-answers\nQUIZ_ANSWERS = """\n{toml}"""\n'
    path = write_notebook(tmp_path / "quiz.ipynb", [cell, *solution_cells()[:1]])
    folder = as_folder(tmp_path / "files")
    (folder / "quiz-answers.toml").write_text(toml)
    _, from_notebook = grade_json(str(path), "--exercise", "sinusoidal_positional_encoding")
    _, from_file = grade_json(str(folder), "--assignment", "transformer", "--exercise", "sinusoidal_positional_encoding")
    assert from_notebook["quiz"]["questions"] == from_file["quiz"]["questions"]
    assert sum(q["status"] != "unanswered" for q in from_notebook["quiz"]["questions"]) == 1


def test_what_is_not_a_notebook_is_refused_with_a_reason(tmp_path):
    bad = tmp_path / "bad.ipynb"
    bad.write_text("{not json")
    result = CliRunner().invoke(cli.main, ["check", str(bad), "--lang", "en"])
    assert result.exit_code == 2 and "not a readable Jupyter notebook" in result.output
    for text in ('{"cells": 3, "metadata": [], "nbformat": 4, "nbformat_minor": 5}', '[1, 2]', '"text"',
                 '{"cells": ["x"], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}'):
        bad.write_text(text)
        result = CliRunner().invoke(cli.main, ["check", str(bad), "--lang", "en"])
        assert result.exit_code == 2 and "not a readable Jupyter notebook" in result.output, (text, result.output)
    link = tmp_path / "link.ipynb"
    link.symlink_to(write_notebook(tmp_path / "real.ipynb", solution_cells()))
    result = CliRunner().invoke(cli.main, ["check", str(link), "--lang", "en"])
    assert result.exit_code == 2 and "not a readable Jupyter notebook" in result.output


# --- grader.check's result, outside a kernel --------------------------------------------------------

def test_check_without_a_kernel_returns_a_result_and_never_raises_for_a_typo(capsys):
    cells = [Cell("In [1]", "import torch"), Cell("In [2]", solution_cells()[1])]
    namespace = {"torch": object(), "masked_softmax": object(), "causal_mask": object(), "math": object()}
    result = notebook.check("causal_mask", cells=cells, namespace=namespace, display=False, hidden=False)
    assert (result.score, result.max_score, result.passed) == (5, 5, True)
    assert [e.status for e in result.exercises] == [Status.PASSED] and result.exercises[0].status == "passed"
    assert "causal_mask" in result.html() and "<table" in result.html()
    # a definition the kernel no longer holds (del) is not graded, whatever the history says
    gone = notebook.check("masked_softmax", cells=cells, namespace={"torch": 1}, display=False, hidden=False)
    assert gone.exercises[0].status is Status.MISSING
    assert any(n.key == "notebook.not_defined" for n in gone.exercises[0].notes)
    typo = notebook.check("masked_sofmax", cells=cells, namespace=namespace, lang="en")
    assert typo.result is None and typo.score == 0 and not typo.passed and "masked_softmax" in typo.error
    assert "masked_softmax" in capsys.readouterr().out  # shown as text in a console


def test_a_traceback_names_the_cells_and_lines_of_the_notebook():
    cells = [Cell("In [1]", "import torch"),
             Cell("In [7]", "def helper(n):\n    x = torch.ones(n)\n    return x.tril()\n\n"
                            "def causal_mask(size, device=None):\n    return helper(size)\n")]
    result = notebook.check("causal_mask", cells=cells, namespace={"torch": 1, "helper": 1, "causal_mask": 1},
                            display=False, hidden=False)
    (exercise,) = result.exercises
    assert exercise.status is Status.ERROR
    traceback = next(ch.traceback for c in exercise.cases for ch in c.checks if ch.traceback)
    assert "cell In [7], line 6, in causal_mask" in traceback and "cell In [7], line 3, in helper" in traceback
    assert "attention.py" not in traceback


# --- renderers ----------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def failing_result(tmp_path_factory):
    folder = as_folder(tmp_path_factory.mktemp("r") / "sub", *POLARITY_INVERTED,
                       ("attention.py", "    d_k = q.size(-1)\n", "    d_k = q.size(-1)\n    print('<script>alert(1)</script>')\n"))
    return api.check(folder, assignment="transformer", hidden=True,
                     exercises=["masked_softmax", "scaled_dot_product_attention"])


def test_every_format_of_the_cli_is_a_renderer_of_the_registry(failing_result):
    option = next(p for p in cli.check.params if p.name == "fmt")
    assert tuple(option.type.choices) == report.FORMATS == tuple(report.RENDERERS)
    assert {"text", "json", "gradescope", "junit", "markdown", "html"} <= set(report.FORMATS)
    outputs = {fmt: report.render(fmt, failing_result, "en", report.Options(name="alice")) for fmt in report.FORMATS}
    assert json.loads(outputs["json"])["score"] == failing_result.score
    assert json.loads(outputs["gradescope"])["score"] == failing_result.score
    assert outputs["junit"].startswith("<?xml") and "masked_softmax" in outputs["junit"]
    assert outputs["markdown"].startswith("# alice") and "`masked_softmax`" in outputs["markdown"]
    assert "masked_softmax" in outputs["text"] and "\x1b[" not in outputs["text"]
    with pytest.raises(ValueError, match="html"):
        report.renderer("pdf")
    # what students see of a failing case (--feedback) reaches the renderers that show it to them
    summary = report.Options(name="alice", feedback="summary")
    assert "differ beyond the tolerance" in outputs["gradescope"] and "differ beyond the tolerance" in outputs["markdown"]
    for fmt in ("gradescope", "markdown"):
        assert "differ beyond the tolerance" not in report.render(fmt, failing_result, "en", summary)


def test_html_report_has_the_table_the_diagnosis_and_no_student_markup(failing_result):
    page = report.render("html", failing_result, "en")
    assert '<table class="ex">' in page and page.count("<tr><td><code>") == 2
    exercise = failing_result.exercises[0]
    failure = next(c for c in exercise.cases if c.status is not Status.PASSED).failure
    from grader.messages import render

    assert render(failure.message, "en").split(":")[0] in page  # the failing case's own message
    named = [*(render(d.message, "en") for d in getattr(exercise, "diagnoses", ())),
             *(render(f"mistake.{m.id}", "en") for m in exercise.mistakes)]
    assert named and any(_escaped(n) in page for n in named)  # the diagnosis (or the named mistake)
    korean = report.render("html", failing_result, "ko")
    assert "문제" in korean and "실패" in korean and '<div class="nlpg" lang="ko">' in korean


def test_html_report_escapes_every_text_a_student_controls():
    from grader.results import CaseResult, CheckResult, ExerciseResult, GradeResult, Message, MistakeMatch

    evil = '<script>alert(1)</script><img src=x onerror=alert(2)>"\x1b[31m'
    check = CheckResult("runs", False, Message("check.exception", {"type": evil}), traceback=evil)
    case = CaseResult(evil, False, Status.ERROR, (check,))
    exercise = ExerciseResult("masked_softmax", evil, 0, 10, Status.ERROR, (case,), (MistakeMatch("no_sqrt_dk", (evil,)),),
                              (Message("check.forbidden_call", {"name": evil, "file": evil, "line": 1}),))
    result = GradeResult("transformer", 0, 10, (exercise,), False, "cpu", "process", "0", output=evil)
    for lang in ("en", "ko"):
        page = report.render("html", result, lang, report.Options(title=evil, name=evil))
        assert "<script" not in page and "<img" not in page and "\x1b" not in page
        assert page.count("&lt;script&gt;") >= 6  # shown, escaped: output, traceback, case, file, note, title


def _escaped(text: str) -> str:
    import html

    return html.escape(text, quote=True)


# --- the handout ----------------------------------------------------------------------------------

def test_the_handout_notebook_is_what_the_stubs_make_and_ships_in_the_bundle(tmp_path, assignment):
    sys.path.insert(0, str(ROOT / "tools"))
    try:
        import make_handout
    finally:
        sys.path.remove(str(ROOT / "tools"))
    committed = nbformat.read(STUBS / "transformer.ipynb", as_version=4)
    nbformat.validate(committed)
    assert [c.source for c in committed.cells] == [c.source for c in make_handout.build("transformer").cells], \
        "the handout is out of date: python tools/make_handout.py transformer"
    sources = [c.source for c in committed.cells if c.cell_type == "code"]
    for e in assignment.exercises:  # a stub cell and a check cell per exercise
        assert any(s.startswith((f"def {e.id}(", f"class {e.id}(")) for s in sources)
        assert f'grader.check("{e.id}")' in sources
    text = "\n".join(c.source for c in committed.cells)
    assert re.search("[가-힣]", text) and "Korean" in text and 'find_spec("grader")' in sources[0]
    # each task's text once, as Markdown with its formulas in LaTeX; the stub cell keeps a one-line docstring
    notes = "\n".join(c.source for c in committed.cells if c.cell_type == "markdown")
    assert "```text" not in notes and "$$" in notes and r"\sqrt{d_{k}}" in notes and "*dimensions*" in notes
    assert "**Returns**" in notes and not any("Returns:" in s for s in sources)
    bundle = tmp_path / "bundle"
    release.release(assignment="transformer", output=bundle)
    assert (bundle / "transformer" / "transformer.ipynb").read_bytes() == (STUBS / "transformer.ipynb").read_bytes()
    assert "transformer/transformer.ipynb" in (bundle / "README.md").read_text()
