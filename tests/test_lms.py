"""The Canvas file fills the course's existing assignment column, read as Canvas's own importer reads it.

The roster is a gradebook export in the format Canvas writes (lib/gradebook_exporter.rb in instructure/canvas-lms):
``Student, ID, SIS User ID, SIS Login ID, Section``, then each assignment as ``Title (id)``, then the totals; a
"Manual Posting" row where an assignment posts manually, then ``    Points Possible`` with "(read only)" under
the totals. The file we write is read back with the header logic of Canvas's importer (lib/gradebook_importer.rb,
transcribed below): the assignment column must carry the id of the existing assignment, or Canvas creates a new one.
"""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from click.testing import CliRunner

from grader import cli, lms
from grader.batch import late

EXPORT = (
    "Student,ID,SIS User ID,SIS Login ID,Section,Quiz 1 (12346),Transformer (12345),"
    "Current Points,Final Points,Current Score,Unposted Current Score,Final Score,Unposted Final Score\n"
    ",,,,,,Manual Posting,,,,,,\n"
    "    Points Possible,,,,,10.00,100.00,(read only),(read only),(read only),(read only),(read only),(read only)\n"
    "\"Kim, Alice\",101,S101,alice,Section A,9.00,,9.00,9.00,90.00,90.00,9.00,9.00\n"
    "\"Lee, Bob\",102,S102,bob,Section A,8.00,,8.00,8.00,80.00,80.00,8.00,8.00\n"
    "\"Park, Carol\",103,S103,carol,Section B,,,,,,,,\n"
)


def record(name: str, score: float, status: str = "graded", quiz: float | None = None) -> dict:
    data = {"schema": "nlp-grader/result/v1", "assignment": "transformer", "submission": name, "score": score,
            "max_score": 100, "exercises": [], "batch": {"status": status}}
    if quiz is not None:
        data["quiz"] = {"score": quiz, "max_score": 10}
    return data


@pytest.fixture
def out(tmp_path: Path) -> Path:
    folder = tmp_path / "results"
    folder.mkdir()
    for d in (record("alice", 92.5, quiz=8), record("bob", 61.25), record("mallory", 0, "invalid")):
        (folder / f"{d['submission']}.json").write_text(json.dumps(d))
    return folder


def canvas_reads(text: str, course_assignments: dict[int, str]) -> dict:
    """What Canvas's GradebookImporter makes of a file: its header (row_has_student_headers?, update_column_count,
    strip_non_assignment_columns, parse_assignments with Assignment.title_and_id), the Points Possible row, and the
    students' grades per assignment id; a title it cannot match is a new assignment (negative id)."""
    rows = list(csv.reader(io.StringIO(text)))
    header = rows[0]
    assert len(header) > 3 and "Student" in header[0] and "ID" in header[1], header
    columns = 3
    if re.search(r"SIS\s+Login\s+ID", header[2]):
        columns += 1
    elif re.search(r"SIS\s+User\s+ID", header[2]) and re.search(r"SIS\s+Login\s+ID", header[3]):
        columns += 2
    non_assignment = re.compile("|".join(["Current Score", "Current Points", "Current Grade", "Final Score",
                                          "Final Points", "Final Grade", "Override Score", "Override Grade"]))
    assignments, new = {}, -1
    for index, title in enumerate(header):
        if index < columns or non_assignment.search(title):
            continue
        match = re.fullmatch(r"(.*) \((\d+)\)", title)
        if match and int(match.group(2)) in course_assignments:
            assignments[index] = int(match.group(2))
        elif title in course_assignments.values():
            assignments[index] = next(k for k, v in course_assignments.items() if v == title)
        else:
            assignments[index], new = new, new - 1
    points, grades = {}, {}
    for row in rows[1:]:
        if "Points Possible" in row[0]:
            points = {assignments[i]: row[i] for i in assignments}
        elif all(re.fullmatch(r"\s*(Muted|Manual Posting.*)?\s*", c, re.IGNORECASE) for c in row):
            continue
        else:
            grades[row[3]] = {assignments[i]: row[i] for i in assignments}
    return {"assignments": sorted(assignments.values()), "points": points, "grades": grades}


