"""The instructor's workflows that produce files for others: the student bundle and the Gradescope zip."""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
import zipfile
from pathlib import Path
from typing import Any

from grader import api, fixtures, starter
from grader.quiz import bank as quiz_bank
from grader.quiz import export
from grader.reference import Reference
from grader.results import Message
from grader.version import __version__

PACKAGE = Path(__file__).resolve().parent
ROOT = PACKAGE.parent
IGNORE = shutil.ignore_patterns("__pycache__", "*.pyc", ".ipynb_checkpoints")


QUIZ = "quiz.toml"
MANIFEST = "release.json"
"""What a release shipped (file, size, SHA-256), where its starter files came from, with which grader and torch."""


class ReleaseError(Exception):
    """The release cannot be made (an output folder in the way, no reference, an implemented exercise, ...); carries
    a message for a person where there is one in the catalogs."""

    def __init__(self, text: str | Message) -> None:
        super().__init__(text if isinstance(text, str) else text.key)
        self.message = text if isinstance(text, Message) else None


def torch_version() -> str:
    """The torch this release is made with, without a local build label (2.13.0 for 2.13.0+cpu)."""
    import torch

    return str(torch.__version__).split("+")[0]


def _starter(spec: Any, allow_implemented: bool) -> starter.Starter:
    """The pristine starter files (grader.starter); ReleaseError naming each implemented exercise unless
    ``allow_implemented``."""
    stubs = spec.stubs
    if stubs is None or not stubs.is_dir():
        raise ReleaseError(f"the stubs of {spec.name} are not at {stubs} (the assignment's spec says where: stubs=)")
    found = starter.starter(stubs, spec.exercises)
    if found.implemented and not allow_implemented:
        raise ReleaseError(Message("release.implemented", {"where": "; ".join(
            f"{i.file}, line {i.line}: {i.exercise}" for i in found.implemented)}))
    return found


def _manifest(spec: Any, found: starter.Starter, allow_implemented: bool, shipped: dict[str, bytes],
              salted: bool, base: str) -> dict[str, Any]:
    """``base``: where the starter files lie in what is shipped."""
    return {"assignment": spec.name, "grader_version": __version__, "torch": torch_version(), "salted": salted,
            "starter": found.source, "starter_files": [f"{base}/{rel}" for rel in sorted(found.files)],
            "allow_implemented": allow_implemented,
            "implemented": [{"exercise": i.exercise, "file": i.file, "line": i.line} for i in found.implemented],
            "files": starter.listing(shipped)}


def _tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def shipped(bundle: Path) -> dict[str, Any]:
    """The manifest a release wrote into ``bundle``."""
    return json.loads((bundle / MANIFEST).read_text(encoding="utf-8"))


def _grader_without_specs(dest: Path) -> None:
    """The engine without any assignment's cases, reference or mistake code (the built-in plug-ins stay behind;
    a bundle registers no plug-in: its one assignment is the stored cases in grader/cases)."""
    shutil.copytree(PACKAGE, dest, ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "cases", "builtin"))


BUNDLE_PYPROJECT = """[build-system]
requires = ["setuptools>=68"]
build-backend = "setuptools.build_meta"

[project]
# one distribution per assignment: a course's bundles install side by side (each adds its grader/cases/NAME; the
# engine they share is the same file for the same version), and installing one never uninstalls another
name = "nlp-grader-{name}"
version = "{version}"
description = "Grader for the {name} assignment (student bundle: visible cases only)"
requires-python = ">=3.10"
dependencies = ["numpy>=1.24", "torch>=2.2,<3", "click>=8.1", "rich>=13", "safetensors>=0.4", "tomli-w>=1.0",
                "tomli>=2; python_version < '3.11'", "nbformat>=5.7", "pytest>=7.4"]

[project.scripts]
grade = "grader.__main__:main"

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

NOTEBOOK_STEP = {"en": """5. Jupyter or Colab: open `{name}/{name}.ipynb`. Its first cell installs this bundle where the grader is
   missing (Colab: upload this bundle as a zip, or put its address in `BUNDLE`). Each task has a stub
   cell to fill in and a check cell, `grader.check("name")`, that grades what the notebook defines.
   Hand in the notebook itself if your instructor asks for it; `grade check {name}/{name}.ipynb` grades
   it from a terminal too.
