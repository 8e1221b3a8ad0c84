"""The student bundle (no reference, visible cases only) and the Gradescope autograder zip."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from conftest import SOLUTIONS, STUBS

from grader import api, release

if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib

ROOT = Path(__file__).resolve().parent.parent
NO_SQRT = ("scores = q @ k.transpose(-2, -1) / math.sqrt(d_k)", "scores = q @ k.transpose(-2, -1)")


@pytest.fixture(scope="module")
def bundle(tmp_path_factory):
    out = tmp_path_factory.mktemp("release") / "bundle"
    release.release(assignment="transformer", output=out)
    return out


def bundle_grade(bundle: Path, *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """`grade` run from the bundle's own grader package (PYTHONPATH puts it before the repo's)."""
    env = {**os.environ, "PYTHONPATH": str(bundle), "GRADER_LANG": "en"}
    return subprocess.run([sys.executable, "-m", "grader", *args], capture_output=True, text=True, env=env,
                          cwd=cwd or bundle)


def test_bundle_holds_no_reference_and_no_hidden_case(bundle, assignment):
    files = [p for p in bundle.rglob("*") if p.is_file()]
    names = {str(p.relative_to(bundle)) for p in files}
    assert not any(n.startswith("grader/builtin") for n in names), "a built-in plug-in (a reference, mistakes) was shipped"
    assert "pyproject.toml" in names and "nlp_grader.assignments" not in (bundle / "pyproject.toml").read_text()
    assert not any(n.startswith("solutions") for n in names)
    reference_lines = [line.strip() for line in (SOLUTIONS / "attention.py").read_text().splitlines()
                       if line.strip().startswith(("lowest =", "filled =", "weights = masked_softmax"))]
    assert len(reference_lines) == 3
    for p in files:
        if p.suffix in (".py", ".toml", ".json", ".md", ".yml"):
            text = p.read_text(encoding="utf-8")
            assert not any(line in text for line in reference_lines), p
    data = json.loads((bundle / "grader" / "cases" / "transformer" / "assignment.json").read_text())
    for ex in data["exercises"]:
        visible = {c.id for c in assignment.exercise(ex["id"]).cases if not c.hidden}
        assert {c["id"] for c in ex["cases"]} == visible
    # what ships to explain a failure: code that reads outputs only, and the candidates and fits stored per visible case
    shipped_code = sorted(p.name for p in (bundle / "grader" / "cases" / "transformer").glob("code.*.py"))
    assert shipped_code == ["code.grader.builtin.transformer.probes.py"], shipped_code
    for p in files:
        if p.suffix == ".py":
            text = p.read_text(encoding="utf-8")
            assert "def mha(" not in text and "import counterfactuals" not in text, p  # the recomputations stay home
    from safetensors import safe_open

    for ex in data["exercises"]:
        for case in ex["cases"]:
            with safe_open(str(bundle / "grader" / "cases" / "transformer" / case["file"]), "pt") as f:
                stored = set(f.keys())
            listed = {c["tensor"] for cands in case["counterfactuals"].values() for c in cands}
            assert {k for k in stored if k.startswith("cf.")} == listed
            assert any(k.startswith("fit/") for k in stored) == (case["dropout_fit"] is not None)
    quiz = tomllib.loads((bundle / "transformer" / "quiz.toml").read_text())
    assert all("answer" not in q for q in quiz["questions"])
    readme = (bundle / "README.md").read_text()
    assert "## English" in readme and "## 한국어" in readme
    assert (bundle / ".github" / "workflows" / "grade.yml").read_text().count("grade check transformer") == 3


def test_bundle_grades_stubs_zero_and_a_solution_full_marks(bundle, tmp_path):
    stubs = bundle_grade(bundle, "check", "--format", "json", cwd=bundle / "transformer")
    data = json.loads(stubs.stdout)
    assert stubs.returncode == 1 and data["score"] == 0
    assert {e["status"] for e in data["exercises"]} == {"not_attempted"}
    mine = tmp_path / "mine"
    shutil.copytree(bundle / "transformer", mine)
    for f in ("positional.py", "attention.py", "multihead.py", "layers.py"):
        shutil.copyfile(SOLUTIONS / f, mine / f)
    full = bundle_grade(bundle, "check", str(mine), "--format", "json")
    assert full.returncode == 0, full.stdout + full.stderr
    result = json.loads(full.stdout)
    assert result["score"] == 100 and not any(c["hidden"] for e in result["exercises"] for c in e["cases"])
    assert "grader/cases" not in full.stderr


def test_bundle_names_the_same_mistakes_as_the_course_repo(bundle, tmp_path, reference):
    sub = tmp_path / "broken"
    shutil.copytree(SOLUTIONS, sub)
    (sub / "attention.py").write_text((sub / "attention.py").read_text().replace(*NO_SQRT))
    text = (sub / "multihead.py").read_text()
    (sub / "multihead.py").write_text(text.replace("return self.w_o(combine_heads(heads))", "return combine_heads(heads)"))
    theirs = json.loads(bundle_grade(bundle, "check", str(sub), "--assignment", "transformer", "--format", "json").stdout)
    ours = api.check(sub, reference=reference)
    from grader.report import json as json_report

    ours = json_report.to_dict(ours, "en")
    assert theirs["score"] == ours["score"]
    for a, b in zip(theirs["exercises"], ours["exercises"], strict=True):
        assert (a["id"], a["score"], a["status"]) == (b["id"], b["score"], b["status"])
        assert [m["id"] for m in a["mistakes"]] == [m["id"] for m in b["mistakes"]]
        for ca, cb in zip(a["cases"], b["cases"], strict=True):
            assert [c.get("message") for c in ca["checks"]] == [c.get("message") for c in cb["checks"]]
    assert {"no_sqrt_dk", "missing_output_projection"} <= {m["id"] for e in theirs["exercises"] for m in e["mistakes"]}


@pytest.mark.parametrize("name", ["mutants/mha_key_value_swapped", "mutants/pe_swapped", "mutants/encoder_norms_swapped",
                                  "mutants/ffn_dropout_checkerboard", "mutants/decoder_unmasked_self_attention",
                                  "correct/dropout_rand_masks"])
def test_the_bundle_says_what_the_repository_says(bundle, tmp_path, reference, name):
    """The same diagnoses too, not only the catalogued mistakes: counterfactual probes replayed from their stored
    candidates (qkv_roles, decoder_masks), probes shipped as code (pe_columns, norm_reused), dropout patterns recovered
    from stored fits (a correct dropout that draws unlike the reference passes; a checkerboard is named). The whole
    corpus is compared in CI (tools/parity.py) with a bundle installed in a fresh environment."""
    from corpus import build, load

    from grader.report import json as json_report

    kind, stem = name.split("/")
    sub = build(load(ROOT / "tests" / "corpus" / kind / f"{stem}.py"), tmp_path / stem)
    done = bundle_grade(bundle, "check", str(sub), "--assignment", "transformer", "--format", "json")
    theirs = json.loads(done.stdout)
    ours = json_report.to_dict(api.check(sub, reference=reference), "en")

    def said(result: dict) -> list:
        return [(e["id"], e["status"], e["score"], sorted(m["id"] for m in e["mistakes"]),
                 sorted(d["id"] for d in e["diagnoses"])) for e in result["exercises"]]

    assert said(theirs) == said(ours)
    if kind == "correct":
        assert theirs["score"] == 100
    else:
        assert any(e["diagnoses"] for e in theirs["exercises"])


def test_tampered_fixture_is_refused(bundle, tmp_path):
    copy = tmp_path / "bundle"
    shutil.copytree(bundle, copy)
    target = next((copy / "grader" / "cases" / "transformer").glob("causal_mask.*.safetensors"))
    data = bytearray(target.read_bytes())
    data[-1] ^= 0xFF  # one value of one stored output changes
    target.write_bytes(bytes(data))
    result = bundle_grade(copy, "check", "--format", "json", cwd=copy / "transformer")
    assert result.returncode == 2
    assert "modified after the bundle was made" in result.stderr + result.stdout


def test_release_refuses_a_non_empty_folder(tmp_path):
    (tmp_path / "x").mkdir()
    (tmp_path / "x" / "keep.txt").write_text("mine")
    with pytest.raises(release.ReleaseError, match="not empty"):
        release.release(assignment="transformer", output=tmp_path / "x")
    assert (tmp_path / "x" / "keep.txt").read_text() == "mine"


def test_gradescope_zip_runs_as_gradescope_would(tmp_path):
    from test_formats import validate_gradescope

    path = release.gradescope_zip(assignment="transformer", output=tmp_path / "autograder.zip")
    source = tmp_path / "source"
    with zipfile.ZipFile(path) as zf:
        names = set(zf.namelist())
        modes = {i.filename: i.external_attr >> 16 for i in zf.infolist()}
        zf.extractall(source)
    assert {"setup.sh", "run_autograder", "pyproject.toml", "grader/builtin/transformer/spec.py",
            "solutions/transformer/attention.py", "assignments/transformer/quiz.toml"} <= names
    assert modes["run_autograder"] & stat.S_IXUSR and modes["setup.sh"] & stat.S_IXUSR
    os.chmod(source / "run_autograder", 0o755)
    submission, results = tmp_path / "submission", tmp_path / "results"
    shutil.copytree(STUBS, submission)
    shutil.copyfile(SOLUTIONS / "attention.py", submission / "attention.py")
    env = {**os.environ, "AUTOGRADER_SOURCE": str(source), "AUTOGRADER_SUBMISSION": str(submission),
           "AUTOGRADER_RESULTS": str(results), "AUTOGRADER_GRADE": str(Path(sys.executable).parent / "grade")}
    env.pop("NLP_GRADER_CACHE", None)
    # setup.sh's last step, as Gradescope runs it when it builds the image: the reference's cases prepared
    prepare = (source / "setup.sh").read_text().split("# the reference's cases prepared once")[1].split("\n", 1)[1]
    prepare = prepare.replace("/autograder/source", str(source)).replace("/autograder/venv/bin/grade", env["AUTOGRADER_GRADE"])
    subprocess.run(["bash", "-euo", "pipefail", "-c", prepare], env=env, check=True, capture_output=True)
    kept = list((source / ".cache").glob("transformer-*.safetensors"))
    assert len(kept) == 1
    before = kept[0].stat().st_mtime_ns
    done = subprocess.run([str(source / "run_autograder")], env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert kept[0].stat().st_mtime_ns == before  # each submission's run read the cases, computed none again
    data = json.loads((results / "results.json").read_text())
    validate_gradescope(data)
    by_name = {t["name"]: t for t in data["tests"]}
    assert by_name["causal_mask: size_7"]["visibility"] == "after_published" and by_name["causal_mask: size_7"]["score"] > 0
    assert data["score"] == 30  # masked_softmax (10), attention (10) and the two masks (5 + 5)
    shutil.rmtree(submission)
    submission.write_text("not a folder")
    subprocess.run([str(source / "run_autograder")], env=env, capture_output=True, text=True, check=True)
    failed = json.loads((results / "results.json").read_text())
    assert failed["score"] == 0 and "not a grade" in failed["output"]


def test_a_bundle_cannot_release_or_export(bundle, tmp_path):
    result = bundle_grade(bundle, "release", "--assignment", "transformer", "--output", str(tmp_path / "again"))
    assert result.returncode == 2 and "no reference" in result.stderr + result.stdout
    result = bundle_grade(bundle, "export", "gradescope", "--assignment", "transformer", "--output", str(tmp_path / "a.zip"))
    assert result.returncode == 2 and not (tmp_path / "a.zip").exists()


def test_hidden_cases_from_a_bundle_are_a_usage_error(bundle, tmp_path):
    """The bundle has no hidden case: `--hidden` says so and exits 2, instead of running the visible ones
    and reporting "hidden": true."""
    result = bundle_grade(bundle, "check", str(bundle / "transformer"), "--hidden", "--format", "json")
    assert result.returncode == 2, (result.returncode, result.stdout[-500:], result.stderr[-500:])
    said = " ".join(result.stderr.split())
    assert "--hidden" in said and "public cases only" in said and "grade check --hidden" not in said


# --- a release ships pristine starter files, never an instructor's working copy ----------------------------


def _course(tmp_path: Path, *, git: bool) -> Path:
    """A copy of the course repository (a git checkout with everything committed, or a plain folder)."""
    course = tmp_path / "course"
    for name in ("grader", "assignments", "solutions"):
        shutil.copytree(ROOT / name, course / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copyfile(ROOT / name, course / name)
    if git:
        for args in (["init", "-q"], ["add", "-A"], ["-c", "user.name=t", "-c", "user.email=t@example.org", "commit",
                                                      "-qm", "the course"]):
            subprocess.run(["git", "-C", str(course), *args], check=True, capture_output=True)
    return course


def _grade_from(course: Path, *args: str, lang: str = "en") -> subprocess.CompletedProcess:
    """`grade` with the copy's grader (its plug-ins, so its stubs) first on the path."""
    env = {**os.environ, "PYTHONPATH": str(course), "GRADER_LANG": lang, "COLUMNS": "200"}
    return subprocess.run([sys.executable, "-m", "grader", *args], capture_output=True, text=True, env=env, cwd=course)


