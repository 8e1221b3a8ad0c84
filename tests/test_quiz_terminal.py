"""The quiz in a real 80-column terminal (tmux), typed as a student would: a wrong answer shows the right one,
long choices keep their indent, ``q`` (en) or Ctrl-D (ko) stops and keeps the answers, and ``--resume`` goes on."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from rich.cells import cell_len

if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib

GRADE = Path(sys.executable).with_name("grade")


def _tmux(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["tmux", *args], capture_output=True, text=True, timeout=30)


def _wait_for(socket: str, needle: str, seconds: float = 30) -> str:
    deadline = time.monotonic() + seconds
    pane = ""
    while time.monotonic() < deadline:
        pane = _tmux("-L", socket, "capture-pane", "-p", "-S", "-").stdout
        if needle in pane:
            return pane
        time.sleep(0.2)
    raise AssertionError(f"{needle!r} never appeared:\n{pane}")


def _session(tmp_path: Path, lang: str, args: str, steps: list[tuple[str, str]], done: str) -> str:
    """Start ``grade quiz ARGS`` in an 80x50 pane; for each (what to wait for, keys) wait, then type."""
    if shutil.which("tmux") is None:
        pytest.fail("tmux is required for the terminal tests (apt-get install tmux; .ci/run installs it)")
    socket = f"grade-quiz-{uuid.uuid4().hex[:8]}"
    marker = tmp_path / done
    line = (f"cd {tmp_path} && env GRADER_LANG={lang} LANG=C.UTF-8 {GRADE} quiz --assignment transformer {args}; "
            f"echo exit=$? > {marker}; sleep 30")
    started = _tmux("-L", socket, "-f", "/dev/null", "new-session", "-d", "-x", "80", "-y", "50", line)
    assert started.returncode == 0, started.stderr
    try:
        for needle, keys in steps:
            _wait_for(socket, needle)
            if keys in ("C-d", "C-c"):
                _tmux("-L", socket, "send-keys", keys)
            else:
                _tmux("-L", socket, "send-keys", "-l", keys)
                _tmux("-L", socket, "send-keys", "Enter")
            time.sleep(0.3)
        deadline = time.monotonic() + 30
        while not marker.exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        pane = _tmux("-L", socket, "capture-pane", "-p", "-S", "-").stdout
    finally:
        _tmux("-L", socket, "kill-server")
    assert marker.exists(), pane
    assert marker.read_text().strip() == "exit=1", (marker.read_text(), pane)
    too_wide = [line for line in pane.splitlines() if cell_len(line) > 80]
    assert not too_wide and "Traceback" not in pane, pane
    return pane


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_stop_and_resume_in_a_real_terminal(tmp_path, lang):
    ask = "Answer a–d:" if lang == "en" else "답 (a–d 중 하나):"
    stop = "q" if lang == "en" else "C-d"
    pane = _session(tmp_path, lang, "--student s001", [(ask, "b"), ("2/53", "a"), ("3/53", stop)], "first")
    right = ("The right answer: a) What this position is looking for" if lang == "en"
             else "정답: a) ")
    assert right in pane, pane
    # the third question's long choice a) wraps under its own text
    lines = pane.splitlines()
    if lang == "en":
        at = next(i for i, line in enumerate(lines) if "a) Queries from the decoder" in line)
        assert lines[at + 1].index("output") == lines[at].index("Queries"), lines[at:at + 2]
    stopped = "Stopped with 2 of 53" if lang == "en" else "53문제 중 2문제에 답하고 멈췄습니다"
    assert stopped in pane and "quiz-answers.toml" in pane and "--resume" in pane, pane
    # the command to go on stands whole on a line of its own, not broken across two
    assert "grade quiz --assignment transformer --resume" in [row.strip() for row in lines], pane
    saved = tomllib.loads((tmp_path / "quiz-answers.toml").read_text())
    assert saved == {"student": "s001", "qkv-query-role": "b", "qkv-self-attention-source": "a"}

    number = "Answer: a number" if lang == "en" else "답 (숫자"
    pane = _session(tmp_path, lang, "--resume --topic qkv --topic scaling",
                    [(ask, "a"), ("2/6", ""), ("3/6", ""), ("4/6", "b"), (number, "2*sqrt(64)"), ("6/6", "q")],
                    "second")
    resumed = "Going on from quiz-answers.toml: 2 answered" if lang == "en" else "quiz-answers.toml에서 이어서 풉니다"
    assert resumed in pane, pane
    saved = tomllib.loads((tmp_path / "quiz-answers.toml").read_text())
    assert saved["qkv-cross-attention-source"] == "a" and saved["scaling-divisor"] == "2*sqrt(64)", saved
    assert saved["student"] == "s001" and "qkv-query-role" in saved


BANKS = sorted((Path(__file__).resolve().parents[1] / "assignments").glob("*/quiz.toml"))
SHOW_ALL = """
import sys
from rich.console import Console
from grader.quiz import bank, interactive
b = bank.load(bank.Path(sys.argv[1]))
console = Console()  # sized from the terminal, as grade quiz is
for i, q in enumerate(b.questions, 1):
    interactive._show(q, i, len(b.questions), sys.argv[2], "s001", console)
print("shown-all")
"""
FRAME = str.maketrans("", "", "│╭╮╰╯─ \n")


def _whole(text: str) -> str:
    return "".join(text.split())


@pytest.mark.parametrize("lang", ["en", "ko"])
@pytest.mark.parametrize("path", BANKS, ids=[p.parent.name for p in BANKS])
def test_every_question_and_choice_is_whole_in_an_80_column_terminal(tmp_path, path, lang):
    """Every prompt and every choice of every bank, as grade quiz shows them in an 80-column tmux pane: no
    character lost, no … put in (rich counts characters, not cells, when it trims a wrapped line's last space: a
    Hangul line one cell too wide lost its last syllable to an ellipsis)."""
    from grader.quiz import bank

    if shutil.which("tmux") is None:
        pytest.fail("tmux is required for the terminal tests (apt-get install tmux; .ci/run installs it)")
    script = tmp_path / "show_all.py"
    script.write_text(SHOW_ALL, encoding="utf-8")
    socket = f"grade-quiz-{uuid.uuid4().hex[:8]}"
    marker = tmp_path / "done"
    root = Path(__file__).resolve().parents[1]  # this checkout's grader, whatever the environment has installed
    line = f"PYTHONPATH={root} LANG=C.UTF-8 {sys.executable} {script} {path} {lang}; touch {marker}; sleep 30"
    started = _tmux("-L", socket, "-f", "/dev/null", "new-session", "-d", "-x", "80", "-y", "50", line)
    assert started.returncode == 0, started.stderr
    try:
        _wait_for(socket, "shown-all")
        pane = _tmux("-L", socket, "capture-pane", "-p", "-S", "-").stdout
    finally:
        _tmux("-L", socket, "kill-server")
    assert "Traceback" not in pane and not [row for row in pane.splitlines() if cell_len(row) > 80], pane
    shown = pane.translate(FRAME)
    questions = bank.load(path).questions
    texts = [q.render(lang, bank.draw(q, "s001")) for q in questions]
    texts += [c.text[lang] for q in questions for c in q.choices]
    lost = [text for text in texts if _whole(text) not in shown]
    assert not lost, "\n".join(lost)
    assert shown.count("…") == sum(text.count("…") for text in texts), pane
