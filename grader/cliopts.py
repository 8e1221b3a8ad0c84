"""The options several `grade` commands share, declared once: ``--lang``, ``--feedback``, the LMS exports' and the
cluster exports'. Their help texts are English here; grader.clicklang gives them in the language asked for."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from grader import clicklang

LANG_OPTION = click.option("--lang", type=clicklang.LangChoice(), default=None,
                           help="Language of every message (default: GRADER_LANG, then the locale).")
FEEDBACK_OPTION = click.option(
    "--feedback", type=click.Choice(["full", "visible", "summary"]), default="visible", show_default=True,
    help="What students see of a failing case: full (hidden ones too), visible (hidden ones: status and the check "
         "only), summary (scores and statuses).")



def lms_options(function: Any) -> Any:
    """The options of `grade export canvas` and `grade export moodle`."""
    for option in reversed([
        click.argument("output", type=click.Path(path_type=Path, exists=True, file_okay=False)),
        click.option("--roster", type=click.Path(path_type=Path, exists=True, dir_okay=False), required=True,
                     help="The course's roster as CSV (best: the LMS's own gradebook or participants export)."),
        click.option("--match", "column", required=True,
                     help="The roster column that holds the names the submissions are named after."),
        click.option("--output", "target", type=click.Path(path_type=Path, dir_okay=False), required=True,
                     help="The CSV file to write."),
        click.option("--column", "title", default=None, help="The grade column's title, e.g. \"Homework 3 (12345)\" "
                     "(Canvas: default the roster's column for this assignment)."),
        click.option("--quiz", type=click.Choice(["none", "column", "total"]), default="none", show_default=True,
                     help="The quiz score: left out, in its own column, or added to the grade."),
        click.option("--quiz-column", "quiz_title", default=None, help="The quiz column's title (--quiz column)."),
        click.option("--late-penalty", type=click.FloatRange(0, 100), default=0.0, show_default=True,
                     help="Percent of the grade taken off per day (or part of one) past the due date."),
        click.option("--late-cap", type=click.FloatRange(0, 100), default=100.0, show_default=True,
                     help="The largest late penalty, in percent."),
        click.option("--due", default=None, help="The due date (default: the one grade batch --due stored)."),
        LANG_OPTION,
    ]):
        function = option(function)
    return function



def scheduler_options(function: Any) -> Any:
    """The options of `grade export slurm`, `k8s` and `github`."""
    for option in reversed([
        click.option("--assignment", "assignment", required=True, help="Assignment name."),
        click.option("--submissions", required=True,
                     help="The submissions folder as each task sees it (Slurm: on the shared filesystem; Kubernetes: "
                          "inside the pods; GitHub: in the repository)."),
        click.option("--output", "output", type=click.Path(path_type=Path, file_okay=False), required=True,
                     help="The folder to write the files to."),
        click.option("--tasks", type=click.IntRange(min=1), required=True, help="How many tasks (shards) to grade in."),
        click.option("--results", default=None,
                     help="Where the results go (default: OUTPUT/results for Slurm, /data/results for Kubernetes, "
                          "results for GitHub)."), LANG_OPTION,
    ]):
        function = option(function)
    return function