def _line_of(path: Path, name: str) -> int:
    import ast

    return next(n.lineno for n in ast.parse(path.read_text()).body if getattr(n, "name", None) == name)


def test_a_release_ships_the_committed_stubs_not_the_working_copy(tmp_path):
    course = _course(tmp_path, git=True)
    stubs = course / "assignments" / "transformer"
    committed = (stubs / "attention.py").read_bytes()
    shutil.copyfile(SOLUTIONS / "attention.py", stubs / "attention.py")  # the instructor tried the homework
    (stubs / "scratch.py").write_text("print('my notes')\n")
    done = _grade_from(course, "release", "--assignment", "transformer", "--output", str(tmp_path / "bundle"))
    assert done.returncode == 0, done.stderr
    bundle = tmp_path / "bundle"
    assert (bundle / "transformer" / "attention.py").read_bytes() == committed
    assert not (bundle / "transformer" / "scratch.py").exists()
    said = " ".join(done.stdout.split())
    assert "committed version (git HEAD) of these files, which differ in your working copy: attention.py" in said
    assert "Left out, never committed: scratch.py" in said
    manifest = release.shipped(bundle)
    assert manifest["starter"]["kind"] == "git" and manifest["allow_implemented"] is False
    listed = {f["path"]: f for f in manifest["files"]}
    import hashlib

    assert listed["transformer/attention.py"]["sha256"] == hashlib.sha256(committed).hexdigest()
    assert set(listed) == {p.relative_to(bundle).as_posix() for p in bundle.rglob("*") if p.is_file()} - {"release.json"}
    assert f"transformer/attention.py {len(committed)} B sha256 {hashlib.sha256(committed).hexdigest()[:16]}" in said