""", "ko": """5. Jupyter나 Colab: `{name}/{name}.ipynb`를 여세요. 첫 셀이 채점기가 없으면 이 번들을 설치합니다
   (Colab: 이 번들을 zip으로 올리거나 `BUNDLE`에 주소를 넣으세요). 문제마다 채울 뼈대 코드 셀과, 노트북에
   정의된 코드를 채점하는 확인 셀 `grader.check("이름")`이 있습니다. 교수자가 노트북 제출을 요구하면
   노트북을 그대로 내면 되고, 터미널에서 `grade check {name}/{name}.ipynb`로도 채점할 수 있습니다.
"""}
"""The README's notebook step, for an assignment whose starter files hold the handout notebook ``NAME.ipynb``."""

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
{notebook_en}
Pushing to GitHub runs the same check (`.github/workflows/grade.yml`); in GitHub Classroom it also sends your
points to Classroom (the "Autograding Reporter" step prints them). `pytest` in `{name}/` lists the same cases as
tests, for your editor's Testing panel too (`pytest -k {first}`, `pytest --lf`).

## 한국어

1. 이 폴더에서 한 번 설치합니다:

       python3 -m venv .venv && . .venv/bin/activate
       pip install torch --index-url https://download.pytorch.org/whl/cpu
       pip install .

2. `{name}/` 안의 함수와 클래스를 구현하세요 (Task 1 ~ Task {tasks}). 각 docstring에 공식과 텐서
   모양이 있습니다.
3. 확인: `cd {name} && grade --lang ko`. 문제별 점수와, 실패한 부분의 차이(모양, dtype, 장치, 값)와
   해당하는 알려진 실수를 보여 줍니다. 이 번들에는 공개 케이스만 있고, 채점 때는 비공개 케이스도
   실행합니다.
