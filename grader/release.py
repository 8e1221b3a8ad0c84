"""The instructor's workflows that produce files for others: the student bundle and the Gradescope zip."""

from __future__ import annotations

import os
import shutil
import stat
import zipfile
from pathlib import Path

from grader import api, fixtures
from grader.quiz import bank as quiz_bank
from grader.quiz import export
from grader.reference import Reference
from grader.version import __version__

PACKAGE = Path(__file__).resolve().parent
ROOT = PACKAGE.parent
IGNORE = shutil.ignore_patterns("__pycache__", "*.pyc", ".ipynb_checkpoints")


class ReleaseError(Exception):
    """The release cannot be made (an output folder in the way, no reference, ...)."""


def _grader_without_specs(dest: Path) -> None:
    """The engine without any assignment's cases, reference or mistake code (the built-in plug-ins stay behind;
    a bundle registers no plug-in: its one assignment is the stored cases in grader/cases)."""
    shutil.copytree(PACKAGE, dest, ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "cases", "builtin"))


BUNDLE_PYPROJECT = """[build-system]
requires = ["setuptools>=68"]
build-backend = "setuptools.build_meta"

[project]
name = "nlp-grader"
version = "{version}"
description = "Grader for the {name} assignment (student bundle: visible cases only)"
requires-python = ">=3.10"
dependencies = ["numpy>=1.24", "torch>=2.2,<3", "click>=8.1", "rich>=13", "safetensors>=0.4", "tomli-w>=1.0",
                "tomli>=2; python_version < '3.11'", "nbformat>=5.7", "pytest>=7.4"]

[project.scripts]
grade = "grader.cli:main"

# `pytest` in the assignment's folder lists and grades the visible cases (grader/pytest_plugin.py)
[project.entry-points.pytest11]
nlp_grader = "grader.pytest_plugin"

[tool.setuptools.packages.find]
include = ["grader*"]

[tool.setuptools.package-data]
grader = ["cases/*/*"]
"""

WORKFLOW = """# GitHub Actions, and GitHub Classroom's points: the grade step hands its result to Classroom's grading reporter,
# which posts "Points N/M" on the run-autograding-tests check run that Classroom reads (written by grade release).
name: Autograding Tests
on: [push, workflow_dispatch, repository_dispatch]
permissions:
  checks: write
  actions: read
  contents: read
jobs:
  run-autograding-tests:
    runs-on: ubuntu-latest
    if: github.actor != 'github-classroom[bot]'
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-python@v5
        with:
          python-version: "3.11"
      - name: Install the grader (CPU PyTorch)
        run: |
          pip install torch --index-url https://download.pytorch.org/whl/cpu
          pip install .
      - name: Grade (GitHub Classroom's points)
        id: nlpgrader
        run: |
          code=0
          grade check {name} --format github-classroom > classroom.json || code=$?
          if [ "$code" -gt 1 ]; then  # a usage error or the grader's fault: an error, never a zero
            printf '%s' '{failed}' | sed "s/@CODE@/$code/g" > classroom.json
          fi
          echo "result=$(base64 -w 0 classroom.json)" >> "$GITHUB_OUTPUT"
      - name: Grade (the report)
        if: always()
        run: |
          grade check {name} --format junit > grade-results.xml || true
          grade check {name} || true
      - name: Autograding Reporter
        if: always()
        uses: classroom-resources/autograding-grading-reporter@v1
        env:
          NLPGRADER_RESULTS: "${{{{steps.nlpgrader.outputs.result}}}}"
        with:
          runners: nlpgrader
      - uses: actions/upload-artifact@v4
        if: always()
        with:
          name: grade-results
          path: grade-results.xml
"""


def classroom_failed(max_score: float) -> str:
    """The runner result the workflow hands the reporter when ``grade`` could not grade (exit code 2 or 3): an error
    with the assignment's points at stake, in both languages, as one line of JSON the shell quotes in single quotes
    (``@CODE@``: the exit code, filled in by the step)."""
    import json

    from grader.messages import render

    message = " / ".join(render("export.gradescope_failed", lang, code="@CODE@") for lang in ("en", "ko"))
    test = {"name": "grade", "status": "error", "score": 0, "message": message, "line_no": 0}
    return json.dumps({"version": 1, "status": "error", "max_score": max_score, "tests": [test]},
                      ensure_ascii=False).replace("'", "")

