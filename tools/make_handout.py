"""Write the handout notebook of an assignment from its stubs: ``python tools/make_handout.py transformer``.

The notebook (assignments/NAME/NAME.ipynb) has, in English and Korean: how to work in it, a first cell that
installs the grader where it is missing (Colab), an imports cell, then for each exercise its task once, as
Markdown (the stub's docstring, formulas in LaTeX between ``$$``), a stub cell (the code, its docstring cut to its
first line) and a check cell, the quiz-answers cell, and a last cell that
checks everything. tests/test_notebook.py checks that the committed notebook is what this script writes.
"""

from __future__ import annotations

import ast
import re
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

INTRO = """# {title}

**English.** Implement each function and class in its *stub cell* (replace `raise NotImplementedError`), run it,
then run the *check cell* under it: `grader.check("name")` grades what this notebook defines, in the grader's
sandbox, with the same cases and messages as `grade check`. Run the cells top to bottom; you may add cells with
helpers and tests of your own. Korean reports: `grader.check("name", lang="ko")`. Hand in this notebook
(`.ipynb`) as your instructor asks; your answers to the concept quiz go in the `quiz-answers` cell near the end.

**한국어.** 각 함수와 클래스를 *뼈대 코드 셀*에서 구현하고 (`raise NotImplementedError`를 바꾸세요) 실행한 뒤, 바로 아래의
*확인 셀*을 실행하세요. `grader.check("이름")`은 이 노트북에 정의된 코드를 채점기의 샌드박스에서 `grade check`와 같은
케이스와 메시지로 채점합니다. 셀은 위에서부터 차례로 실행하고, 도우미 함수나 직접 만든 테스트 셀을 더해도 됩니다.
한국어 보고서: `grader.check("이름", lang="ko")`. 제출은 교수자 안내에 따라 이 노트북(`.ipynb`)으로 하며, 개념 퀴즈
답은 끝부분의 `quiz-answers` 셀에 적습니다.
"""

SETUP = '''# Setup: installs the grader where it is missing (Colab). 설치: 채점기가 없으면 설치합니다 (Colab).
# BUNDLE: the address of the student bundle (.zip) your instructor gave, or "" to install a bundle zip
# uploaded to this session (Colab: the folder icon on the left, then upload).
# BUNDLE: 교수자가 알려 준 학생용 번들(.zip) 주소. 비워 두면 이 세션에 올린 번들 zip을 설치합니다
# (Colab: 왼쪽 폴더 아이콘 → 업로드).
BUNDLE = ""

import glob
import importlib.util
import subprocess
import sys

if importlib.util.find_spec("grader") is None:
    found = sorted(glob.glob("*.zip") + glob.glob("/content/*.zip"))
    source = BUNDLE or (found[0] if found else "")
    if not source:
        raise ModuleNotFoundError("The grader is not installed: set BUNDLE above, or upload the bundle zip, "
                                  "then run this cell again. / 채점기가 설치되어 있지 않습니다. 위의 BUNDLE을 "
                                  "채우거나 번들 zip을 올린 뒤 이 셀을 다시 실행하세요.")
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", source], check=True)
    importlib.invalidate_caches()

import grader

print("nlp-grader", grader.__version__)
'''

IMPORTS = """import math

import torch
import torch.nn.functional as F
from torch import nn
"""

QUIZ = '''# quiz-answers: your answers to the concept quiz, in TOML (`grade quiz --template` lists the questions).
# quiz-answers: 개념 퀴즈 답안을 TOML로 적습니다 (`grade quiz --template`이 문제 목록을 보여 줍니다).
QUIZ_ANSWERS = """
student = ""
"""
'''

TASK = """## Task {task} · `{id}` ({points:g} points / 점) — `{file}`

{doc}
"""

CHECK_ALL = """## Everything / 전체 확인

`grader.check()` grades every exercise (and the quiz answers above). / `grader.check()`는 모든 문제(와 위의 퀴즈
답안)를 채점합니다.
"""


# --- a docstring as Markdown: its text once, formulas in LaTeX -----------------------------------------