4. 개념 퀴즈: `{name}/`에서 `grade quiz --lang ko`로 문제를 풀고, `grade quiz --template
   quiz-answers.toml`로 답안 파일을 만들 수 있습니다. `quiz-answers.toml`은 `{name}/`에 두면 코드와
   함께 제출됩니다. 연습 문제는 바로 결과를 알려 주고, 채점 문제는 "기록했습니다, 나중에 채점"으로
   표시됩니다.
{notebook_ko}
GitHub에 push하면 같은 검사가 실행됩니다 (`.github/workflows/grade.yml`). GitHub Classroom에서는 점수도
Classroom으로 보냅니다 ("Autograding Reporter" 단계에 점수가 나옵니다). `{name}/`에서 `pytest`를 실행하면 같은
케이스가 테스트로 나오고, 편집기의 Testing 패널에서도 보입니다 (`pytest -k {first}`, `pytest --lf`).
"""


def release(*, assignment: str, output: Path, salt: str = "", allow_implemented: bool = False) -> Path:
    """Write the student bundle for ``assignment`` into ``output`` (which must not exist or be empty): the pristine
    starter files (grader.starter: refused where an exercise is implemented, unless ``allow_implemented``), the
    grader without any reference, the visible cases and the quiz without answers, and ``release.json``: every
    file shipped with its size and SHA-256."""
    spec = api.assignment_spec(assignment)
    if spec.solutions is None:
        raise ReleaseError("this grader holds no reference (it is itself a student bundle): release from the course repo")
    if output.exists() and any(output.iterdir()):
        raise ReleaseError(f"{output} is not empty; give a new folder")
    found = _starter(spec, allow_implemented)
    staging = output.with_name(f".{output.name}.partial")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    # the stubs, and the handout notebook beside them (grader.check in Jupyter and Colab)
    for rel, data in found.files.items():
        if rel == QUIZ:  # the instructor's bank, with its answers: the student's is written below
            continue
        target = staging / spec.name / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    (staging / spec.name).mkdir(exist_ok=True)
    _grader_without_specs(staging / "grader")
    fixture_dir = staging / "grader" / "cases" / spec.name
    if spec.quiz is not None and spec.quiz.is_file():
        student_bank = export.write_student_bank(quiz_bank.load(spec.quiz), staging / spec.name)
        fixture_dir.mkdir(parents=True)
        shutil.copyfile(student_bank, fixture_dir / "quiz.toml")
    fixtures.write(Reference(spec, salt), fixture_dir)
    (staging / "pyproject.toml").write_text(BUNDLE_PYPROJECT.format(version=__version__, name=spec.name))
    notebook = f"{spec.name}.ipynb" in found.files  # the README promises no notebook the bundle lacks
    steps = {f"notebook_{lang}": step.format(name=spec.name) if notebook else "" for lang, step in NOTEBOOK_STEP.items()}
    (staging / "README.md").write_text(README.format(title=spec.title, name=spec.name, tasks=len(spec.exercises),
                                                     first=spec.exercises[0].id, **steps),
                                       encoding="utf-8")
    workflows = staging / ".github" / "workflows"
    workflows.mkdir(parents=True)
    (workflows / "grade.yml").write_text(WORKFLOW.format(name=spec.name, failed=classroom_failed(
        sum(e.points for e in spec.exercises))), encoding="utf-8")
    manifest = _manifest(spec, found, allow_implemented, _tree(staging), bool(salt), spec.name)
    (staging / MANIFEST).write_text(json.dumps(manifest, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    if output.exists():
        output.rmdir()
    os.replace(staging, output)
    return output


SETUP_SH = """#!/usr/bin/env bash
# Gradescope runs this once, when it builds the autograder image.
set -euo pipefail
apt-get update -q && apt-get install -y -q python3 python3-pip python3-venv
python3 -m venv /autograder/venv
# the torch the autograder was made with (grade export gradescope --torch chose it), CPU build
/autograder/venv/bin/pip install -q "torch=={torch}" --index-url https://download.pytorch.org/whl/cpu
/autograder/venv/bin/pip install -q -e /autograder/source
# the reference's cases prepared once, into the image: every submission's run reads them instead of computing them
cd /autograder/source && NLP_GRADER_CACHE=/autograder/source/.cache /autograder/venv/bin/grade check {stubs} \
    --assignment {name} --hidden --format json {salt}> /dev/null || true
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
export NLP_GRADER_CACHE="${{NLP_GRADER_CACHE:-$SOURCE/.cache}}"  # what setup.sh prepared (hidden from the sandbox)
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
                   lang: str = "en", feedback: str = "visible", allow_implemented: bool = False,
                   torch: str | None = None) -> Path:
    """The autograder zip: setup.sh (installing ``torch``, by default the version this release is made with, CPU
    build), run_autograder, the grader with its reference, and the pristine starter files (refused where an exercise
    is implemented, unless ``allow_implemented``). Students read its report in ``lang``, showing what ``feedback``
    allows (grader.report.feedback). ``release.json`` lists what it holds."""
    from grader.messages import LANGUAGES, render
    from grader.report.feedback import check_level

    check_level(feedback)
    if lang not in LANGUAGES:
        raise ReleaseError(f"--lang {lang!r}: expected one of {', '.join(LANGUAGES)}")
    torch = torch or torch_version()
    if not re.fullmatch(r"\d+(\.\d+){1,2}", torch):
        raise ReleaseError(Message("release.bad_torch", {"given": torch}))
    # said by the shell inside double quotes, then put in JSON by printf: none of the characters either would read
    failed = "".join(c for c in render("export.gradescope_failed", lang, code="$code") if c not in '"\\`%')
    spec = api.assignment_spec(assignment)
    if spec.solutions is None:
        raise ReleaseError("this grader holds no reference: build the autograder from the course repo")
    found = _starter(spec, allow_implemented)
    files: dict[str, bytes] = {}
    for folder in (PACKAGE, spec.solutions):
        for path in sorted(folder.rglob("*")):
            rel = path.relative_to(ROOT)
            if path.is_file() and "__pycache__" not in rel.parts and path.suffix != ".pyc":
                files[rel.as_posix()] = path.read_bytes()
    base = spec.stubs.relative_to(ROOT).as_posix() if spec.stubs is not None else ""
    if spec.stubs is not None:  # the starter files where the spec says they are, as pristine as the bundle's
        files.update({f"{base}/{rel}": data for rel, data in found.files.items()})
    files["pyproject.toml"] = (ROOT / "pyproject.toml").read_bytes()
    files["README.md"] = (ROOT / "README.md").read_bytes()
    salt_option = f'--salt "{salt}" ' if salt else ""
    scripts = {"setup.sh": SETUP_SH.format(torch=torch, stubs=base or ".", name=spec.name, salt=salt_option),
               "run_autograder": RUN_AUTOGRADER.format(
        name=spec.name, visibility=hidden_visibility, salt=salt_option, lang=lang,
        feedback=feedback, failed=failed)}
    manifest = _manifest(spec, found, allow_implemented, {**files, **{k: v.encode() for k, v in scripts.items()}},
                         bool(salt), base)
    manifest["torch"] = torch
    tmp = output.with_name(f".{output.name}.partial")
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, data in files.items():
            zf.writestr(name, data)
        for name, text in scripts.items():
            info = zipfile.ZipInfo(name)
            info.external_attr = (stat.S_IFREG | 0o755) << 16
            zf.writestr(info, text)
        zf.writestr(MANIFEST, json.dumps(manifest, indent=1, ensure_ascii=False) + "\n")
    os.replace(tmp, output)
    return output