@pytest.mark.parametrize("git", [True, False], ids=["git", "folder"])
def test_an_implemented_exercise_is_refused_by_the_release_and_the_autograder(tmp_path, git):
    course = _course(tmp_path, git=False)
    shutil.copyfile(SOLUTIONS / "attention.py", course / "assignments" / "transformer" / "attention.py")
    if git:  # committed: the committed version itself is implemented
        course = _course(tmp_path / "again", git=False)
        shutil.copyfile(SOLUTIONS / "attention.py", course / "assignments" / "transformer" / "attention.py")
        for args in (["init", "-q"], ["add", "-A"], ["-c", "user.name=t", "-c", "user.email=t@example.org", "commit",
                                                      "-qm", "oops"]):
            subprocess.run(["git", "-C", str(course), *args], check=True, capture_output=True)
    line = _line_of(SOLUTIONS / "attention.py", "masked_softmax")
    for lang, words in (("en", "Not released"), ("ko", "배포하지 않았습니다")):
        done = _grade_from(course, "release", "--assignment", "transformer", "--output", str(tmp_path / "b"), lang=lang)
        said = " ".join(done.stderr.split())
        assert done.returncode == 2 and words in said and f"attention.py, line {line}: masked_softmax" in said, said
        assert "--allow-implemented" in said and not (tmp_path / "b").exists()
    done = _grade_from(course, "export", "gradescope", "--assignment", "transformer", "--output", str(tmp_path / "a.zip"))
    assert done.returncode == 2 and "masked_softmax" in done.stderr and not (tmp_path / "a.zip").exists()