README = """# {title}

## English

1. Install (once), from this folder:

       python3 -m venv .venv && . .venv/bin/activate
       pip install torch --index-url https://download.pytorch.org/whl/cpu
       pip install .

2. Implement the functions and classes in `{name}/` (Task 1 to Task {tasks}). Each docstring gives the
   formula and the tensor shapes.
3. Check your work: `cd {name} && grade` (or `grade --lang ko`). You see a score per exercise and,
   for what fails, the difference (shape, dtype, device, values) and the known mistake it matches.
   This bundle holds the visible cases only; your instructor also grades hidden ones.
4. The concept quiz: `grade quiz` in `{name}/` asks the questions; `grade quiz --template
   quiz-answers.toml` writes an answers file to fill in. Keep `quiz-answers.toml` in `{name}/`: it is
   handed in with your code. Practice questions give feedback at once; graded ones are marked
   "recorded, graded later".
5. Jupyter or Colab: open `{name}/{name}.ipynb`. Its first cell installs this bundle where the grader is
   missing (Colab: upload this bundle as a zip, or put its address in `BUNDLE`). Each task has a stub
   cell to fill in and a check cell, `grader.check("name")`, that grades what the notebook defines.
   Hand in the notebook itself if your instructor asks for it; `grade check {name}/{name}.ipynb` grades
   it from a terminal too.

Pushing to GitHub runs the same check (`.github/workflows/grade.yml`); in GitHub Classroom it also sends your
points to Classroom (the "Autograding Reporter" step prints them). `pytest` in `{name}/` lists the same cases as
tests, for your editor's Testing panel too (`pytest -k masked_softmax`, `pytest --lf`).

## 한국어

1. 이 폴더에서 한 번 설치합니다:

       python3 -m venv .venv && . .venv/bin/activate
       pip install torch --index-url https://download.pytorch.org/whl/cpu
       pip install .

2. `{name}/` 안의 함수와 클래스를 구현하세요 (Task 1 ~ Task {tasks}). 각 docstring 에 공식과 텐서
   모양이 있습니다.
3. 확인: `cd {name} && grade --lang ko`. 문제별 점수와, 실패한 부분의 차이(모양, dtype, 장치, 값)와
   해당하는 알려진 실수를 보여 줍니다. 이 꾸러미에는 공개 케이스만 있고, 채점 때는 숨은 케이스도
   실행합니다.
4. 개념 퀴즈: `{name}/` 에서 `grade quiz --lang ko` 로 문제를 풀고, `grade quiz --template
   quiz-answers.toml` 로 답안 파일을 만들 수 있습니다. `quiz-answers.toml` 은 `{name}/` 에 두면 코드와
   함께 제출됩니다. 연습 문제는 바로 결과를 알려 주고, 채점 문제는 "기록했습니다, 나중에 채점"으로
   표시됩니다.
5. Jupyter 나 Colab: `{name}/{name}.ipynb` 를 여세요. 첫 셀이 채점기가 없으면 이 꾸러미를 설치합니다
   (Colab: 이 꾸러미를 zip 으로 올리거나 `BUNDLE` 에 주소를 넣으세요). 문제마다 채울 스텁 셀과, 노트북에
   정의된 코드를 채점하는 확인 셀 `grader.check("이름")` 이 있습니다. 교수자가 노트북 제출을 요구하면
   노트북을 그대로 내면 되고, 터미널에서 `grade check {name}/{name}.ipynb` 로도 채점할 수 있습니다.

GitHub 에 push 하면 같은 검사가 실행됩니다 (`.github/workflows/grade.yml`). GitHub Classroom 에서는 점수도
Classroom 으로 보냅니다 ("Autograding Reporter" 단계에 점수가 나옵니다). `{name}/` 에서 `pytest` 를 실행하면 같은
케이스가 테스트로 나오고, 편집기의 Testing 패널에서도 보입니다 (`pytest -k masked_softmax`, `pytest --lf`).
"""


