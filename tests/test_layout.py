"""Issue 24, parts 4 and 5 without a sandbox: the terminal report at 80 columns (names and files whole, scores in
a fixed width, several failures: the first in full, a line for each other), the student's .md (identical failures
grouped, a syntax error once with its line) and the gradebook's statuses and numbers."""

from __future__ import annotations

import io

import pytest
from rich.console import Console

from grader import report, stats
from grader.api import assignment_spec
from grader.batch.render import gradebook_csv
from grader.report import feedback
from grader.report.options import Options
from grader.report.text import summary_table
from grader.results import CaseResult, CheckResult, ExerciseResult, GradeResult, Message, Status

SPEC = assignment_spec("transformer")


def _values(case: str, hidden: bool = False) -> CaseResult:
    message = Message("check.values", {"key": "output", "mismatched": 3, "total": 8, "share": 37.5})
    return CaseResult(case, hidden, Status.FAILED, (CheckResult("values", False, message),))


def _syntax(case: str) -> CaseResult:
    message = Message("check.syntax", {"file": "layers.py", "line": 7, "detail": "invalid syntax",
                                       "text": "class EncoderLayer(:"})
    return CaseResult(case, False, Status.ERROR, (CheckResult("signature", False, message),))


def result(exercises: list[ExerciseResult]) -> GradeResult:
    return GradeResult("transformer", round(sum(e.score for e in exercises), 2), 100, tuple(exercises), False, "cpu",
                       "namespaces", "0")


def several_failing() -> GradeResult:
    out = []
    for e in SPEC.exercises:  # every exercise fails with an odd score: 11.85/16 and the like
        cases = tuple(_values(c.id, c.hidden) for c in e.cases)
        out.append(ExerciseResult(e.id, e.file, round(e.points * 0.7407, 2), e.points, Status.FAILED, cases))
    return result(out)


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_report_holds_at_80_columns_and_shows_the_first_failure_in_full(lang):
    text = report.render("text", several_failing(), lang, Options(width=80))
    lines = text.splitlines()
    assert all(len(line) <= 80 for line in lines)
    for e in SPEC.exercises:  # each name and file whole, on one line
        assert any(e.id in line and e.file in line for line in lines), e.id
    assert "11.85/16" in text
    panels = [line for line in lines if line.startswith("╭─")]
    assert len(panels) == 1 and SPEC.exercises[0].id in panels[0]
    assert "grade check --all" in text
    # --all (and --exercise, which sets it) shows every one in full
    every = report.render("text", several_failing(), lang, Options(width=80, every=True))
    assert sum(line.startswith("╭─") for line in every.splitlines()) == len(SPEC.exercises)


def test_score_column_width_comes_from_the_points_not_the_scores():
    def header(r: GradeResult) -> str:
        buffer = io.StringIO()
        Console(file=buffer, width=80).print(summary_table(r, "en"))
        return buffer.getvalue().splitlines()[0]

    whole = result([ExerciseResult(e.id, e.file, float(e.points), e.points, Status.PASSED, ()) for e in SPEC.exercises])
    assert header(whole) == header(several_failing())


def test_markdown_groups_identical_failures_and_says_a_syntax_error_once():
    broken = ExerciseResult("EncoderLayer", "layers.py", 0, 12, Status.ERROR, tuple(_syntax(f"c{i}") for i in range(9)))
    alike = ExerciseResult("MultiHeadAttention", "multihead.py", 0, 16, Status.FAILED,
                           tuple(_values(f"v{i}") for i in range(13)))
    for lang in ("en", "ko"):
        md = feedback.markdown(result([broken, alike]), "erin", lang)
        assert md.count("invalid syntax") == 1 and md.count("class EncoderLayer(:") == 1, md
        assert "[signature]" not in md
    md = feedback.markdown(result([broken, alike]), "erin", "en")
    assert "12 cases (v1, v2, v3, v4, v5, v6, …): failed \\[values\\]" in md, md
    assert "9 cases not run: layers.py does not parse (line 7, above)" in md


def _row(name: str, code: str | None, status: str = "graded", score: float = 5) -> dict:
    checks = [{"name": "runs", "passed": False, "code": code}] if code else []
    return {"submission": name, "score": score, "max_score": 100, "batch": {"status": status},
            "exercises": [{"id": "masked_softmax", "score": score, "status": "error" if code else "passed",
                           "cases": [{"id": "a", "status": "error" if code else "passed", "checks": checks}]}]}


def test_gradebook_statuses_and_numbers():
    rows = [_row("a", None), _row("b", "check.syntax"), _row("c", "check.timeout_at"), _row("d", "check.crashed"),
            _row("e", "check.exception"), _row("f", None, "invalid", 0), _row("g", None, "grader_error")]
    assert [stats.gradebook_status(r) for r in rows] == ["graded", "syntax_error", "timeout", "crashed", "graded",
                                                          "invalid", "grader_error"]
    csv = gradebook_csv(rows, SPEC).splitlines()
    assert csv[1].startswith("a,5,100,") and ",0,0," in csv[6] and ".0," not in "\n".join(csv)
    assert csv[7].startswith("g,,100,")  # a grader error has no score: it is graded again
    summary = stats.summarize(rows, SPEC)
    assert summary["scored"] == 6 and summary["mean"] == pytest.approx(25 / 6, abs=0.01)
    assert summary["statuses"] == {"graded": 2, "syntax_error": 1, "timeout": 1, "crashed": 1, "invalid": 1,
                                   "grader_error": 1}


@pytest.mark.parametrize("sentence", [
    "디코더는 입력 길이와 상관없이 크기가 고정된 벡터인 인코더의 마지막 은닉 상태를 통해서만 입력을 봅니다",
    "가중합은 미분할 수 있어서 점수를 경사 하강법으로 학습할 수 있지만, 상태 하나를 고르는 것(argmax)은 그렇지 않습니다",
])
def test_wrapped_korean_in_a_table_column_keeps_every_syllable(sentence):
    """rich trims a wrapped line's last space by characters, not cells: in a column (overflow "ellipsis") a Hangul
    line one cell too wide lost its last syllable to "…". clean.prose folds: at every width the text stays whole."""
    from rich.table import Table

    from grader import clean

    for width in range(24, 81):
        grid = Table.grid(padding=(0, 1))
        grid.add_column(no_wrap=True)
        grid.add_column()
        grid.add_row("  a)", clean.prose(sentence))
        console = Console(file=io.StringIO(), width=width, record=True)
        console.print(grid)
        shown = console.export_text()
        assert "…" not in shown and "".join(shown.replace("a)", "").split()) == "".join(sentence.split()), (width, shown)
