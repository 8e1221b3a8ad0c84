"""What a student is shown of a graded submission, at three levels (as Gradescope's visibility settings do).

- ``full``: every failing case as the instructor sees it, hidden ones included (their diff, expected values
  and traceback);
- ``visible`` (default): visible cases in full; a hidden case shows its status and the check that failed,
  never its inputs, expected values, message or traceback (each of which can tell its inputs);
- ``summary``: scores and statuses only.

Used for the batch's per-student Markdown and for Gradescope's results.
"""

from __future__ import annotations

from collections.abc import Sequence

from grader import clean
from grader.messages import render
from grader.report import figures
from grader.report import pictures as drawing
from grader.report.plain import case_text, exercise_notes, shows_detail
from grader.results import CaseResult, CheckResult, ExerciseResult, GradeResult, Status

LEVELS = ("full", "visible", "summary")
DEFAULT = "visible"
MAX_LISTED = 20
"""Failing cases listed by name under each exercise (the rest are counted)."""


def check_level(level: str) -> str:
    if level not in LEVELS:
        raise ValueError(f"feedback={level!r}; expected one of {', '.join(LEVELS)}")
    return level


def case_line(case: CaseResult, lang: str, level: str = DEFAULT) -> str:
    """One line: the case's name, status and the check that failed, and, where ``level`` lets its data be shown,
    the check's message (a hidden case's message can tell its inputs: ``visible`` leaves it out)."""
    failure = case.failure
    hidden = render("ui.hidden_tag", lang) if case.hidden else ""
    status = render(f"status.{case.status.value}", lang)
    check = f" [{failure.name}]" if failure is not None else ""
    message = f" {render(failure.message, lang)}" if failure and failure.message and shows_detail(case, level) else ""
    return f"{render('ui.case', lang, case=case.id, hidden=hidden)}: {status}{check}{message}"


def outcome(case: CaseResult, lang: str, level: str = DEFAULT) -> str:
    """What :func:`case_line` says after the case's name: cases alike in it are listed together."""
    return case_line(case, lang, level).split(": ", 1)[-1]


def grouped_lines(cases: Sequence[CaseResult], lang: str, level: str = DEFAULT) -> list[str]:
    """One line per outcome: "12 cases (a, b, c, …): error [values] …" where cases failed alike, in the order
    their first case comes; a case alone keeps its own line."""
    groups: dict[str, list[CaseResult]] = {}
    for c in cases:
        groups.setdefault(outcome(c, lang, level), []).append(c)
    lines = []
    for said, members in groups.items():
        if len(members) == 1:
            lines.append(case_line(members[0], lang, level))
            continue
        names = [c.id + (render("ui.hidden_tag", lang) if c.hidden else "") for c in members]
        shown = ", ".join(names[:MAX_NAMED]) + (", …" if len(names) > MAX_NAMED else "")
        lines.append(render("ui.cases_group", lang, count=len(members), cases=shown, outcome=said))
    return lines


MAX_NAMED = 6
"""Case names written in a group's line (the count says how many there are)."""


def syntax_errors(result: GradeResult, level: str = DEFAULT) -> list[CheckResult]:
    """Each syntax error once (a file that does not parse fails every case that imports it, alike), at every level
    but ``summary``: the error is in the student's own file and says nothing of a hidden case's inputs."""
    seen: dict[tuple[str, ...], CheckResult] = {}
    for e in result.exercises:
        for c in e.cases:
            f = c.failure
            if _is_syntax(c) and level != "summary" and f is not None and f.message is not None:
                seen.setdefault(tuple(str(v) for v in f.message.params.values()), f)
    return list(seen.values())


def _is_syntax(case: CaseResult) -> bool:
    f = case.failure
    return f is not None and f.message is not None and f.message.key == "check.syntax"


def case_output(case: CaseResult, lang: str, level: str) -> str:
    """A failing case as plain text at ``level`` (empty at ``summary``)."""
    if level == "summary":
        return ""
    return case_text(case, lang) if shows_detail(case, level) else case_line(case, lang)


