"""A class with one poisoned submission of each kind still gives a complete gradebook.

Links to /proc/self/mem and /dev/stdin and a named pipe inside a folder, zips whose entries cannot be
unpacked, quiz answers that cannot be read, reserved, hidden, shared and hostile names, a classmate's
quiz answers: each is graded, marked invalid or reported with its reason, and the batch goes on. Only
one exercise is graded to keep this quick.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import signal
import zipfile
from pathlib import Path

import pytest
import tomli_w
from click.testing import CliRunner
from conftest import ROOT, SOLUTIONS

from grader import batch, clean, cli
from grader.quiz import bank as qbank
from grader.quiz.grade import grade

BANK = qbank.load(ROOT / "assignments" / "transformer" / "quiz.toml")
FORMULA = "=HYPERLINK(\"http:x\")[reverse]\x1b[2J"
NOT_UTF8 = b"caf\xe9"


def right_answers(student: str) -> dict:
    out = {}
    for q in BANK.questions:
        if q.type == "numeric":
            out[q.id] = qbank.expected_number(q, qbank.draw(q, student))
        else:
            out[q.id] = q.answer[-1] if q.type == "text" else q.answer
    return out


def solution(folder: Path) -> Path:
    shutil.copytree(SOLUTIONS, folder, ignore=shutil.ignore_patterns("__pycache__"))
    return folder


def make_class(root: Path) -> Path:
    klass = root / "class"
    klass.mkdir()
    alice = solution(klass / "alice")
    (alice / "quiz-answers.toml").write_text(tomli_w.dumps({"student": "alice", **right_answers("alice")}))
    linky = solution(klass / "linky")
    os.symlink("/proc/self/mem", linky / "mem.py")
    os.symlink("/dev/stdin", linky / "stdin.py")
    os.symlink("/dev/stdin", linky / "quiz-answers.toml")
    os.mkfifo(linky / "fifo.py")  # whoever opens it to read waits for a writer
    with zipfile.ZipFile(klass / "longname.zip", "w") as zf:
        zf.writestr("hw/" + "a" * 300 + ".py", "x = 1\n")
    with zipfile.ZipFile(klass / "clash.zip", "w") as zf:
        zf.writestr("hw/attention.py", "x = 1\n")
        zf.writestr("hw/attention.py/inner.py", "x = 2\n")
    with open(os.path.join(os.fsencode(klass), NOT_UTF8 + b".zip"), "wb") as f, zipfile.ZipFile(f, "w") as zf:
        zf.writestr("hw/" + "b" * 300 + ".py", "x = 1\n")
    for name, content in [("hugeint", b"scaling-divisor = " + b"9" * 5000 + b"\n"),
                          ("deep", b"qkv-query-role = " + b"[" * 20000 + b"]" * 20000 + b"\n"),
                          ("latin1", b'student = "latin1"\nqkv-query-role = "\xe9t\xe9"\n')]:
        (solution(klass / name) / "quiz-answers.toml").write_bytes(content)
    forger = solution(klass / "forger")  # a classmate's answers file, declaring the classmate
    (forger / "quiz-answers.toml").write_text(tomli_w.dumps({"student": "alice", **right_answers("alice")}))
    solution(klass / FORMULA)
    solution(klass / "summary")
    shutil.copy(klass / "clash.zip", klass / ".bob.zip")
    (klass / "dup").mkdir()
    shutil.copy(klass / "clash.zip", klass / "dup.zip")
    os.symlink("/dev/stdin", klass / "lnk.zip")
    (klass / "README.txt").write_text("not a submission\n")
    return klass


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    root = tmp_path_factory.mktemp("hostile")
    klass = make_class(root)
    out = root / "out"

    def hung(*_):
        raise TimeoutError("the batch hung")

    previous = signal.signal(signal.SIGALRM, hung)
    signal.alarm(540)
    try:
        result = CliRunner().invoke(cli.main, ["batch", str(klass), "--assignment", "transformer", "--output", str(out),
                                               "--exercise", "causal_mask", "--workers", "2", "--lang", "en"])
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    return klass, out, result


def rows(out: Path) -> dict[str, dict]:
    with (out / "gradebook.csv").open(encoding="utf-8", newline="") as f:
        return {r["student"]: r for r in csv.DictReader(f)}


def record(out: Path, name: str) -> dict:
    return json.loads((out / f"{batch.result_stem(name)}.json").read_text(encoding="utf-8"))


def test_every_submission_is_accounted_for(graded):
    _, out, result = graded
    assert result.exit_code == 0, result.output
    book = rows(out)
    status = {name: row["status"] for name, row in book.items()}
    formula = clean.csv_cell(clean.name(FORMULA))
    assert formula.startswith("'=HYPERLINK") and "\x1b" not in formula
    not_utf8 = clean.name(os.fsdecode(NOT_UTF8))
    assert status == {"alice": "graded", "linky": "graded", "hugeint": "graded", "deep": "graded", "latin1": "graded",
                      "forger": "graded", formula: "graded", "longname": "invalid", "clash": "invalid",
                      not_utf8: "invalid"}
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    rejected = {r["submission"]: r["reason"] for r in summary["rejected"]}
    assert rejected == {"summary": "reserved", ".bob": "hidden", "dup": "duplicate", "lnk": "link"}
    assert summary["submissions"] == 10 and summary["graded"] == 7 and not summary["grader_errors"]
    said = " ".join(result.output.split())
    for name in rejected:
        assert f"not graded: {name} (" in said
    assert "\x1b" not in result.output
    assert not (out / "summary.md").exists() and json.loads((out / "summary.json").read_text())["rejected"]


def test_the_correct_submission_has_full_marks(graded):
    _, out, _ = graded
    alice = rows(out)["alice"]
    assert float(alice["score"]) == float(alice["max_score"]) == float(alice["causal_mask"]) == 5
    assert float(alice["quiz_score"]) == float(alice["quiz_max_score"]) == BANK.max_score


def test_links_and_pipes_are_left_out_not_followed(graded):
    _, out, _ = graded
    data = record(out, "linky")
    assert data["score"] == data["max_score"] == 5
    assert set(data["batch"]["left_out"]) == {"mem.py (symbolic link)", "stdin.py (symbolic link)",
                                              "quiz-answers.toml (symbolic link)", "fifo.py (not a regular file)"}
    assert "quiz" not in data  # the linked answers file was never read
    assert "mem.py" in (out / "linky.md").read_text(encoding="utf-8")


def test_zip_entries_that_cannot_be_unpacked_make_the_submission_invalid(graded):
    _, out, _ = graded
    assert "longer than 255 bytes" in record(out, "longname")["error"]
    assert "clashes with another entry" in record(out, "clash")["error"]
    weird = record(out, os.fsdecode(NOT_UTF8))
    assert weird["submission"] == "caf\ufffd" and weird["batch"]["status"] == "invalid"


@pytest.mark.parametrize("name,expected", [("hugeint", "cannot be read"), ("deep", "too deeply"),
                                           ("latin1", "not UTF-8")])
def test_unreadable_quiz_answers_are_a_quiz_error(graded, name, expected):
    _, out, _ = graded
    data = record(out, name)
    assert data["batch"]["status"] == "graded" and data["score"] == 5
    assert expected in data["quiz"]["error"]
    assert "Quiz problem" in (out / f"{name}.md").read_text(encoding="utf-8")


def test_the_quiz_is_graded_for_the_submission_not_the_declared_student(graded):
    _, out, _ = graded
    quiz = record(out, "forger")["quiz"]
    assert quiz["student"] == "forger"
    assert quiz["score"] == grade(BANK, right_answers("alice"), "forger").score < BANK.max_score


def test_hostile_names_get_safe_files(graded):
    _, out, _ = graded
    for path in out.iterdir():
        assert path.name.isprintable() and "\x1b" not in path.name and not path.name.startswith(".")
    data = record(out, FORMULA)
    assert data["submission"] == clean.name(FORMULA) and data["score"] == 5
    md = (out / f"{batch.result_stem(FORMULA)}.md").read_text(encoding="utf-8")
    assert md.startswith("# \\=HYPERLINK(\"http:x\")\\[reverse\\]\\[2J: ")


def test_resume_keeps_everything_and_changes_nothing(graded, tmp_path):
    klass, out, _ = graded
    copy = tmp_path / "out"
    shutil.copytree(out, copy)
    again = batch.run(klass, assignment="transformer", output=copy, workers=2, exercises=["causal_mask"])
    assert not again.failed and again.graded == []  # invalid ones are unchanged too: kept
    assert (copy / "gradebook.csv").read_text() == (out / "gradebook.csv").read_text()
    assert {r["submission"] for r in again.rejected} == {"summary", ".bob", "dup", "lnk"}