FUNCTIONS = {"sin": r"\sin", "cos": r"\cos", "exp": r"\exp", "log": r"\log", "max": r"\max"}
SECTIONS = ("Args:", "Returns:", "Raises:", "Attributes:", "Shapes")
LISTED = ("Args", "Returns", "Raises", "Attributes")
IDENT = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:_[A-Za-z0-9]+)*")
SYMBOLS = {"ᵀ": r"^{\top}", "·": r" \cdot ", "…": r"\ldots ", "±": r"\pm ", "{": r"\{", "}": r"\}", "%": r"\%",
           "#": r"\#", "&": r"\&"}


def _ident(name: str) -> str:
    """A name in a formula: ``d_model`` and ``W_Q_i`` as letters with subscripts, ``Lq`` as L with q, ``head_i`` as an
    upright word with a subscript, a name from the code (``masked_softmax``, ``norm1``) in typewriter letters."""
    if name in FUNCTIONS:
        return FUNCTIONS[name]
    if re.fullmatch(r"L[a-z]", name):
        return f"L_{{{name[1]}}}"
    base, *subs = name.split("_")
    if len(base) > 1 and (any(len(p) > 1 for p in subs) or any(c.isdigit() for c in base)):
        return r"\mathtt{{{}}}".format(name.replace("_", r"\_"))
    head = base if len(base) == 1 else rf"\operatorname{{{base}}}"
    if not subs:
        return head
    return head + "_{" + ",".join(p if len(p) == 1 else rf"\mathrm{{{p}}}" for p in subs) + "}"


def latex(formula: str) -> str:
    """A formula written in plain text (as in the stubs' docstrings) in LaTeX."""
    out: list[str] = []
    text = formula.replace("...", "…")
    i, depth, braces = 0, 0, []
    while i < len(text):
        ch = text[i]
        m = IDENT.match(text, i)
        if m and not (i and text[i - 1].isdigit()):
            out.append(_ident(m.group()) + (" " if m.group() in FUNCTIONS else ""))
            i = m.end()
        elif text.startswith("^(", i):  # base^(2i / d_model): the exponent in braces
            out.append("^{")
            braces.append(depth)
            depth += 1
            i += 2
        elif ch == ")" and braces and braces[-1] == depth - 1:
            depth -= 1
            braces.pop()
            out.append("}")
            i += 1
        elif text.startswith(("->", "<="), i):
            out.append(r" \to " if text[i] == "-" else r" \le ")
            i += 2
        elif ch == "√" and (m := IDENT.match(text, i + 1)):
            out.append(rf"\sqrt{{{_ident(m.group())}}}")
            i = m.end()
        else:
            depth += (ch == "(") - (ch == ")")
            out.append(SYMBOLS.get(ch, ch))
            i += 1
    return "".join(out).strip()


def _formula_line(line: str) -> str:
    """``lhs = rhs      comment``: the formula in LaTeX, then its comment (words as text, shapes as math); the
    spaces that align the ``=`` of several lines are not a comment's."""
    text = line.strip()
    equals = text.find("=")
    gap = re.search(r"\s{3,}", text[equals + 2:]) if equals >= 0 else re.search(r"\s{3,}", text)
    offset = equals + 2 if equals >= 0 else 0
    formula, comment = (text[:offset + gap.start()], text[offset + gap.end():]) if gap else (text, "")
    tex = latex(" ".join(formula.split()))
    if comment:
        words = re.fullmatch(r"[A-Za-z][A-Za-z \-]*", comment)
        tex += r" \qquad " + (rf"\text{{{comment}}}" if words else latex(comment))
    return tex


def _math(formulas: list[str]) -> list[str]:
    if len(formulas) == 1:
        return ["", "$$", formulas[0], "$$", ""]
    return ["", "$$", r"\begin{aligned}", " \\\\\n".join(f.replace(" = ", " &= ", 1) for f in formulas),
            r"\end{aligned}", "$$", ""]