def release(*, assignment: str, output: Path, salt: str = "") -> Path:
    """Write the student bundle for ``assignment`` into ``output`` (which must not exist or be empty)."""
    spec = api.assignment_spec(assignment)
    if spec.solutions is None:
        raise ReleaseError("this grader holds no reference (it is itself a student bundle): release from the course repo")
    if output.exists() and any(output.iterdir()):
        raise ReleaseError(f"{output} is not empty; give a new folder")
    stubs = spec.stubs
    if stubs is None or not stubs.is_dir():
        raise ReleaseError(f"the stubs of {spec.name} are not at {stubs} (the assignment's spec says where: stubs=)")
    staging = output.with_name(f".{output.name}.partial")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    # the stubs, and the handout notebook beside them (grader.check in Jupyter and Colab)
    shutil.copytree(stubs, staging / spec.name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "quiz.toml",
                                                                              ".ipynb_checkpoints"))
    _grader_without_specs(staging / "grader")
    fixture_dir = staging / "grader" / "cases" / spec.name
    if spec.quiz is not None and spec.quiz.is_file():
        student_bank = export.write_student_bank(quiz_bank.load(spec.quiz), staging / spec.name)
        fixture_dir.mkdir(parents=True)
        shutil.copyfile(student_bank, fixture_dir / "quiz.toml")
    fixtures.write(Reference(spec, salt), fixture_dir)
    (staging / "pyproject.toml").write_text(BUNDLE_PYPROJECT.format(version=__version__, name=spec.name))
    (staging / "README.md").write_text(README.format(title=spec.title, name=spec.name, tasks=len(spec.exercises)),
                                       encoding="utf-8")
    workflows = staging / ".github" / "workflows"
    workflows.mkdir(parents=True)
    (workflows / "grade.yml").write_text(WORKFLOW.format(name=spec.name, failed=classroom_failed(
        sum(e.points for e in spec.exercises))), encoding="utf-8")
    if output.exists():
        output.rmdir()
    os.replace(staging, output)
    return output


SETUP_SH = """#!/usr/bin/env bash
# Gradescope runs this once, when it builds the autograder image.
set -euo pipefail
apt-get update -q && apt-get install -y -q python3 python3-pip python3-venv
python3 -m venv /autograder/venv
/autograder/venv/bin/pip install -q torch --index-url https://download.pytorch.org/whl/cpu
/autograder/venv/bin/pip install -q -e /autograder/source
"""

RUN_AUTOGRADER = """#!/usr/bin/env bash
# Gradescope runs this for every submission; it writes results/results.json.
set -uo pipefail
SOURCE="${{AUTOGRADER_SOURCE:-/autograder/source}}"
SUBMISSION="${{AUTOGRADER_SUBMISSION:-/autograder/submission}}"
RESULTS="${{AUTOGRADER_RESULTS:-/autograder/results}}"
GRADE="${{AUTOGRADER_GRADE:-/autograder/venv/bin/grade}}"
mkdir -p "$RESULTS"
cd "$SOURCE"
"$GRADE" check "$SUBMISSION" --assignment {name} --hidden --format gradescope \\
    --hidden-visibility {visibility} --feedback {feedback} --lang {lang} {salt}> "$RESULTS/results.json.tmp"
code=$?
if [ "$code" -le 1 ]; then
    mv "$RESULTS/results.json.tmp" "$RESULTS/results.json"
else  # usage error or grader fault: tell the student it is not their zero
    msg="{failed}"
    printf '{{"score": 0, "output": "%s", "tests": []}}\\n' "$msg" > "$RESULTS/results.json"
fi
exit 0
"""


def gradescope_zip(*, assignment: str, output: Path, hidden_visibility: str = "after_published", salt: str = "",
                   lang: str = "en", feedback: str = "visible") -> Path:
    """The autograder zip: setup.sh, run_autograder and the grader with its reference. Students read its report in
    ``lang``, showing what ``feedback`` allows (grader.report.feedback)."""
    from grader.messages import LANGUAGES, render
    from grader.report.feedback import check_level

    check_level(feedback)
    if lang not in LANGUAGES:
        raise ReleaseError(f"--lang {lang!r}: expected one of {', '.join(LANGUAGES)}")
    # said by the shell inside double quotes, then put in JSON by printf: none of the characters either would read
    failed = "".join(c for c in render("export.gradescope_failed", lang, code="$code") if c not in '"\\`%')
    spec = api.assignment_spec(assignment)
    if spec.solutions is None:
        raise ReleaseError("this grader holds no reference: build the autograder from the course repo")
    files: list[tuple[Path, str]] = []
    for folder in (PACKAGE, spec.solutions, *([spec.stubs] if spec.stubs is not None else [])):
        for path in sorted(folder.rglob("*")):
            rel = path.relative_to(ROOT)
            if path.is_file() and "__pycache__" not in rel.parts and path.suffix != ".pyc":
                files.append((path, str(rel)))
    files += [(ROOT / "pyproject.toml", "pyproject.toml"), (ROOT / "README.md", "README.md")]
    tmp = output.with_name(f".{output.name}.partial")
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for path, name in files:
            zf.write(path, name)
        for name, text in (("setup.sh", SETUP_SH), ("run_autograder", RUN_AUTOGRADER.format(
                name=spec.name, visibility=hidden_visibility, salt=f'--salt "{salt}" ' if salt else "", lang=lang,
                feedback=feedback, failed=failed))):
            info = zipfile.ZipInfo(name)
            info.external_attr = (stat.S_IFREG | 0o755) << 16
            zf.writestr(info, text)
    os.replace(tmp, output)
    return output
