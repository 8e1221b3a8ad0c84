"""Student text cannot inject anything into a report: terminal, CSV, Markdown, JUnit XML or JSON.

A result is built by hand with hostile text everywhere a submission can put text (messages, tracebacks,
printed output, ids, names, the quiz's student id), and every renderer is read back with a strict reader.
"""

from __future__ import annotations

import csv
import io
import json
import re
import xml.etree.ElementTree as ET

import pytest
from markdown_it import MarkdownIt
from rich.console import Console

from grader import api, batch, clean, stats
from grader.batch import driver
from grader.quiz.grade import QuestionResult, QuizResult
from grader.report import feedback, gradescope, junit
from grader.report import json as json_report
from grader.report import quiz as quiz_report
from grader.report import summary as summary_report
from grader.report.text import render_report
from grader.results import CaseResult, CheckResult, ExerciseResult, GradeResult, Message, MistakeMatch, Status

SGR = "\x1b[31mRED\x1b[0m"
OSC = "\x1b]8;;http://evil\x1b\\link\x1b]8;;\x1b\\"
HOSTILE = (f"{SGR} {OSC} [/x] [reverse]rev[/reverse] =HYPERLINK(\"http://x\") <script>alert(1)</script> "
           "``` after-the-fence \ud800 \x00\x0b\r end")
NAME = "=HYPERLINK(\"http://x\")[/x][reverse]\x1b[2J<script>\ud800"


def hostile_result() -> GradeResult:
    failing = CaseResult("case[/x]", False, Status.ERROR, (
        CheckResult("runs", False, Message("check.wrong_exception", {"error": "ValueError", "got": HOSTILE}),
                    traceback=f"Traceback:\n  {HOSTILE}\n```\n# heading?\n</pre><script>x</script>"),))
    other = CaseResult("second", True, Status.FAILED, (CheckResult("values", False, Message("check.syntax", {
        "file": NAME, "line": 1, "detail": HOSTILE})),))
    bad = ExerciseResult(NAME, f"{NAME}.py", 0.0, 10.0, Status.ERROR, (failing, other),
                         (MistakeMatch("no_sqrt_dk", ("case[/x]",)),),
                         (Message("check.forbidden", {"name": HOSTILE, "line": 3, "file": NAME}),))
    good = ExerciseResult("causal_mask", "attention.py", 5.0, 5.0, Status.PASSED,
                          (CaseResult("size_4", False, Status.PASSED, (CheckResult("values", True),)),))
    return GradeResult(assignment="transformer", score=5.0, max_score=15.0, exercises=(bad, good), hidden=True,
                       device="cpu", isolation="process", grader_version="test", output=HOSTILE, quiz=None,
                       quiz_error=HOSTILE)


def terminal() -> tuple[Console, io.StringIO]:
    buffer = io.StringIO()
    return Console(file=buffer, force_terminal=True, color_system="truecolor", width=1000, highlight=False), buffer


def assert_no_student_escape(out: str) -> None:
    assert SGR not in out and "\x1b[2J" not in out and "\x1b]" not in out  # the student's sequences, whole
    assert "\ud800" not in out and "\x00" not in out and "\x0b" not in out and "\r" not in out
    assert not re.sub(r"\x1b\[[0-9;]*m", "", out).count("\x1b")  # what is left is rich's own styling


def test_terminal_report_prints_student_text_as_text():
    console, buffer = terminal()
    render_report(hostile_result(), console, "en")
    out = buffer.getvalue()
    assert_no_student_escape(out)
    plain = re.sub(r"\x1b\[[0-9;]*m", "", out)
    assert "[31mRED" in plain  # the text is shown, only the escape character is gone
    assert "[/x]" in plain and "[reverse]rev[/reverse]" in plain  # not read as markup
    assert "=HYPERLINK" in plain and "case[/x]" in plain