def markdown(doc: str) -> str:
    """A docstring as Markdown: paragraphs as they are (``code`` in backticks, *emphasis* rendered), indented
    formula lines (with ``=`` or ``->``) as display math, Args/Returns/Raises as lists, other indented lines as code."""
    out: list[str] = []
    section = ""
    formulas: list[str] = []
    for line in doc.splitlines():
        stripped = line.strip()
        indented = bool(stripped) and line.startswith((" ", "\t"))
        is_formula = indented and section not in (*LISTED, "Shapes") and (" = " in stripped or "->" in stripped)
        if formulas and not is_formula:
            out += _math(formulas)
            formulas = []
        if not stripped:
            section = ""
            out.append("")
        elif not indented and stripped.startswith(SECTIONS) and stripped.endswith(":"):
            section = stripped.rstrip(":").split(" ")[0]
            out += ["", f"**{stripped.rstrip(':')}**", ""]
        elif indented and section in LISTED:
            name, sep, rest = stripped.partition(": ")
            if sep and re.fullmatch(r"[\w.]+(, [\w.]+)*", name):
                out.append(f"- `{name}`: {rest}")
            elif out and out[-1].startswith("- "):
                out[-1] += " " + stripped
            else:
                out.append(f"- {stripped}")
        elif is_formula:
            formulas.append(_formula_line(stripped))
        elif indented:
            out.append(f"`{stripped}`  ")
        elif re.match(r"[A-Za-z][\w\[\], +]*\s=\s\S.*\(", stripped):
            out += _math([_formula_line(p) for p in re.split(r",\s{2,}", stripped)])  # a formula on its own line
        else:
            out.append(stripped)
    if formulas:
        out += _math(formulas)
    text = re.sub(r"``([^`]+)``", r"`\1`", "\n".join(out))
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"


def _short(source: str, node: ast.FunctionDef | ast.ClassDef, doc: str) -> str:
    """The stub's source with its docstring cut to its first line (the whole text is in the Markdown above it)."""
    first = node.body[0] if node.body else None
    if not doc or not isinstance(first, ast.Expr) or first.end_lineno is None:
        return source
    lines = source.splitlines()
    start, end = first.lineno - node.lineno, first.end_lineno - node.lineno + 1
    indent = lines[start][: len(lines[start]) - len(lines[start].lstrip())]
    summary = doc.strip().splitlines()[0].replace('"""', "'")
    return "\n".join([*lines[:start], f'{indent}"""{summary}"""', *lines[end:]]) + "\n"


def _definitions(path: Path) -> dict[str, tuple[str, str]]:
    """name -> (its source, its docstring cut to one line; its whole docstring) for the top-level functions and
    classes of ``path``."""
    source = path.read_text(encoding="utf-8")
    lines = source.splitlines()
    out = {}
    for node in ast.parse(source).body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            start = min([node.lineno, *(d.lineno for d in node.decorator_list)])
            doc = ast.get_docstring(node) or ""
            head = "".join(line + "\n" for line in lines[start - 1:node.lineno - 1])
            whole = "\n".join(lines[node.lineno - 1:node.end_lineno]) + "\n"
            out[node.name] = (head + _short(whole, node, doc), doc)
    return out


def build(name: str) -> nbformat.NotebookNode:
    from grader import api

    spec = api.assignment_spec(name)
    stubs = ROOT / "assignments" / spec.name
    defs = {}
    for file in spec.files:
        defs.update({k: (file, *v) for k, v in _definitions(stubs / file).items()})
    md, code = nbformat.v4.new_markdown_cell, nbformat.v4.new_code_cell
    cells = [md(INTRO.format(title=spec.title)), code(SETUP), code(IMPORTS)]
    files_seen: set[str] = set()
    for e in sorted(spec.exercises, key=lambda e: e.task):
        file, source, doc = defs[e.id]
        if file not in files_seen:  # the file's overview: the formulas and shapes its tasks share
            files_seen.add(file)
            overview = ast.get_docstring(ast.parse((stubs / file).read_text(encoding="utf-8"))) or ""
            cells.append(md(f"# `{file}`\n\n{markdown(overview)}"))
        cells.append(md(TASK.format(task=e.task, id=e.id, points=e.points, file=file, doc=markdown(doc))))
        cells.append(code(source))
        cells.append(code(f'grader.check("{e.id}")'))
    cells += [code(QUIZ), md(CHECK_ALL), code("grader.check()")]
    nb = nbformat.v4.new_notebook()
    nb.cells = cells
    for i, cell in enumerate(nb.cells):  # stable ids: the file does not change when nothing else does
        cell["id"] = f"{spec.name}-{i:02d}"
    nb.metadata = {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
                   "language_info": {"name": "python"}, "nlp_grader": {"assignment": spec.name}}
    return nb


def main() -> None:
    name = sys.argv[1] if len(sys.argv) > 1 else "transformer"
    path = ROOT / "assignments" / name / f"{name}.ipynb"
    nbformat.write(build(name), path)
    print(path)


if __name__ == "__main__":
    main()