def markdown(result: GradeResult, name: str, lang: str, left_out: Sequence[str] = (), level: str = DEFAULT,
             pictures: str = "") -> str:
    """Feedback for the student: every name and message escaped, every code fence longer than what it holds.
    ``left_out``: the submission's files that were not graded (links, special files, too large); ``pictures``: the
    folder, relative to the file, holding each exercise's heatmaps as ``<exercise>.svg`` (linked where drawn)."""
    check_level(level)
    md, code = clean.markdown, clean.markdown_code
    title = render("ui.title", lang, assignment=result.assignment, score=result.score, max_score=result.max_score)
    lines = [f"# {md(name)}: {md(title)}",
             "", f"| {md(render('ui.col.exercise', lang))} | {md(render('ui.col.status', lang))} | "
                 f"{md(render('ui.col.score', lang))} |",
             "|---|---|---|"]
    for e in result.exercises:
        lines.append(f"| {code(e.id)} | {md(render('status.' + e.status.value, lang))} | {e.score:g} / {e.max_score:g} |")
    if level != "summary":
        for f in syntax_errors(result, level):  # said once, with its line, not once per case under [signature]
            params = f.message.params if f.message is not None else {}
            title = render("ui.syntax_title", lang, file=params.get("file", "?"), line=params.get("line", "?"))
            lines += ["", f"## {md(title)}",
                      "", clean.fence(render(f.message, lang) if f.message is not None else "")]
            if params.get("text"):
                lines += ["", clean.fence(str(params["text"]))]
        for e in result.exercises:
            if e.status is not Status.PASSED:
                lines += _exercise(e, lang, level, pictures)
        if pictures:  # the figures a judge kept, passed or failed (the .html draws them inline)
            lines += _figure_links(result, lang, level, pictures)
    if result.quiz is not None:
        answered = sum(q.status != "unanswered" for q in result.quiz.questions)
        lines += ["", md(render("quiz.ui.line", lang, score=result.quiz.score, max_score=result.quiz.max_score,
                                answered=answered, total=len(result.quiz.questions)))]
    elif result.quiz_error and level != "summary":
        lines += ["", md(render("quiz.error", lang, detail=result.quiz_error))]
    if left_out:
        lines += ["", md(render("batch.left_out", lang, files=", ".join(left_out[:20])))]
    return "\n".join(lines) + "\n"


def _figure_links(result: GradeResult, lang: str, level: str, folder: str) -> list[str]:
    lines = []
    for e, _case, drawn in figures.found(result, level):
        lines += ["", f"## {clean.markdown_code(e.id)}"]
        for kind in figures.kinds(drawn):
            text = clean.markdown(figures.alt(drawn, kind, lang))
            lines += ["", f"![{text}]({folder.rstrip('/')}/{figures.file_name(e, kind)})"]
    return lines


def _picture_link(e: ExerciseResult, case: CaseResult, lang: str, level: str, folder: str) -> list[str]:
    heatmap = drawing.heatmap_of(case, level)
    if heatmap is None:
        return []
    text = clean.markdown(drawing.alt(e.id, case.id, heatmap, lang))
    return ["", f"![{text}]({folder.rstrip('/')}/{drawing.file_name(e)})"]


def _exercise(e: ExerciseResult, lang: str, level: str, folder: str = "") -> list[str]:
    md, code = clean.markdown, clean.markdown_code
    lines = ["", f"## {code(e.id)}"]
    notes = exercise_notes(e, lang)
    if notes:
        lines += ["", *(f"- {md(note)}" for note in notes)]
    failing = [c for c in e.cases if c.status is not Status.PASSED]
    if e.status is Status.NOT_ATTEMPTED:
        failing = failing[:1]
    # the case shown in full: the first failing one the level lets us show, visible ones first
    # a file that does not parse tells nothing of a case's inputs: hidden cases join the count too
    syntax = [c for c in failing if _is_syntax(c) and level != "summary"]
    if syntax:  # told once above, with its line
        failing = [c for c in failing if c not in syntax]
        f = syntax[0].failure
        params = f.message.params if f is not None and f.message is not None else {}
        said = render("ui.syntax_cases", lang, count=len(syntax), file=params.get("file", "?"), line=params.get("line", "?"))
        lines += ["", f"- {md(said)}"]
    detailed = next((c for c in failing if shows_detail(c, level)), None)
    if detailed is not None:
        hidden = render("ui.hidden_tag", lang) if detailed.hidden else ""
        lines += ["", md(render("ui.case", lang, case=detailed.id, hidden=hidden)), "",
                  clean.fence(case_text(detailed, lang))]
        if folder and e.status is not Status.NOT_ATTEMPTED:
            lines += _picture_link(e, detailed, lang, level, folder)
    others = [c for c in failing if c is not detailed]
    if others:
        lines.append("")
        grouped = grouped_lines(others, lang, level)
        lines += [f"- {md(line)}" for line in grouped[:MAX_LISTED]]
        if len(grouped) > MAX_LISTED:
            lines.append(md(render("ui.more_cases", lang, count=len(grouped) - MAX_LISTED)))
    return lines
