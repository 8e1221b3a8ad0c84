"""`pytest` in an assignment folder (grader/pytest_plugin.py): in the repository, and from the student bundle alone.

The bundle tests install `grade release`'s bundle in a fresh virtual environment (torch first, as the bundle's README
says, then the bundle) once for the module, and run that environment's pytest in copies of its assignment folder.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from grader import api
from tests.corpus import CORPUS, build, load

ROOT = Path(__file__).resolve().parents[1]
SOLUTIONS = ROOT / "solutions" / "transformer"
FILES = ("positional.py", "attention.py", "multihead.py", "layers.py")


def _visible_ids() -> list[str]:
    spec = api.assignment_spec("transformer")
    return [f"{e.file}::{e.id}::{c.id}" for e in spec.exercises for c in e.cases if not c.hidden]


def test_the_plugin_stays_out_of_the_graders_own_tests(request):
    assert request.config.pluginmanager.has_plugin("nlp_grader")  # registered (entry point pytest11) ...
    assert request.config.pluginmanager.get_plugin("nlp-grader-session") is None  # ... and inert here


def test_one_grading_run_per_session(tmp_path, monkeypatch):
    """Every item's outcome comes from one api.check (one sandbox run), whatever the number of items."""
    folder = tmp_path / "transformer"
    shutil.copytree(ROOT / "assignments" / "transformer", folder, ignore=shutil.ignore_patterns("__pycache__"))
    for name in FILES:
        shutil.copy(SOLUTIONS / name, folder / name)
    calls = []
    real = api.check

    def counted(*args, **kwargs):
        calls.append(kwargs.get("exercises"))
        return real(*args, **kwargs)

    monkeypatch.setattr(api, "check", counted)
    monkeypatch.chdir(folder)
    assert pytest.main(["-q", "-p", "no:cacheprovider", "-k", "masked_softmax or causal_mask"]) == 0
    assert calls == [["masked_softmax", "causal_mask"]]


@pytest.fixture(scope="module")
def student(tmp_path_factory) -> tuple[Path, Path]:
    """(the bundle, its virtual environment's bin folder) with only the bundle (and torch) installed."""
    import torch

    base = tmp_path_factory.mktemp("bundle")
    bundle = api_release(base / "bundle")
    venv = base / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    version = torch.__version__.split("+")[0]
    for what in ([f"torch=={version}"], [str(bundle)]):
        done = subprocess.run(pip + what, capture_output=True, text=True, timeout=900)
        assert done.returncode == 0, f"pip install {what} failed (the package registry is needed): {done.stderr[-2000:]}"
    return bundle, venv / "bin"


def api_release(output: Path) -> Path:
    from grader import release

    return release.release(assignment="transformer", output=output)


def student_pytest(student: tuple[Path, Path], folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    _, bin_dir = student
    return subprocess.run([str(bin_dir / "pytest"), *args], cwd=folder, capture_output=True, text=True, timeout=600)


def _copy(student: tuple[Path, Path], dest: Path) -> Path:
    shutil.copytree(student[0] / "transformer", dest, ignore=shutil.ignore_patterns("__pycache__"))
    return dest


def test_bundle_lists_passes_and_fails_the_right_items(student, tmp_path):
    bundle, bin_dir = student
    import_check = subprocess.run([str(bin_dir / "python"), "-c", "import grader, sys; print(grader.__file__)"],
                                  cwd=tmp_path, capture_output=True, text=True, check=True)
    assert "site-packages" in import_check.stdout  # the bundle's grader, not this repository's

    listed = student_pytest(student, bundle / "transformer", "--collect-only", "-q")
    assert listed.returncode == 0, listed.stdout + listed.stderr
    ids = [line for line in listed.stdout.splitlines() if "::" in line]
    assert sorted(i.split("transformer/")[-1] for i in ids) == sorted(_visible_ids())  # files in pytest's order

    stubs = student_pytest(student, bundle / "transformer", "-q", "-rs", "-p", "no:cacheprovider")
    assert stubs.returncode == 0 and f"{len(ids)} skipped" in stubs.stdout and "transformer: 0 / 100" in stubs.stdout
    assert "not attempted" in stubs.stdout

    mine = _copy(student, tmp_path / "mine")
    for name in FILES:
        shutil.copy(SOLUTIONS / name, mine / name)
    correct = student_pytest(student, mine, "-q")
    assert correct.returncode == 0, correct.stdout
    assert f"{len(ids)} passed" in correct.stdout and "transformer: 100 / 100" in correct.stdout

    variant = load(CORPUS / "mutants" / "sdpa_no_sqrt.py")
    mutant = _copy(student, tmp_path / "mutant")
    built = build(variant, tmp_path / "built")
    for name in FILES:
        shutil.copy(built / name, mutant / name)
    failing = student_pytest(student, mutant, "-q")
    assert failing.returncode == 1
    failed = re.findall(r"^FAILED (\S+)", failing.stdout, flags=re.M)
    assert failed and {f.split("::")[1] for f in failed} == {variant.exercise}
    assert "known mistake" in failing.stdout and "no_sqrt_dk" in failing.stdout  # the grader's report
    assert re.search(r"^transformer: (\d+(\.\d+)?) / 100$", failing.stdout, flags=re.M)

    # -x stops at the first failure; --lf then reruns only the failed items; -k selects
    first = student_pytest(student, mutant, "-q", "-x")
    assert "1 failed" in first.stdout and "stopping after 1 failures" in first.stdout
    again = student_pytest(student, mutant, "-q", "--lf")
    assert f"{len(failed)} failed" in again.stdout and "deselected" in again.stdout and "passed" not in again.stdout
    picked = student_pytest(student, mutant, "-q", "-k", "masked_softmax", "-p", "no:cacheprovider")
    assert picked.returncode == 0 and "1 of 11 exercises graded" in picked.stdout
