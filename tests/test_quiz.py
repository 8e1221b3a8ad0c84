"""The concept quiz: bank validation, safe arithmetic, grading, student export, interactive mode."""

from __future__ import annotations

import json
import math
import re
import shutil
import sys

import pytest
from click.testing import CliRunner
from conftest import ROOT, SOLUTIONS

from grader import api, cli
from grader.quiz import bank as qbank
from grader.quiz import export
from grader.quiz.grade import grade
from grader.quiz.safe_eval import UnsafeExpression, evaluate

if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib

BANK_PATH = ROOT / "assignments" / "transformer" / "quiz.toml"


@pytest.fixture(scope="module")
def bank():
    return qbank.load(BANK_PATH)


@pytest.fixture
def run(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)  # an interactive run that stops writes quiz-answers.toml in the current folder
    for var in ("GRADER_LANG", "LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(var, raising=False)
    return lambda *args, **kw: CliRunner().invoke(cli.main, list(args), catch_exceptions=False, **kw)


def right_answers(bank, student: str) -> dict:
    """The instructor's answers in the form a student would type them."""
    out = {}
    for q in bank.questions:
        values = qbank.draw(q, student)
        if q.type == "numeric":
            out[q.id] = qbank.expected_number(q, values)
        elif q.type == "text":
            out[q.id] = q.answer[-1]
        else:
            out[q.id] = q.answer
    return out


# --- the bank -------------------------------------------------------------------------------------

def test_bank_covers_the_course(bank):
    assert len(bank.questions) >= 40
    topics = {q.topic for q in bank.questions}
    assert {"qkv", "mlm", "nsp", "masking", "positional", "multihead", "addnorm", "gpt", "bert", "rnn"} <= topics
    assert {q.type for q in bank.questions} == set(qbank.TYPES)
    assert any(q.params for q in bank.questions) and any(q.graded for q in bank.questions)


def test_every_answer_is_a_choice_or_parses(bank):
    for q in bank.questions:
        ids = set(q.choice_ids())
        if q.type == "single":
            assert q.answer in ids
        elif q.type in ("multiple", "order"):
            assert set(q.answer) <= ids
        elif q.type == "numeric":
            for values in qbank.combinations(q):
                assert math.isfinite(qbank.expected_number(q, values))
        else:
            assert all(qbank.normalize_text(t) for t in q.answer)


INDEPENDENT = {
    "scaling-divisor": lambda p: math.sqrt(p["d_k"]),
    "scaling-dot-variance": lambda p: p["d_k"],
    "masking-causal-count": lambda p: sum(range(1, int(p["n"]) + 1)),
    "multihead-dk": lambda p: p["d_model"] // p["h"],
    "multihead-parameters": lambda p: 4 * p["d_model"] ** 2 + 4 * p["d_model"],
    "positional-value": lambda p: math.sin(p["pos"] / 10000 ** 0),
    "positional-embedding-scale": lambda p: p["d_model"] ** 0.5,
    "architecture-dff": lambda p: 2048 * p["d_model"] / 512,
    "mlm-expected-masks": lambda p: p["n"] * 12 / 100,
}


def test_parameterised_answers_match_an_independent_computation(bank):
    parameterised = [q for q in bank.questions if q.params]
    assert {q.id for q in parameterised} == set(INDEPENDENT)
    for q in parameterised:
        seen = set()
        for i in range(300):
            values = qbank.draw(q, f"s{i:03d}")
            seen.add(qbank.params_key(values))
            if q.where:
                assert evaluate(q.where, values)
            expected = qbank.canonical_number(INDEPENDENT[q.id](values), q.decimals)
            assert qbank.accepted(q, values) == [expected], (q.id, values)
        assert len(seen) > 1, f"{q.id}: every student drew the same numbers"


def test_draw_is_fixed_per_student(bank):
    q = bank.question("multihead-dk")
    assert qbank.draw(q, "s001") == qbank.draw(q, "s001")
    assert len({qbank.params_key(qbank.draw(q, f"s{i}")) for i in range(50)}) > 3


BROKEN = [
    ({"meta": {}}, "meta"),
    ({"meta": {"assignment": "t", "topics": ["qkv"]}, "questions": [{"id": "Bad Id", "topic": "qkv", "type": "single"}]}, "'id'"),
    ({"meta": {"assignment": "t", "topics": ["qkv"]}, "questions": [{"id": "q1", "topic": "vision", "type": "single"}]}, "question 'q1', field 'topic'"),
    ({"meta": {"assignment": "t", "topics": ["qkv"]}, "questions": [{"id": "q1", "topic": "qkv", "type": "text",
      "prompt": {"en": "x"}, "explanation": {"en": "x", "ko": "x"}, "answer": ["x"]}]}, "field 'prompt'"),
    ({"meta": {"assignment": "t", "topics": ["qkv"]}, "questions": [{"id": "q1", "topic": "qkv", "type": "single",
      "prompt": {"en": "x", "ko": "x"}, "explanation": {"en": "x", "ko": "x"},
      "choices": [{"id": "a", "en": "1", "ko": "1"}, {"id": "b", "en": "2", "ko": "2"}], "answer": "c"}]}, "field 'answer'"),
    ({"meta": {"assignment": "t", "topics": ["qkv"]}, "questions": [{"id": "q1", "topic": "qkv", "type": "numeric", "params": {"n": [1, 2]},
      "prompt": {"en": "{n}", "ko": "{n}"}, "explanation": {"en": "x", "ko": "x"},
      "answer": "__import__('os').system('true')"}]}, "field 'answer'"),
    ({"meta": {"assignment": "t", "topics": ["qkv"]}, "questions": [{"id": "q1", "topic": "qkv", "type": "numeric", "params": {"n": [1, 2]},
      "prompt": {"en": "{m}", "ko": "{n}"}, "explanation": {"en": "x", "ko": "x"}, "answer": "n"}]}, "field 'prompt.en'"),
    ({"meta": {"assignment": "t", "topics": ["qkv"]}, "questions": [{"id": "q1", "topic": "qkv", "type": "numeric", "params": {"n": [1, 2]},
      "where": "n > 5", "prompt": {"en": "{n}", "ko": "{n}"}, "explanation": {"en": "x", "ko": "x"}, "answer": "n"}]}, "field 'where'"),
    ({"meta": {"assignment": "t", "topics": ["qkv"]}, "questions": [{"id": "q1", "topic": "qkv", "type": "order",
      "prompt": {"en": "x", "ko": "x"}, "explanation": {"en": "x", "ko": "x"},
      "choices": [{"id": "a", "en": "1", "ko": "1"}, {"id": "b", "en": "2", "ko": "2"}], "answer": ["a"]}]}, "field 'answer'"),
]


@pytest.mark.parametrize("data,needle", BROKEN)
def test_bank_validation_names_question_and_field(data, needle):
    with pytest.raises(qbank.QuizError, match=re.escape(needle)):
        qbank.parse(data)


def _numeric(ko: str, values: list[float]) -> dict:
    return {"meta": {"assignment": "t", "topics": ["qkv"]}, "questions": [{
        "id": "q1", "topic": "qkv", "type": "numeric", "params": {"d": values}, "answer": "d",
        "prompt": {"en": "logits {d} and 0", "ko": ko}, "explanation": {"en": "x", "ko": "x"}}]}


@pytest.mark.parametrize("ko, expected", [
    ("로짓이 {d}와(과) 0입니다", ["1과 0", "2와 0", "3과 0", "10과 0"]),
    ("{d}을(를) 고릅니다", ["1을", "2를", "3을", "10을"]), ("{d}(으)로 나눕니다", ["1로", "2로", "3으로", "10으로"]),
    ("값 {d}이(가) 큽니다", ["1이", "2가", "3이", "10이"]), ("{d}은(는) 작습니다", ["1은", "2는", "3은", "10은"]),
])
def test_a_korean_prompt_attaches_the_particle_the_value_is_read_with(ko, expected):
    """1 일, 2 이, 3 삼, 10 십: a particle written in both forms after a placeholder takes the form its value needs."""
    q = qbank.parse(_numeric(ko, [1, 2, 3, 10])).questions[0]
    shown = [q.render("ko", {"d": d}) for d in (1, 2, 3, 10)]
    assert all(part in text for part, text in zip(expected, shown, strict=True)), shown
    assert q.render("en", {"d": 3}) == "logits 3 and 0"


@pytest.mark.parametrize("ko, values, ok", [
    ("로짓이 {d}와 0입니다", [1, 2, 3], False), ("로짓이 {d}과 0입니다", [1, 2, 3], False), ("{d}로 나눕니다", [1, 2, 3], False),
    ("{d}와(과) 0", [1, 2, 3], True), ("{d}의 값", [1, 2, 3], True), ("{d}입니다", [1, 2, 3], True),
    ("{d}로 나눕니다", [1, 2, 7], True), ("{d}과 0", [1, 3, 10], True),
])
def test_a_particle_in_one_form_after_a_placeholder_must_fit_every_value(ko, values, ok):
    if ok:
        qbank.parse(_numeric(ko, values))
    else:
        with pytest.raises(qbank.QuizError, match=re.escape("field 'prompt.ko'")):
            qbank.parse(_numeric(ko, values))


def test_the_decoding_question_reads_1과_2와_3과():
    q = qbank.load(ROOT / "assignments" / "pretraining" / "quiz.toml").question("decoding-temperature-prob")
    for d, particle in ((1, "과"), (2, "와"), (3, "과")):
        assert f"로짓이 {d}{particle} 0입니다" in q.render("ko", {"d": d, "t": 1})


@pytest.mark.parametrize("expr", ["__import__('os')", "x.y", "open('f')", "(lambda: 1)()", "10 ** 10 ** 10",
                                  "[1, 2]", "'a' * 3", "d_k if True else 0", "nope + 1"])
def test_safe_eval_refuses(expr):
    with pytest.raises(UnsafeExpression):
        evaluate(expr, {"d_k": 64})


def test_safe_eval_computes():
    assert evaluate("sqrt(d_k) * 2 + d_model // h", {"d_k": 64, "d_model": 512, "h": 8}) == 80
    assert evaluate("d_model % h == 0 and h > 1", {"d_model": 512, "h": 8}) is True


# --- grading --------------------------------------------------------------------------------------

def test_source_answers_score_full_marks_and_empty_scores_zero(bank):
    full = grade(bank, right_answers(bank, "s001"), "s001")
    assert full.score == full.max_score == bank.max_score
    empty = grade(bank, {}, "s001")
    assert empty.score == 0 and {q.status for q in empty.questions} == {"unanswered"}


def test_parameterised_answer_depends_on_the_student(bank):
    q = bank.question("multihead-dk")
    a, b = next((f"s{i}", f"s{j}") for i in range(50) for j in range(50)
                if qbank.draw(q, f"s{i}") != qbank.draw(q, f"s{j}"))
    answer_a = qbank.expected_number(q, qbank.draw(q, a))
    assert grade(bank, {q.id: answer_a}, a).questions[bank.questions.index(q)].status == "correct"
    assert grade(bank, {q.id: answer_a}, b).questions[bank.questions.index(q)].status == "wrong"


@pytest.mark.parametrize("given", ["Layer-Norm", "  LAYER NORMALIZATION ", "층 정규화", "ｌａｙｅｒｎｏｒｍ"])
def test_text_answers_are_normalised(bank, given):
    q = bank.question("addnorm-name")
    assert grade(bank, {q.id: given}).questions[bank.questions.index(q)].status == "correct"


def test_choice_answers_accept_lists_and_strings(bank):
    multiple, order = bank.question("rnn-limits"), bank.question("architecture-decoder-order")
    result = grade(bank, {multiple.id: "b, a", order.id: "c a b"})
    statuses = {r.id: r.status for r in result.questions}
    assert statuses[multiple.id] == statuses[order.id] == "correct"
    assert grade(bank, {order.id: ["a", "c", "b"]}).questions[bank.questions.index(order)].status == "wrong"


def test_cli_json_lists_every_question(run, tmp_path, bank):
    empty = tmp_path / "empty.toml"
    empty.write_text("")
    result = run("quiz", "--assignment", "transformer", "--student", "s001", "--answers", str(empty), "--format", "json")
    assert result.exit_code == 1
    data = json.loads(result.output)
    assert data["score"] == 0 and data["max_score"] == bank.max_score
    assert [q["id"] for q in data["questions"]] == [q.id for q in bank.questions]
    assert all({"id", "topic", "type", "correct", "points"} <= set(q) for q in data["questions"])


def test_cli_template_filled_with_right_answers_scores_full(run, tmp_path, bank):
    import tomli_w

    template = tmp_path / "answers.toml"
    assert run("quiz", "--assignment", "transformer", "--student", "s042", "--template", str(template)).exit_code == 0
    data = tomllib.loads(template.read_text())
    assert data["student"] == "s042" and set(data) - {"student"} == {q.id for q in bank.questions}
    rendered = template.read_text()
    d_model = qbank.draw(bank.question("multihead-dk"), "s042")["d_model"]
    assert f"d_model = {int(d_model)}" in rendered  # the prompt is rendered with this student's numbers
    template.write_text(tomli_w.dumps({"student": "s042", **right_answers(bank, "s042")}))
    result = run("quiz", "--assignment", "transformer", "--answers", str(template), "--format", "json")
    assert result.exit_code == 0 and json.loads(result.output)["score"] == bank.max_score


def test_answers_file_with_unknown_question_is_a_usage_error(run, tmp_path):
    bad = tmp_path / "a.toml"
    bad.write_text('no-such-question = "a"\n')
    result = run("quiz", "--assignment", "transformer", "--answers", str(bad))
    assert result.exit_code == 2 and "no-such-question" in result.output


# --- the student's copy ---------------------------------------------------------------------------

def test_student_export_has_no_answers(run, tmp_path, bank):
    assert run("quiz", "--assignment", "transformer", "--export-student", str(tmp_path / "out")).exit_code == 0
    text = (tmp_path / "out" / "quiz.toml").read_text()
    data = tomllib.loads(text)
    assert all("answer" not in q for q in data["questions"])
    for q in data["questions"]:
        source = bank.question(q["id"])
        if source.graded:
            assert "answer_hash" not in q and "answer_hash_by_params" not in q
            assert q["explanation"]["en"] == export.GRADED_EXPLANATION["en"]
        else:
            assert q.get("answer_hash") or q.get("answer_hash_by_params")
    # a graded question's explanation would give its answer away: it is not in the file at all
    for q in bank.questions:
        if q.graded:
            assert q.explanation["en"] not in text and q.explanation["ko"] not in text, q.id


def test_student_bank_checks_practice_and_records_graded(bank, tmp_path):
    path = export.write_student_bank(bank, tmp_path, salt="release-1")
    student_bank = qbank.load(path)
    assert not student_bank.has_answers
    result = grade(student_bank, right_answers(bank, "s007"), "s007")
    for r in result.questions:
        assert r.status == ("recorded" if bank.question(r.id).graded else "correct"), r.id
    wrong = grade(student_bank, {"qkv-query-role": "b", "scaling-divisor": 1}, "s007")
    statuses = {r.id: r.status for r in wrong.questions}
    assert statuses["qkv-query-role"] == statuses["scaling-divisor"] == "wrong"


def test_hashes_are_keyed_per_release_and_question(bank):
    one, two = export.student_bank(bank, "r1"), export.student_bank(bank, "r2")
    h1 = {q["id"]: q.get("answer_hash") for q in one["questions"]}
    h2 = {q["id"]: q.get("answer_hash") for q in two["questions"]}
    assert h1["qkv-query-role"] != h2["qkv-query-role"]
    # two questions whose answer is "a" do not share a hash
    assert h1["qkv-query-role"] != h1["positional-why"]


# --- interactive ----------------------------------------------------------------------------------

def test_interactive_mode_through_its_prompts(run, tmp_path, bank):
    saved = tmp_path / "saved.toml"
    # question 1 (single): an invalid id first, then the right one; question 2 skipped;
    # question 3 wrong; the rest skipped (Enter)
    keys = ["z", "a", "", "b"] + [""] * (len(bank.questions) - 3)
    result = run("quiz", "--assignment", "transformer", "--student", "s001", "--save", str(saved), "--lang", "en",
                 input="\n".join(keys) + "\n")
    assert result.exit_code == 1, result.output
    out = result.output
    assert "Question 1/" in out and "Please type one of: a, b, c, d" in out
    assert "Correct." in out and "Skipped." in out and "Not quite." in out
    assert bank.question("qkv-query-role").explanation["en"][:40] in out
    assert "Quiz score: 1 / " in out
    assert tomllib.loads(saved.read_text()) == {"student": "s001", "qkv-query-role": "a", "qkv-cross-attention-source": "b"}


def test_interactive_mode_in_korean_with_a_student_bank(run, tmp_path, bank):
    export.write_student_bank(bank, tmp_path)
    keys = ["a", "b"] + [""] * len(bank.questions)
    result = run("quiz", "--bank", str(tmp_path / "quiz.toml"), "--lang", "ko", "--topic", "qkv",
                 input="\n".join(keys) + "\n")
    out = result.output
    assert "문제 1/5" in out and "정답입니다." in out
    assert "기록했습니다" in out  # the graded question is recorded, not judged
    assert "퀴즈 점수" in out


# --- the quiz inside grade check ------------------------------------------------------------------

def test_check_includes_the_quiz_from_the_submission(tmp_path, bank, reference):
    import tomli_w

    sub = tmp_path / "sub"
    shutil.copytree(SOLUTIONS, sub)
    answers = right_answers(bank, "s010")
    answers.pop("nsp-ratio")
    (sub / "quiz.toml").write_text("# a student's copy must not be used for grading\n[meta]\nassignment='x'\n")
    (sub / api.QUIZ_ANSWERS).write_text(tomli_w.dumps({"student": "s010", **answers}))
    result = api.check(sub, exercises=["causal_mask"], reference=reference)
    assert result.quiz is not None and result.quiz.student == "s010"
    assert result.quiz.score == bank.max_score - 1
    from grader.report import json as json_report

    data = json_report.to_dict(result, "en")
    assert data["quiz"]["score"] == bank.max_score - 1 and len(data["quiz"]["questions"]) == len(bank.questions)


def test_check_reports_a_malformed_answers_file_and_still_grades_the_code(tmp_path, reference):
    sub = tmp_path / "sub"
    shutil.copytree(SOLUTIONS, sub)
    (sub / api.QUIZ_ANSWERS).write_text("this is = not toml =\n")
    result = api.check(sub, exercises=["causal_mask"], reference=reference)
    assert result.quiz is None and "not valid TOML" in result.quiz_error
    assert result.score == result.max_score


# --- a student's answers file is untrusted --------------------------------------------------------

@pytest.mark.parametrize("content,expected", [
    (b"scaling-divisor = " + b"9" * 5000 + b"\n", "cannot be read"),  # past Python's int/str digit limit
    (b"scaling-divisor = " + b"9" * 4000 + b"\n", "must be text, a number or a list"),  # parses, but no float holds it
    (b"qkv-query-role = " + b"[" * 20000 + b"]" * 20000 + b"\n", "too deeply"),
    (b"qkv-query-role = [[\"a\"]]\n", "must be text, a number or a list"),
    (b'student = "s1"\nqkv-query-role = "\xff\xfe"\n', "not UTF-8"),
    (b"qkv-query-role = \"" + b"a" * 5000 + b"\"\n", "must be text, a number or a list"),
])
def test_answers_that_cannot_be_read_are_a_quiz_error(bank, tmp_path, content, expected):
    path = tmp_path / "quiz-answers.toml"
    path.write_bytes(content)
    with pytest.raises(qbank.QuizError, match=expected):
        api.grade_quiz(bank, path)


def test_answers_file_that_is_a_link_a_pipe_or_too_large_is_refused(bank, tmp_path):
    import os

    good = tmp_path / "good.toml"
    good.write_text('qkv-query-role = "a"\n')
    assert api.grade_quiz(bank, good).score >= 0
    link = tmp_path / "link.toml"
    link.symlink_to(good)
    with pytest.raises(qbank.QuizError, match="symbolic link"):
        api.grade_quiz(bank, link)
    for target in ("/dev/stdin", "/proc/self/mem"):
        other = tmp_path / f"{target.replace('/', '_')}.toml"
        other.symlink_to(target)
        with pytest.raises(qbank.QuizError, match="symbolic link"):
            api.grade_quiz(bank, other)
    fifo = tmp_path / "fifo.toml"
    os.mkfifo(fifo)  # a naive reader would wait for a writer forever
    with pytest.raises(qbank.QuizError, match="not a regular file"):
        api.grade_quiz(bank, fifo)
    big = tmp_path / "big.toml"
    big.write_text("# " + "x" * (qbank.MAX_UNTRUSTED_BYTES + 10) + "\n")
    with pytest.raises(qbank.QuizError, match="at most"):
        api.grade_quiz(bank, big)


def test_check_grades_the_quiz_for_the_given_student_and_refuses_a_linked_answers_file(tmp_path, bank, reference):
    import tomli_w

    sub = tmp_path / "sub"
    shutil.copytree(SOLUTIONS, sub, ignore=shutil.ignore_patterns("__pycache__"))
    answers = right_answers(bank, "alice")
    (sub / api.QUIZ_ANSWERS).write_text(tomli_w.dumps({"student": "alice", **answers}))  # a classmate's file
    result = api.check(sub, exercises=["causal_mask"], reference=reference, quiz_student="forger")
    assert result.quiz is not None and result.quiz.student == "forger"
    assert result.quiz.score == grade(bank, answers, "forger").score < bank.max_score  # drawn for forger, not alice
    real = tmp_path / "answers.toml"
    (sub / api.QUIZ_ANSWERS).replace(real)
    (sub / api.QUIZ_ANSWERS).symlink_to(real)
    result = api.check(sub, exercises=["causal_mask"], reference=reference)
    assert result.quiz is None and "symbolic link" in result.quiz_error
    assert result.score == result.max_score  # the code is still graded


# --- stopping, resuming, retrying (issue 24) ------------------------------------------------------

@pytest.mark.parametrize("given, expected", [("2*sqrt(64)", "16"), ("16", "16"), ("1,024", "1024"), ("64/4", "16"),
                                             ("x+1", None), ("10**10**10", None), ("1<2", None), ("1/0", None),
                                             ("__import__('os')", None)])
def test_numeric_answers_accept_arithmetic_through_the_safe_evaluator(bank, given, expected):
    q = bank.question("scaling-divisor")
    assert qbank.canonical_given(q, given) == expected


def test_arithmetic_is_graded_like_the_number(bank):
    q = bank.question("scaling-divisor")
    values = qbank.draw(q, "s001")
    formula = f"sqrt({int(values['d_k'])})"
    assert grade(bank, {q.id: formula}, "s001").questions[[x.id for x in bank.questions].index(q.id)].status == "correct"


@pytest.mark.parametrize("lang, word", [("en", "q"), ("en", "quit"), ("ko", "그만"), ("ko", None)])
def test_quit_or_ctrl_d_keeps_the_answers_and_resume_goes_on(run, tmp_path, monkeypatch, bank, lang, word):
    """q, quit, 그만 or the end of input (Ctrl-D) stop the run; the answers given are in quiz-answers.toml, the
    message says where and how to go on, and --resume asks only what is left."""
    monkeypatch.chdir(tmp_path)
    keys = "a\nb\n" + (f"{word}\n" if word else "")  # without a word, the input ends: Ctrl-D
    result = run("quiz", "--assignment", "transformer", "--student", "s001", "--lang", lang, input=keys)
    out = result.output
    assert "Traceback" not in out and result.exit_code == 1, out
    saved = tomllib.loads((tmp_path / "quiz-answers.toml").read_text())
    assert saved == {"student": "s001", "qkv-query-role": "a", "qkv-self-attention-source": "b"}
    assert "quiz-answers.toml" in out and "--resume" in out
    assert ("Stopped with 2 of 53" if lang == "en" else "53문제 중 2문제에 답하고 멈췄습니다") in out
    assert "Question 4/" not in out and "문제 4/" not in out
    again = run("quiz", "--assignment", "transformer", "--resume", "--lang", "en", input="a\nq\n")
    assert "Going on from quiz-answers.toml: 2 answered, 51 to go." in again.output
    assert "Question 1/51" in again.output and "where do queries, keys" in again.output  # the third question
    saved = tomllib.loads((tmp_path / "quiz-answers.toml").read_text())
    assert saved["student"] == "s001" and saved["qkv-cross-attention-source"] == "a" and len(saved) == 4


def test_a_fresh_run_keeps_earlier_answers_it_does_not_replace(run, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "quiz-answers.toml").write_text('student = "s001"\nrnn-limits = ["a"]\nqkv-query-role = "b"\n')
    run("quiz", "--assignment", "transformer", "--student", "s001", "--lang", "en", input="a\nq\n")
    saved = tomllib.loads((tmp_path / "quiz-answers.toml").read_text())
    assert saved == {"student": "s001", "rnn-limits": ["a"], "qkv-query-role": "a"}


def test_a_wrong_practice_answer_shows_the_right_choice(run, tmp_path, bank):
    result = run("quiz", "--assignment", "transformer", "--topic", "qkv", "--lang", "en", input="b\nq\n")
    right = bank.question("qkv-query-role").choices[0].text["en"]
    assert "Not quite." in result.output and f"The right answer: a) {right}" in result.output
    # a graded question never shows it
    result = run("quiz", "--assignment", "transformer", "--topic", "qkv", "--lang", "en", input="\na\nq\n")
    assert "Not quite." in result.output and "The right answer" not in result.output


def test_a_student_bank_shows_the_right_choice_found_from_its_hashes(run, tmp_path, bank):
    from grader.quiz.grade import right_answer

    export.write_student_bank(bank, tmp_path)
    student_bank = qbank.load(tmp_path / "quiz.toml")
    for q in student_bank.questions:
        expected = None if q.graded or q.type in ("numeric", "text") else ",".join(
            [bank.question(q.id).answer] if q.type == "single" else
            (bank.question(q.id).answer if q.type == "order" else sorted(bank.question(q.id).answer)))
        assert right_answer(student_bank, q, "s001") == expected, q.id
    result = run("quiz", "--bank", str(tmp_path / "quiz.toml"), "--topic", "qkv", "--lang", "ko", input="b\nq\n")
    assert "정답: a) " + bank.question("qkv-query-role").choices[0].text["ko"] in result.output


def test_retry_missed_asks_only_what_was_wrong_or_blank(run, tmp_path, monkeypatch, bank):
    monkeypatch.chdir(tmp_path)
    qkv = [q for q in bank.questions if q.topic == "qkv"]
    right = right_answers(bank, "s001")
    answers = {"student": "s001", qkv[0].id: right[qkv[0].id], qkv[1].id: "d", qkv[2].id: right[qkv[2].id]}
    import tomli_w

    (tmp_path / "quiz-answers.toml").write_text(tomli_w.dumps(answers))
    result = run("quiz", "--assignment", "transformer", "--topic", "qkv", "--retry-missed", "--lang", "en",
                 input=f"{right[qkv[1].id]}\n\n\n")
    out = result.output
    assert "Asking again the 3 questions that quiz-answers.toml has wrong or blank." in out
    assert "Question 1/3" in out and "Question 3/3" in out and "Question 4/" not in out
    assert "Saved your answers to quiz-answers.toml" in out
    assert tomllib.loads((tmp_path / "quiz-answers.toml").read_text())[qkv[1].id] == right[qkv[1].id]


def test_prompts_are_plain_words(run, bank):
    out = run("quiz", "--assignment", "transformer", "--topic", "scaling", "--lang", "en", input="\n\nq\n").output
    assert "Answer a–d:" in out and "a number (arithmetic such as 2*sqrt(64) works)" in out
    assert "choice id" not in out and "Your answer (" not in out
    out = run("quiz", "--assignment", "transformer", "--topic", "scaling", "--lang", "ko", input="q\n").output
    assert "답 (a–d 중 하나):" in out and "id" not in out.split("답 (")[-1]


def test_long_choices_keep_their_indent_at_80_columns(bank):
    import io

    from rich.console import Console

    from grader.quiz import interactive

    q = bank.question("qkv-cross-attention-source")
    console = Console(file=io.StringIO(), width=80, record=True, highlight=False)
    interactive._show(q, 1, 1, "en", "s001", console)
    lines = console.export_text().splitlines()
    first = next(i for i, line in enumerate(lines) if "a) Queries from the decoder" in line)
    indent = lines[first].index("Queries")
    assert lines[first + 1].index("output") == indent, lines  # the wrapped line starts under the text, not under a)


def test_points_and_questions_are_counted_in_the_singular_and_the_plural():
    from grader.messages import render

    assert render("quiz.ui.question", "en", index=1, total=8, topic="t", points=2).endswith("· 2 pts")
    assert render("quiz.ui.question", "en", index=1, total=8, topic="t", points=1).endswith("· 1 pt")
    assert render("quiz.ui.question", "en", index=1, total=8, topic="t", points=1.5).endswith("· 1.5 pts")
    assert render("quiz.ui.question", "ko", index=1, total=8, topic="t", points=2).endswith("· 2점")
    assert render("quiz.ui.start", "en", count=1).startswith("1 question.")
    assert render("quiz.ui.start", "en", count=3).startswith("3 questions.")


def test_ctrl_c_at_a_prompt_ends_the_line_before_saying_where_the_answers_are(bank, tmp_path):
    import io

    from rich.console import Console

    from grader.quiz import interactive

    out = io.StringIO()
    console = Console(file=out, width=80)
    typed = iter(["a"])

    def ask(label: str) -> str:
        console.print(f"{label}: ", end="")  # as rich.prompt.Prompt shows it
        for answer in typed:
            return answer
        raise KeyboardInterrupt  # Ctrl-C at the second prompt; the terminal shows ^C after the label

    with pytest.raises(KeyboardInterrupt):
        interactive.ask_and_keep(bank, student="s001", lang="en", console=console, topics=["qkv"],
                                 save=tmp_path / "a.toml", ask=ask)
    assert "Answer a–d: \nSaved your answers to " in out.getvalue(), out.getvalue()


def test_a_korean_run_names_the_default_student_in_korean_and_ends_its_sentences(run, tmp_path, bank):
    count = sum(q.topic == "scaling" for q in bank.questions)
    result = run("quiz", "--assignment", "transformer", "--topic", "scaling", "--lang", "ko", "--save", "a.toml",
                 input="\n" * count)
    out = result.output
    assert "퀴즈 요약 (익명)" in out and "anonymous" not in out, out
    assert "답을 a.toml에 저장했습니다." in out
    assert tomllib.loads((tmp_path / "a.toml").read_text())["student"] == "anonymous"  # the file stays language-neutral
    assert "Quiz summary (anonymous)" in run("quiz", "--assignment", "transformer", "--topic", "scaling", "--lang", "en",
                                             input="\n" * count).output


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_the_command_to_go_on_stands_on_a_line_of_its_own(run, tmp_path, lang):
    out = run("quiz", "--assignment", "pretraining", "--topic", "decoding", "--lang", lang, input="q\n").output
    assert "  grade quiz --assignment pretraining --resume --topic decoding" in out.splitlines(), out