def test_quiz_summary_with_a_markup_student_id():
    questions = (QuestionResult("qkv-role", "qkv[/x]", "single", 1.0, 1.0, "correct", {}),)
    console, buffer = terminal()
    quiz_report.render_summary(QuizResult("transformer", NAME, 1.0, 1.0, questions), console, "en")
    out = buffer.getvalue()
    assert_no_student_escape(out)
    assert "[/x][reverse]" in out and "qkv[/x]" in out


def test_batch_summary_prints_names_as_text():
    summary = stats.summarize([], api.assignment_spec("transformer"))
    summary.update({"invalid": [NAME], "grader_errors": [NAME], "pass_rates": {NAME: 0.5},
                    "top_mistakes": [{"exercise": NAME, "mistake": "[/x]", "students": 1}],
                    "rejected": [{"submission": NAME, "reason": "duplicate", "entries": [NAME, "[/x].zip"]}]})
    console, buffer = terminal()
    summary_report.print_summary(console, summary, "en", graded=0, skipped=0, failed=0)
    out = buffer.getvalue()
    assert_no_student_escape(out)
    assert out.count("=HYPERLINK") >= 5 and "[/x].zip" in out


def test_progress_description_escapes_the_name():
    from rich.progress import Progress, TextColumn

    from grader.messages import render

    buffer = io.StringIO()
    console = Console(file=buffer, force_terminal=False, width=1000)  # no live redrawing: only what is written
    with Progress(TextColumn("{task.description}"), console=console, auto_refresh=False) as progress:
        task = progress.add_task("x", total=1)
        progress.update(task, description=render("batch.progress_last", "en", name=clean.markup(NAME)))
        progress.refresh()
    out = buffer.getvalue()
    assert "\x1b" not in out and "\ud800" not in out
    assert 'graded =HYPERLINK("http://x")[/x][reverse][2J<script>' in out  # markup escaped, shown as typed


def test_gradebook_cells_cannot_start_a_formula(tmp_path):
    spec = api.assignment_spec("transformer")
    names = ["=HYPERLINK(\"http://x\")", "+1+1", "-2+3", "@SUM(A1)", "\tx", "\r=1", "＝1", "plain", "x=1", NAME]
    rows = [{"submission": n, "score": -1.5 if i == 0 else float(i), "max_score": spec.max_score,
             "exercises": [{"id": "causal_mask", "score": -0.5, "status": "failed"}],
             "batch": {"status": "graded"}} for i, n in enumerate(names)]
    batch.write_gradebook(tmp_path, spec, rows)
    with (tmp_path / "gradebook.csv").open(encoding="utf-8", newline="") as f:
        table = list(csv.DictReader(f))
    students = [r["student"] for r in table]
    for cell in students:
        assert not cell.startswith(("=", "+", "-", "@", "\t", "\r", "＝")), cell
    assert "'=HYPERLINK(\"http://x\")" in students and "'+1+1" in students and "'@SUM(A1)" in students
    assert "plain" in students and "x=1" in students  # only the start of a cell matters
    by_score = {r["score"] for r in table}
    assert "-1.5" in by_score  # numbers are not student text: a negative score stays a number
    assert {r["causal_mask"] for r in table} == {"-0.5"}
    json.loads((tmp_path / "summary.json").read_text(encoding="utf-8"))


def _tokens(md: str) -> list:
    out = []
    for token in MarkdownIt("commonmark", {"html": True}).parse(md):
        out.append(token)
        out.extend(token.children or [])
    return out


