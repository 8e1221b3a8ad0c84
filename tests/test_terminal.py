"""The text report at 80 columns, for real: rendered by rich at width 80 and in an 80-column tmux terminal.

What a student types after --exercise is an exercise name: it must appear whole, and no line may be wider
than the terminal (a wrapped table or a cut grid is unreadable)."""

from __future__ import annotations

import io
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from conftest import SOLUTIONS, STUBS
from rich.cells import cell_len
from rich.console import Console

from grader import api
from grader.report.plain import WIDTH, diff_text
from grader.report.text import render_report

GRADE = Path(sys.executable).with_name("grade")
UNSCALED = ("scores = q @ k.transpose(-2, -1) / math.sqrt(d_k)", "scores = q @ k.transpose(-2, -1)")


@pytest.fixture(scope="module")
def failing(tmp_path_factory) -> Path:
    """The reference solution without the 1/√d_k scaling: scaled_dot_product_attention fails with a diff grid."""
    dest = tmp_path_factory.mktemp("terminal") / "transformer"
    shutil.copytree(SOLUTIONS, dest, ignore=shutil.ignore_patterns("__pycache__"))
    attention = dest / "attention.py"
    text = attention.read_text(encoding="utf-8")
    assert UNSCALED[0] in text
    attention.write_text(text.replace(*UNSCALED), encoding="utf-8")
    return dest


@pytest.fixture(scope="module")
def result(failing):
    return api.check(failing)


def _lines(text: str) -> list[str]:
    return text.rstrip("\n").splitlines()


def _assert_readable(text: str, ids: list[str]) -> None:
    lines = _lines(text)
    too_wide = [(cell_len(line), line) for line in lines if cell_len(line) > 80]
    assert not too_wide, too_wide
    for exercise in ids:  # whole, on a line of the summary table
        assert any(line.startswith(exercise + " ") for line in lines), exercise


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_the_report_fits_80_columns_with_every_name_whole(result, lang):
    console = Console(file=io.StringIO(), width=80, record=True, highlight=False, soft_wrap=False)
    render_report(result, console, lang, title="Attention and the Transformer")
    text = console.export_text()
    ids = [e.id for e in result.exercises]
    assert "sinusoidal_positional_encoding" in ids and result.score < result.max_score
    _assert_readable(text, ids)
    lines = _lines(text)
    # the diff grid is there, whole: both headers and the separator, no value cut short with an ellipsis
    grid = [line for line in lines if "│  " in line and line.count("│") == 3]
    assert len(grid) >= 5, text
    assert not any("…" in line for line in grid), grid
    # the isolation notice is one short line
    notice = [line for line in lines if line.startswith(("isolated:", "격리:"))]
    assert len(notice) == 1 and cell_len(notice[0]) <= 60, notice


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_the_widest_statuses_still_leave_the_names_whole(lang):
    """Stubs: every status is "not attempted", the widest there is; the names must not give way to it."""
    stubs = api.check(STUBS)
    console = Console(file=io.StringIO(), width=80, record=True, highlight=False, soft_wrap=False)
    render_report(stubs, console, lang)
    _assert_readable(console.export_text(), [e.id for e in stubs.exercises])


def test_a_narrower_terminal_still_keeps_the_names_and_the_grid_within_it(result):
    console = Console(file=io.StringIO(), width=72, record=True, highlight=False, soft_wrap=False)
    render_report(result, console, "en")
    text = console.export_text()
    assert max(cell_len(line) for line in _lines(text)) <= 72
    assert "sinusoidal_positional_encoding" in text and "scaled_dot_product_attention" in text


def test_the_plain_diff_grid_fits_80_columns(result):
    failing_case = next(c for e in result.exercises for c in e.cases if c.failure and c.failure.diff)
    for lang in ("en", "ko"):
        text = diff_text(failing_case.failure.diff, lang)
        grid = [line for line in text.splitlines() if " | " in line and line.startswith("  ")]
        assert len(grid) >= 5
        assert all(len(line) <= WIDTH for line in grid), grid
        assert any("*" in line for line in grid)  # the values beyond the tolerance are marked


@pytest.fixture
def tmux() -> None:
    """A real terminal is part of what these tests check: without tmux they fail, they do not skip."""
    if shutil.which("tmux") is None:
        pytest.fail("tmux is required for the terminal tests (apt-get install tmux; .ci/run installs it)")