def test_the_canvas_file_fills_the_existing_column_found_in_the_roster(out, tmp_path):
    roster = tmp_path / "canvas.csv"
    roster.write_text(EXPORT)
    done = lms.export("canvas", out, roster=roster, column="SIS Login ID")
    assert done.column == "Transformer (12345)" and done.column_source == "roster"
    read = canvas_reads(done.text, {12345: "Transformer", 12346: "Quiz 1"})
    assert read["assignments"] == [12345]  # no new assignment
    assert read["points"] == {12345: "100"}
    assert read["grades"] == {"alice": {12345: "92.5"}, "bob": {12345: "61.25"}, "carol": {12345: ""}}
    assert done.unmatched_submissions == ["mallory"]
    assert next(csv.reader(io.StringIO(done.text)))[:5] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
    assert "Kim, Alice" in done.text and "Manual Posting" not in done.text


def test_column_option_quiz_and_late_penalty(out, tmp_path):
    roster = tmp_path / "canvas.csv"
    roster.write_text(EXPORT)
    due = datetime(2026, 3, 1, 23, 59, tzinfo=timezone.utc)
    (out / late.TIMES).write_text(late.times_json(due, {"alice": due - timedelta(hours=1),
                                                        "bob": due + timedelta(hours=30)}, {}))
    done = lms.export("canvas", out, roster=roster, column="SIS Login ID", title="Transformer (12345)",
                      quiz="column", quiz_title="Quiz 1 (12346)", late_penalty=10)
    read = canvas_reads(done.text, {12345: "Transformer", 12346: "Quiz 1"})
    assert read["assignments"] == [12345, 12346] and read["points"] == {12345: "100", 12346: "10.0"}
    assert read["grades"]["alice"] == {12345: "92.5", 12346: "8.0"}  # on time
    assert read["grades"]["bob"] == {12345: "49.0", 12346: ""}  # two days started late: 20 % off 61.25
    assert done.late == ["bob"] and done.quiz_missing == ["bob"]
    total = lms.export("canvas", out, roster=roster, column="SIS Login ID", title="Transformer (12345)", quiz="total")
    read = canvas_reads(total.text, {12345: "Transformer"})
    assert read["points"] == {12345: "110.0"} and read["grades"]["alice"] == {12345: "100.5"}


def test_an_assignment_the_roster_lacks_is_said_and_moodle_takes_the_same_options(out, tmp_path):
    roster = tmp_path / "canvas.csv"
    roster.write_text(EXPORT.replace("Transformer (12345)", "Essay (999)"))
    result = CliRunner().invoke(cli.main, ["export", "canvas", str(out), "--roster", str(roster), "--match",
                                           "SIS Login ID", "--output", str(tmp_path / "c.csv")])
    assert result.exit_code == 0, result.output
    assert "--column" in result.output and "Quiz 1 (12346)" in result.output  # the columns it could be
    moodle_roster = tmp_path / "moodle.csv"
    moodle_roster.write_text("Username,Email address\nalice,a@x\nbob,b@x\n")
    result = CliRunner().invoke(cli.main, ["export", "moodle", str(out), "--roster", str(moodle_roster), "--match",
                                           "Username", "--id-column", "Email address", "--output",
                                           str(tmp_path / "m.csv"), "--column", "Transformer", "--quiz", "total",
                                           "--lang", "ko"])
    assert result.exit_code == 0, result.output
    rows = list(csv.reader((tmp_path / "m.csv").open()))
    assert rows == [["Email address", "Transformer"], ["a@x", "100.5"], ["b@x", "61.25"]]
    assert "퀴즈 점수가 없는 학생" in result.output
    bad = CliRunner().invoke(cli.main, ["export", "moodle", str(out), "--roster", str(moodle_roster), "--match",
                                        "Username", "--output", str(tmp_path / "m.csv"), "--due", "tomorrow"])
    assert bad.exit_code == 2 and "--due tomorrow" in bad.output
