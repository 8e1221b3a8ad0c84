from __future__ import annotations

import sys
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent
sys.path.insert(0, str(TESTS))

from grader import specs  # noqa: E402
from grader.reference import Reference  # noqa: E402

SOLUTIONS = ROOT / "solutions" / "transformer"
STUBS = ROOT / "assignments" / "transformer"


@pytest.fixture(scope="session")
def assignment():
    return specs.get("transformer")


@pytest.fixture(scope="session")
def reference(assignment):
    """One reference for the whole session: cases and expected outputs are computed once."""
    return Reference(assignment)


@pytest.fixture
def submission(tmp_path):
    """A copy of the reference solution to break on purpose: submission(file=..., replace=(old, new))."""
    import shutil

    def make(*edits: tuple[str, str, str], name: str = "sub") -> Path:
        dest = tmp_path / name
        shutil.copytree(SOLUTIONS, dest, ignore=shutil.ignore_patterns("__pycache__"))
        for file, old, new in edits:
            path = dest / file
            text = path.read_text(encoding="utf-8")
            assert old in text, f"{old!r} not in {file}"
            path.write_text(text.replace(old, new, 1), encoding="utf-8")
        return dest

    return make


def pytest_configure(config):
    # tests that take minutes rather than seconds (CI runs them; deselect locally with -m "not slow")
    config.addinivalue_line("markers", "slow: takes minutes rather than seconds")