def test_allow_implemented_ships_starter_code_and_says_so(tmp_path):
    course = _course(tmp_path, git=False)
    shutil.copyfile(SOLUTIONS / "attention.py", course / "assignments" / "transformer" / "attention.py")
    done = _grade_from(course, "release", "--assignment", "transformer", "--output", str(tmp_path / "bundle"),
                       "--allow-implemented")
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "bundle" / "transformer" / "attention.py").read_bytes() == (SOLUTIONS / "attention.py").read_bytes()
    manifest = release.shipped(tmp_path / "bundle")
    assert manifest["starter"]["kind"] == "folder" and manifest["allow_implemented"] is True
    assert {i["exercise"] for i in manifest["implemented"]} == {"masked_softmax", "scaled_dot_product_attention",
                                                                "causal_mask", "padding_mask"}
    assert "Shipped as starter code, as asked (--allow-implemented)" in " ".join(done.stdout.split())
    done = _grade_from(course, "export", "gradescope", "--assignment", "transformer", "--output", str(tmp_path / "a.zip"),
                       "--allow-implemented")
    assert done.returncode == 0, done.stderr
    with zipfile.ZipFile(tmp_path / "a.zip") as zf:
        assert zf.read("assignments/transformer/attention.py") == (SOLUTIONS / "attention.py").read_bytes()
        assert json.loads(zf.read("release.json"))["allow_implemented"] is True