def _tmux(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["tmux", *args], capture_output=True, text=True, timeout=30)


@pytest.mark.usefixtures("tmux")
@pytest.mark.parametrize("lang", ["en", "ko"])
def test_in_a_real_80_column_terminal(failing, tmp_path, lang):
    """grade check in an 80x50 tmux pane: rich sizes itself from the terminal, nothing from the test."""
    socket = f"grade-test-{uuid.uuid4().hex[:8]}"
    done = tmp_path / "done"
    command = (f"cd {failing} && env -u COLUMNS -u LINES GRADER_LANG={lang} LANG=C.UTF-8 {GRADE} check --exercise "
               f"scaled_dot_product_attention --exercise sinusoidal_positional_encoding --exercise causal_mask; "
               f"touch {done}; sleep 30")
    started = _tmux("-L", socket, "-f", "/dev/null", "new-session", "-d", "-x", "80", "-y", "50", command)
    assert started.returncode == 0, started.stderr
    try:
        deadline = time.monotonic() + 120
        while not done.exists() and time.monotonic() < deadline:
            time.sleep(0.5)
        assert done.exists(), "grade did not finish in the tmux pane"
        pane = _tmux("-L", socket, "capture-pane", "-p", "-S", "-")
        assert pane.returncode == 0, pane.stderr
        text = pane.stdout
        width = _tmux("-L", socket, "display", "-p", "#{pane_width}").stdout.strip()
        assert width == "80"
    finally:
        _tmux("-L", socket, "kill-server")
    _assert_readable(text, ["scaled_dot_product_attention", "sinusoidal_positional_encoding", "causal_mask"])
    assert ("Start with scaled_dot_product_attention" if lang == "en" else "scaled_dot_product_attention부터") in text
    assert "│" in text and "…" not in text


def _forkservers() -> set[str]:
    out = subprocess.run(["pgrep", "-f", "grader.sandbox.forkserver"], capture_output=True, text=True).stdout
    return set(out.split())


@pytest.mark.usefixtures("tmux")
@pytest.mark.parametrize("lang, keys, command", [
    ("en", "C-c", "check {looping}"),
    ("ko", "C-c", "check {looping}"),
    ("en", "C-c", "quiz --assignment transformer"),  # Ctrl-D at a quiz prompt stops it keeping the answers: test_quiz_terminal
])
def test_ctrl_c_and_ctrl_d_interrupt_cleanly(submission, tmp_path, lang, keys, command):
    """In a real terminal: the key ends the run with one line, exit code 130, no apology, no traceback,
    and no process of the run is left (the fork server is in its own session, so the terminal's SIGINT
    reaches the grading process only)."""
    looping = submission()
    text = (looping / "attention.py").read_text()
    start = text.index("def masked_softmax")
    body = text.index('"""', text.index('"""', start) + 3) + 3
    (looping / "attention.py").write_text(text[:body] + "\n    while True:\n        scores = scores + 0\n" + text[body:])
    before = _forkservers()
    socket = f"grade-test-{uuid.uuid4().hex[:8]}"
    done = tmp_path / "done"
    line = (f"cd {tmp_path} && env GRADER_LANG={lang} LANG=C.UTF-8 {GRADE} {command.format(looping=looping)}; "
            f"echo exit=$? > {done}; sleep 30")
    started = _tmux("-L", socket, "-f", "/dev/null", "new-session", "-d", "-x", "80", "-y", "50", line)
    assert started.returncode == 0, started.stderr
    try:
        time.sleep(6)  # torch imported, the loop (or the quiz's first prompt) reached
        _tmux("-L", socket, "send-keys", keys)
        deadline = time.monotonic() + 30
        while not done.exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        pane = _tmux("-L", socket, "capture-pane", "-p", "-S", "-").stdout
    finally:
        _tmux("-L", socket, "kill-server")
    assert done.exists() and done.read_text().strip() == "exit=130", (pane, done.read_text() if done.exists() else "")
    assert ("interrupted" if lang == "en" else "중단했습니다") in pane, pane
    assert "Traceback" not in pane and "failed" not in pane.split("interrupted")[-1], pane
    deadline = time.monotonic() + 5
    while _forkservers() - before and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not _forkservers() - before