def test_markdown_feedback_has_no_html_and_fences_that_hold(tmp_path):
    result = hostile_result()
    md = feedback.markdown(result, NAME, "en", [f"{NAME} (symbolic link)"])
    tokens = _tokens(md)
    kinds = {t.type for t in tokens}
    assert not kinds & {"html_block", "html_inline", "link_open", "image", "em_open", "strong_open"}, kinds
    assert sum(t.type == "heading_open" and t.tag == "h1" for t in tokens) == 1
    # the failing exercise, and the syntax error said once above it (the hidden case's: a file's syntax error
    # tells nothing of a case's inputs, and its hostile text stays inside its fence too)
    assert sum(t.type == "heading_open" and t.tag == "h2" for t in tokens) == 2
    fences = [t for t in tokens if t.type == "fence"]
    assert len(fences) == 2  # the syntax error's, and the failing case's
    assert all("```" in f.content and "after-the-fence" in f.content for f in fences)  # the student's fence held
    assert sum("</pre><script>x</script>" in f.content for f in fences) == 1  # inside the case's fence, as text
    html = MarkdownIt("commonmark", {"html": True}).render(md)
    assert "<script>" not in html and "</pre><script>" not in html
    assert "\x1b" not in md and "\ud800" not in md
    md.encode("utf-8")
    # the record of a submission that could not be graded is written the same way
    sub = batch.Submission(NAME, tmp_path / "x")
    driver._write_failure(tmp_path, api.assignment_spec("transformer"), sub, "invalid", HOSTILE, None)
    written = (tmp_path / f"{sub.stem}.md").read_text(encoding="utf-8")
    assert not {t.type for t in _tokens(written)} & {"html_block", "html_inline", "link_open"}
    assert "<script>" not in MarkdownIt("commonmark", {"html": True}).render(written)
    json.loads((tmp_path / f"{sub.stem}.json").read_text(encoding="utf-8"), parse_constant=_refuse)


def test_junit_xml_parses_whatever_the_text():
    text = junit.dumps(hostile_result(), "en")
    root = ET.fromstring(text.encode("utf-8"))
    failures = [e.text or "" for e in root.iter() if e.tag in ("failure", "error")]
    assert any("<script>" in t for t in failures)  # escaped by the writer, read back as text
    from junitparser import JUnitXml

    xml = JUnitXml.fromstring(text)
    assert sum(1 for suite in xml for _ in suite) == 3


def _refuse(token: str) -> None:
    raise AssertionError(f"non-standard JSON token {token}")


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_json_outputs_are_strict_utf8_json(lang):
    result = hostile_result()
    for text in (json_report.dumps(result, lang), gradescope.dumps(result, lang, execution_time=1.0)):
        data = json.loads(text.encode("utf-8").decode("utf-8"), parse_constant=_refuse)
        assert "\ud800" not in json.dumps(data, ensure_ascii=False)
    quiz = QuizResult("transformer", NAME, 1.0, 1.0,
                      (QuestionResult("qkv-role", "qkv", "single", 1.0, 1.0, "correct", {}),))
    data = json.loads(quiz_report.dumps(quiz, lang).encode("utf-8"), parse_constant=_refuse)
    assert data["student"].startswith("=HYPERLINK")


def test_clean_helpers():
    assert clean.csv_cell(-3) == -3 and clean.csv_cell(2.5) == 2.5 and clean.csv_cell(None) == ""
    assert clean.csv_cell("-3") == "'-3" and clean.csv_cell("a-3") == "a-3"
    assert clean.markdown("no_sqrt_dk") == "no_sqrt_dk" and clean.markdown("_x_") == "\\_x\\_"
    assert clean.markdown("# h") == "\\# h" and clean.markdown("1. x") == "1\\. x"
    assert clean.markdown("<b>&") == "&lt;b&gt;&amp;" and clean.markdown("a\nb") == "a b"
    assert clean.fence("a ```` b").startswith("`````text\n")
    assert clean.xml("a\x00b\x1bc\ud800d\ufffe") == "abcd"
    assert clean.json_dumps({"k\ud800": "v\udcff"}) == '{\n  "k\ufffd": "v\ufffd"\n}'
    with pytest.raises(ValueError):
        clean.json_dumps({"x": float("nan")})
    assert batch.result_stem("alice") == "alice" and batch.result_stem("김민준") == "김민준"
    for name in ("summary", "a/b", "..", ".hidden", "x" * 300, "caf\udce9", NAME, "a b ", "con\x00"):
        stem = batch.result_stem(name)
        assert stem != name and re.fullmatch(r"[\w.\-]+~[0-9a-f]{12}", stem) and len(stem.encode()) < 100, stem