def test_the_autograder_installs_the_torch_it_was_made_with(tmp_path):
    import torch

    made_with = torch.__version__.split("+")[0]
    path = release.gradescope_zip(assignment="transformer", output=tmp_path / "a.zip")
    with zipfile.ZipFile(path) as zf:
        setup = zf.read("setup.sh").decode()
        manifest = json.loads(zf.read("release.json"))
        shipped_stubs = {n for n in zf.namelist() if n.startswith("assignments/transformer/")}
    assert f'"torch=={made_with}" --index-url https://download.pytorch.org/whl/cpu' in setup
    assert manifest["torch"] == made_with and manifest["implemented"] == []
    assert "assignments/transformer/quiz.toml" in shipped_stubs  # the instructor's bank grades the quiz
    path = release.gradescope_zip(assignment="transformer", output=tmp_path / "b.zip", torch="2.4.1")
    with zipfile.ZipFile(path) as zf:
        assert '"torch==2.4.1"' in zf.read("setup.sh").decode()
    with pytest.raises(release.ReleaseError) as info:
        release.gradescope_zip(assignment="transformer", output=tmp_path / "c.zip", torch="latest; rm -rf /")
    assert info.value.message is not None and info.value.message.key == "release.bad_torch"


def test_a_courses_bundles_install_side_by_side(tmp_path):
    """pip installs two assignments' bundles into one environment, as a student taking the course does: both stay
    gradable (a second bundle used to replace the first, leaving "no assignment called 'seq2seq'"), and the
    grader knows its version from either bundle's metadata."""
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, capture_output=True, timeout=300)
    python = venv / "bin" / "python"
    for name in ("seq2seq", "pretraining"):
        out = release.release(assignment=name, output=tmp_path / f"bundle-{name}")
        subprocess.run([str(python), "-m", "pip", "install", "--quiet", "--no-deps", "--disable-pip-version-check",
                        str(out)], check=True, capture_output=True, timeout=300)
    # torch, click and the rest from this interpreter's site-packages, where no `grader` package lies (the course
    # repository is installed editable there: its path file is not read from PYTHONPATH)
    deps = [p for p in sys.path if p.endswith("site-packages") and not (Path(p) / "grader").exists()]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(deps), "GRADER_LANG": "en"}

    def grade(*args: str, cwd: Path = tmp_path) -> subprocess.CompletedProcess:
        return subprocess.run([str(python), "-m", "grader", *args], capture_output=True, text=True, env=env, cwd=cwd)

    # the version from the bundles' own metadata: nothing else on the path (importing grader needs no dependency)
    alone = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    where = subprocess.run([str(python), "-c", "import grader; print(grader.__file__, grader.__version__)"],
                           capture_output=True, text=True, env=alone, cwd=tmp_path)
    assert str(venv) in where.stdout and where.stdout.split()[-1] == release.__version__, where.stdout + where.stderr
    listed = grade("list")
    assert listed.returncode == 0 and "seq2seq:" in listed.stdout and "pretraining:" in listed.stdout, listed.stderr
    for name in ("seq2seq", "pretraining"):
        stubs = grade("check", "--format", "json", cwd=tmp_path / f"bundle-{name}" / name)
        assert stubs.returncode == 1, stubs.stderr
        data = json.loads(stubs.stdout)
        assert data["assignment"] == name and {e["status"] for e in data["exercises"]} == {"not_attempted"}


def test_a_bundles_list_does_not_count_hidden_cases_it_cannot_see(bundle):
    """A bundle holds the visible cases only: `grade list` there counts those and says hidden ones come at grading,
    instead of "3 + 0", which read as "no hidden cases" beside a report that says there are."""
    listed = bundle_grade(bundle, "list", "--assignment", "transformer", cwd=bundle / "transformer")
    assert listed.returncode == 0, listed.stderr
    said = " ".join(listed.stdout.split())
    assert "visible cases" in said and "+ 0" not in said and "visible + hidden" not in said
    assert "your instructor's grading runs hidden cases too" in said
    repo = subprocess.run([sys.executable, "-m", "grader", "list", "--assignment", "transformer"], capture_output=True,
                          text=True, env={**os.environ, "GRADER_LANG": "en"}, cwd=ROOT)
    assert "visible + hidden" in repo.stdout and "hidden cases too" not in repo.stdout


@pytest.mark.parametrize("name", ["transformer", "seq2seq"])
def test_the_bundle_readme_promises_a_notebook_only_when_it_ships_one(tmp_path, name):
    out = release.release(assignment=name, output=tmp_path / "bundle")
    ships = (out / name / f"{name}.ipynb").is_file()
    assert ships == (name == "transformer")  # the one assignment with a handout notebook today
    readme = (out / "README.md").read_text(encoding="utf-8")
    assert readme.count(f"{name}/{name}.ipynb") == (4 if ships else 0)
    assert "숨은" not in readme  # the glossary's term is 비공개 케이스
