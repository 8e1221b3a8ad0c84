"""The ``grade`` command: parses options, calls grader.api (grader.batch, grader.release, ...) and prints what
they return with grader.report; click speaks the language asked for through grader.clicklang.

Exit codes (one place, see grader.score): 0 all passed (or score >= --min-score), 1 some exercise
lost points, 2 usage error, 3 the grader itself failed.
"""

from __future__ import annotations

import functools
import json
import os
import sys
import time
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

import click
from rich.console import Console
from rich.text import Text

from grader import clean, clicklang, report, score
from grader.cliopts import FEEDBACK_OPTION, LANG_OPTION, lms_options, scheduler_options
from grader.messages import closest, render, resolve_lang
from grader.messages import title as assignment_title
from grader.results import Message
from grader.sandbox.forkserver import warm_up
from grader.sandbox.limits import SANDBOXES, Limits, MiB
from grader.startup import heavy_imports
from grader.version import __version__


class GraderUsage(click.UsageError):
    """A usage error whose text is already in the user's language (exit code 2)."""


def _usage(exc: Any, lang: str) -> GraderUsage:
    """An api.UsageError for a person: in ``lang``, with the closest known name when one was mistyped."""
    message: Message = exc.message
    if message.key == "usage.unknown_assignment":
        from grader import specs

        close = closest(str(message.params.get("name", "")), specs.names())
        if close is not None:
            message = Message("usage.unknown_assignment_close", {**message.params, "close": close})
    return GraderUsage(render(message, lang))


def _summary() -> Any:
    """grader.report.summary, the instructor's tables: imported by the commands that print one, not by `grade check`."""
    from grader.report import summary

    return summary


_stdout = functools.partial(Console, highlight=False, soft_wrap=False)
_stderr = functools.partial(Console, stderr=True, highlight=False)


def abort_fault(exc: BaseException, lang: str) -> NoReturn:
    """The grader failed: apologise, show what to report, exit 3. Never a student's zero."""
    if isinstance(exc, (EOFError, KeyboardInterrupt)):  # Ctrl-D at a prompt: the person's doing, not a fault
        interrupted(lang)
    err = _stderr()
    err.print(Text(render("fault.grader", lang, error=type(exc).__name__), style="bold red"))
    err.print(clean.terminal("".join(traceback.format_exception(exc)), style="dim"))
    sys.exit(score.EXIT_GRADER_FAULT)


def interrupted(lang: str) -> NoReturn:
    """Ctrl-C or Ctrl-D: say so in one line, leave nothing running, exit 130 (no apology, no traceback)."""
    from grader.sandbox.forkserver import server

    server().kill_now()
    try:
        _stderr().print(Text(render("interrupted", lang), style="yellow"))
        sys.stderr.flush()
        sys.stdout.flush()
    finally:  # not sys.exit: batch worker threads would be waited for
        os._exit(score.EXIT_INTERRUPTED)


class DefaultToCheck(click.Group):
    """``grade`` alone, or ``grade --lang ko``, or ``grade PATH`` means ``grade check ...``; every text, click's own
    included, is in the language asked for (--lang, GRADER_LANG, the locale)."""

    def main(self, args: Sequence[str] | None = None, *rest: Any, **kwargs: Any) -> Any:
        args = list(sys.argv[1:] if args is None else args)
        lang = clicklang.lang_of(args)
        with clicklang.click_in(lang), clicklang.help_in(self, lang):
            try:
                kwargs["standalone_mode"] = False  # interruptions and usage errors are handled just below
                code = super().main(args, *rest, **kwargs)  # type: ignore[call-overload]
            except click.exceptions.Abort:  # Ctrl-C anywhere, or Ctrl-D at a prompt
                interrupted(lang)
            except click.ClickException as exc:
                exc.show()
                sys.exit(exc.exit_code)
        sys.exit(code if isinstance(code, int) else 0)

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        args = clicklang.help_alias(args, self.commands)
        if not args or (args[0] not in self.commands and args[0] not in ("-h", "--help", "--version")):
            first = args[0] if args else ""
            close = closest(first, self.commands) if first and not first.startswith("-") else None
            if close is not None and not Path(first).exists():  # a mistyped command, not a folder to grade
                raise GraderUsage(render("usage.unknown_command", clicklang.lang_of(args), name=first, close=close), ctx)
            args = ["check", *args]
        return super().parse_args(ctx, args)


@click.group(cls=DefaultToCheck, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(version=__version__, prog_name="grade")
def main() -> None:
    """Grade attention and Transformer assignments.

    With no command (or options only), runs `grade check` on the current folder.
    """


@main.command()
@click.argument("path", type=click.Path(path_type=Path), default=Path("."), required=False)
@click.option("--assignment", "assignment", default=None, help="Assignment name (default: found from PATH).")
@click.option("--hidden", is_flag=True, help="Also run the hidden cases (CI and batch grading).")
@click.option("--format", "fmt", type=click.Choice(report.FORMATS), default=report.FORMATS[0], show_default=True,
              metavar="FORMAT", help=f"The report's format: {', '.join(report.FORMATS)}.")
@click.option("--hidden-visibility", type=click.Choice(["hidden", "after_due_date", "after_published", "visible"]),
              default="after_published", show_default=True, help="Gradescope: when students see the hidden cases.")
@click.option("--device", type=click.Choice(["auto", "cpu", "cuda"]), default="auto", show_default=True,
              help="auto runs every case on the CPU and, where a GPU exists, the visible ones on it too.")
@LANG_OPTION
@click.option("--exercise", "exercises", multiple=True, help="Only this exercise (repeatable).")
@click.option("--all", "every", is_flag=True, help="Every failing exercise in full (default: the first, a line each else).")
@click.option("--timeout", type=click.FloatRange(min=1), default=None,
              help="Seconds each exercise may run (default: each case gets a limit from what the reference needs, "
                   "and each exercise 60 s).")
@click.option("--salt", default="", help="Changes every case's inputs (instructors: keep hidden inputs unguessable).")
@click.option("--min-score", type=float, default=None, help="Exit 0 when the score reaches this, else 1.")
@click.option("--memory", "memory_mb", type=click.IntRange(min=64), default=Limits().memory_bytes // MiB,
              show_default=True, help="MiB of memory the student's code may use.")
@click.option("--sandbox", type=click.Choice(SANDBOXES), default="auto", show_default=True,
              help="auto: Linux namespaces where available; process: a plain child process.")
@FEEDBACK_OPTION
@click.option("--pictures", "pictures_dir", type=click.Path(path_type=Path, file_okay=False), default=None,
              help="Write the picture of each failing exercise there as <exercise>.svg (the report prints each path).")
def check(path: Path = Path("."), assignment: str | None = None, hidden: bool = False, fmt: str = "text",
          hidden_visibility: str = "after_published", device: str = "auto", lang: str | None = None,
          exercises: tuple[str, ...] = (), every: bool = False, timeout: float | None = None, salt: str = "",
          min_score: float | None = None, memory_mb: int = Limits().memory_bytes // MiB, sandbox: str = "auto",
          feedback: str = "visible", pictures_dir: Path | None = None) -> None:
    """Grade the submission in PATH (default: the current folder)."""
    lang = resolve_lang(lang)
    started = time.monotonic()
    warm_up()  # the fork server imports torch in its own process while this one imports it too
    with heavy_imports():
        from grader import api  # torch: imported only now, in parallel with the fork server
        from grader.reference import cache_folder

    try:
        result = api.check(path, assignment=assignment, hidden=hidden, device=device, exercises=exercises,
                           timeout=timeout, salt=salt, limits=Limits(memory_bytes=memory_mb * MiB), sandbox=sandbox,
                           reference_cache=cache_folder())
        if pictures_dir is not None:  # each failing exercise's picture and a judge's figures (their paths printed)
            from grader.report import figures

            pictures_dir.mkdir(parents=True, exist_ok=True)
            drawn = figures.every_file(result, lang, feedback)
            for name, svg in drawn.items():
                (pictures_dir / name).write_text(svg, encoding="utf-8")
        console = _stdout()
        title = assignment_title(result.assignment, api.assignment_spec(result.assignment).title, lang)
        click.echo(report.render(fmt, result, lang, report.Options(
            title=title, execution_time=time.monotonic() - started, hidden_visibility=hidden_visibility,
            name=Path(path).name, width=console.width, color=console.is_terminal, feedback=feedback,
            every=every or bool(exercises), pictures=str(pictures_dir or ""))), nl=False)
    except api.UsageError as exc:
        raise _usage(exc, lang) from None
    except Exception as exc:  # noqa: BLE001 - any other failure is the grader's, not the student's
        abort_fault(exc, lang)
    sys.exit(score.exit_code(result, min_score))


@main.command(name="list")
@click.option("--assignment", "assignment", default=None, help="Only this assignment.")
@LANG_OPTION
def list_(assignment: str | None = None, lang: str | None = None) -> None:
    """Show the assignments, their exercises and points."""
    from grader import api

    lang = resolve_lang(lang)
    console = _stdout()
    broken: list[api.UsageError] = []
    found = [a for a in api.assignments(broken) if assignment in (None, a.name)]
    for exc in broken:  # said, not fatal: the other assignments are listed
        _stderr().print(Text(render(exc.message, lang)))
    if not found:
        names = [a.name for a in api.assignments()]
        close = closest(str(assignment), names)
        raise GraderUsage(render("usage.unknown_assignment_close" if close else "usage.unknown_assignment", lang,
                                 name=assignment, close=close, known=", ".join(names)))
    for a in found:
        _summary().print_assignment(console, a, assignment_title(a.name, a.title, lang), lang)


@main.command()
@click.argument("submissions", type=click.Path(path_type=Path, exists=True, file_okay=False))
@click.option("--assignment", "assignment", required=True, help="Assignment name.")
@click.option("--output", "output", type=click.Path(path_type=Path, file_okay=False), required=True,
              help="Folder for <name>.json, <name>.md, gradebook.csv and the summary.")
@click.option("--workers", type=click.IntRange(min=1), default=None, help="Parallel submissions (default: the number of cores).")
@click.option("--resume/--no-resume", default=True, show_default=True,
              help="Skip submissions whose content has not changed since their result was written.")
@click.option("--hidden/--no-hidden", default=True, show_default=True, help="Also run the hidden cases.")
@click.option("--shard", default=None, help="K/N: grade only the K-th of N deterministic slices of the class; auto: K and N "
                                           "from a Slurm job array's or a Kubernetes Indexed Job's environment.")
@click.option("--salt", default="", help="Changes every case's inputs.")
@click.option("--exercise", "exercises", multiple=True, help="Only this exercise (repeatable).")
@click.option("--executor", type=click.Choice(["local", "ray"]), default="local", show_default=True,
              help="Where to grade: local workers, or a Ray cluster (needs nlp-grader[cluster]).")
@click.option("--address", default=None,
              help="--executor ray: the Ray cluster to join (auto: the one this machine belongs to); none starts a local one.")
@click.option("--device", type=click.Choice(["auto", "cpu", "cuda"]), default="auto", show_default=True,
              help="auto runs every case on the CPU and, where a GPU exists, the visible ones on it too; cuda runs all "
                   "there (with --executor ray: one GPU per worker).")
@click.option("--only", "only", multiple=True,
              help="Regrade only this submission, whatever its content (repeatable); the others are kept.")
@click.option("--reason", default=None, help="Why they are graded again (kept in history.jsonl and shown).")
@click.option("--due", default=None, help="The due date (2026-03-01T23:59+09:00): flags late submissions.")
@click.option("--timeout", type=click.FloatRange(min=1), default=None,
              help="Seconds each exercise may run (default: per-case limits from the reference, 60 s an exercise).")
@click.option("--memory", "memory_mb", type=click.IntRange(min=64), default=Limits().memory_bytes // MiB,
              show_default=True, help="MiB of memory the student's code may use.")
@FEEDBACK_OPTION
@LANG_OPTION
def batch(submissions: Path, assignment: str, output: Path, workers: int | None = None, resume: bool = True,
          hidden: bool = True, shard: str | None = None, salt: str = "", exercises: tuple[str, ...] = (),
          only: tuple[str, ...] = (), timeout: float | None = None, memory_mb: int = Limits().memory_bytes // MiB,
          feedback: str = "visible", lang: str | None = None, executor: str = "local", address: str | None = None,
          device: str = "auto", reason: str | None = None, due: str | None = None) -> None:
    """Grade every folder or .zip in SUBMISSIONS; write results, a gradebook and a summary to OUTPUT."""
    if executor == "local":  # on a cluster the workers grade: no fork server here (here it imports torch as we do)
        warm_up()
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

    with heavy_imports():
        from grader import api, schedulers
        from grader import batch as batch_mod
        from grader.reference import cache_folder

    lang = resolve_lang(lang)
    err = _stderr()
    try:
        if shard == "auto":
            shard, source = schedulers.shard_from_environment()
            err.print(Text(render("shard.auto_found", lang, shard=shard, source=source), style="dim"))
        with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                      TimeRemainingColumn(), console=err, transient=False) as progress:
            task = progress.add_task(render("batch.progress", lang), total=None)

            def on_progress(name: str, done: int, total: int) -> None:
                # the description is read as markup: the submission's name is escaped (and cleaned)
                progress.update(task, total=total, completed=done,
                                description=render("batch.progress_last", lang, name=clean.markup(name)))

            report = batch_mod.run(submissions, assignment=assignment, output=output, workers=workers, resume=resume,
                                   hidden=hidden, shard=shard, lang=lang, salt=salt, exercises=exercises,
                                   only=only, timeout=timeout, limits=Limits(memory_bytes=memory_mb * MiB),
                                   feedback=feedback, device=device, executor=executor, address=address,
                                   reason=reason, due=due, on_progress=on_progress, reference_cache=cache_folder())
    except api.UsageError as exc:
        raise _usage(exc, lang) from None
    except batch_mod.BatchError as exc:
        raise GraderUsage(clean.text(str(exc))) from None
    except Exception as exc:  # noqa: BLE001
        abort_fault(exc, lang)
    _summary().print_summary(_stdout(), report.summary, lang, graded=len(report.graded),
                                 skipped=len(report.skipped), failed=len(report.failed))
    _summary().print_regrades(_stdout(), report.regrades, lang)
    sys.exit(score.EXIT_GRADER_FAULT if report.failed else score.EXIT_OK)


@main.command()
@click.argument("outputs", nargs=-1, required=True, type=click.Path(path_type=Path, exists=True, file_okay=False))
@click.option("--assignment", "assignment", required=True)
@click.option("--output", "output", type=click.Path(path_type=Path, file_okay=False), required=True)
@LANG_OPTION
def merge(outputs: tuple[Path, ...], assignment: str, output: Path, lang: str | None = None) -> None:
    """Join the outputs of several `grade batch --shard` runs into one gradebook."""
    from grader import api
    from grader import batch as batch_mod

    lang = resolve_lang(lang)
    try:
        summary = batch_mod.merge(list(outputs), assignment=assignment, output=output)
    except api.UsageError as exc:
        raise _usage(exc, lang) from None
    except batch_mod.BatchError as exc:
        raise GraderUsage(clean.text(str(exc))) from None
    _summary().print_summary(_stdout(), summary, lang, graded=summary["graded"], skipped=0,
                                 failed=len(summary["grader_errors"]))


@main.command()
@click.option("--assignment", "assignment", required=True)
@click.option("--output", "output", type=click.Path(path_type=Path, file_okay=False), required=True,
              help="A new folder for the student bundle.")
@click.option("--salt", default="", help="Changes the visible cases' inputs (use the same salt when grading).")
@click.option("--allow-implemented", is_flag=True,
              help="Ship exercises that are implemented as starter code, on purpose (release.json records it).")
@LANG_OPTION
def release(assignment: str, output: Path, salt: str = "", allow_implemented: bool = False,
            lang: str | None = None) -> None:
    """Write the student bundle: stubs, the grader without any reference, visible-case fixtures, the quiz without answers."""
    from grader import api
    from grader import release as release_mod

    lang = resolve_lang(lang)
    try:
        path = release_mod.release(assignment=assignment, output=output, salt=salt, allow_implemented=allow_implemented)
    except api.UsageError as exc:
        raise _usage(exc, lang) from None
    except release_mod.ReleaseError as exc:
        raise GraderUsage(render(exc.message, lang) if exc.message else str(exc)) from None
    _summary().print_shipped(_stdout(), release_mod.shipped(path), lang)
    _stdout().print(Text(render("release.done", lang, path=str(path), name=assignment)))


@main.group()
def export() -> None:
    """Build files for other platforms."""


@export.command(name="gradescope")
@click.option("--assignment", "assignment", required=True)
@click.option("--output", "output", type=click.Path(path_type=Path, dir_okay=False), default=Path("autograder.zip"),
              show_default=True)
@click.option("--hidden-visibility", type=click.Choice(["hidden", "after_due_date", "after_published", "visible"]),
              default="after_published", show_default=True)
@click.option("--salt", default="", help="Changes every case's inputs.")
@click.option("--allow-implemented", is_flag=True,
              help="Ship exercises that are implemented as starter code, on purpose (release.json records it).")
@click.option("--torch", "torch_version", default=None,
              help="The torch version setup.sh installs (CPU build; default: the one this grader runs with).")
@FEEDBACK_OPTION
@LANG_OPTION
def export_gradescope(assignment: str, output: Path, hidden_visibility: str = "after_published", salt: str = "",
                      feedback: str = "visible", allow_implemented: bool = False, torch_version: str | None = None,
                      lang: str | None = None) -> None:
    """The Gradescope autograder zip (setup.sh, run_autograder, the grader with its reference); its reports are in
    --lang."""
    from grader import api
    from grader import release as release_mod

    lang = resolve_lang(lang)
    try:
        path = release_mod.gradescope_zip(assignment=assignment, output=output, hidden_visibility=hidden_visibility,
                                          salt=salt, lang=lang, feedback=feedback, allow_implemented=allow_implemented,
                                          torch=torch_version)
    except api.UsageError as exc:
        raise _usage(exc, lang) from None
    except release_mod.ReleaseError as exc:
        raise GraderUsage(render(exc.message, lang) if exc.message else str(exc)) from None
    import zipfile

    with zipfile.ZipFile(path) as zf:
        manifest = json.loads(zf.read(release_mod.MANIFEST))
    _summary().print_shipped(_stdout(), manifest, lang)
    _stdout().print(Text(render("export.done", lang, path=str(path))))


@export.command(name="prairielearn")
@click.option("--assignment", "assignment", required=True)
@click.option("--output", "output", type=click.Path(path_type=Path, file_okay=False), required=True, help="A new folder.")
@click.option("--image", default="prairielearn/grader-python", show_default=True, help="An image with torch and this grader.")
@click.option("--salt", default="", help="Changes every case's inputs.")
@FEEDBACK_OPTION
@LANG_OPTION
def export_prairielearn(assignment: str, output: Path, image: str, salt: str = "", feedback: str = "visible",
                        lang: str | None = None) -> None:
    """A PrairieLearn question (info.json, question.html, tests/run.sh, grader-image/Dockerfile); reports in --lang."""
    from grader import api, prairielearn

    lang = resolve_lang(lang)
    try:
        path = prairielearn.question(assignment=assignment, output=output, image=image, lang=lang, salt=salt, feedback=feedback)
    except (api.UsageError, ValueError) as exc:
        raise (_usage(exc, lang) if isinstance(exc, api.UsageError) else GraderUsage(str(exc))) from None
    _stdout().print(Text(render("export.prairielearn.done", lang, path=str(path), image=image)))


def _lms_export(system: str, output: Path, roster: Path, column: str, target: Path, lang: str, **options: Any) -> None:
    from grader import api, lms
    from grader import batch as batch_mod

    try:
        done = lms.export(system, output, roster=roster, column=column, **options)
    except api.UsageError as exc:
        raise _usage(exc, lang) from None
    except lms.LmsError as exc:
        raise GraderUsage(render(exc.message, lang)) from None
    batch_mod.write_atomic(target, done.text)
    _summary().print_lms(_stdout(), done, system, column, str(target), lang)


@export.command(name="canvas")
@lms_options
def export_canvas(output: Path, roster: Path, column: str, target: Path, lang: str | None = None, **options: Any) -> None:
    """Canvas's gradebook import CSV (Student, ID, SIS User ID, SIS Login ID, Section, the assignment), one row per
    roster student."""
    _lms_export("canvas", output, roster, column, target, resolve_lang(lang), **options)


@export.command(name="moodle")
@lms_options
@click.option("--id-column", default=None, help="The roster column Moodle identifies users by (default: --match).")
def export_moodle(output: Path, roster: Path, column: str, target: Path, lang: str | None = None, **options: Any) -> None:
    """Moodle's grade import CSV (an identifier column and the grade), one row per roster student."""
    _lms_export("moodle", output, roster, column, target, resolve_lang(lang), **options)


def _scheduler_export(system: str, assignment: str, submissions: str, output: Path, tasks: int, results: str | None,
                      lang: str | None) -> None:
    from grader import api, schedulers

    lang = resolve_lang(lang)
    try:
        written = schedulers.export(system, assignment=assignment, submissions=submissions, output=output, tasks=tasks,
                                    lang=lang, results=results)
    except api.UsageError as exc:
        raise _usage(exc, lang) from None
    _stdout().print(clean.terminal(render("export.sched.done", lang, files=", ".join(p.name for p in written),
                                          path=str(output), fill=schedulers.FILL)))


@export.command(name="slurm")
@scheduler_options
def export_slurm(assignment: str, submissions: str, output: Path, tasks: int, results: str | None = None,
                 lang: str | None = None) -> None:
    """A Slurm job array (grade-array.sbatch), the merge job that waits for it (merge.sbatch) and submit.sh."""
    _scheduler_export("slurm", assignment, submissions, output, tasks, results, lang)


@export.command(name="k8s")
@scheduler_options
def export_k8s(assignment: str, submissions: str, output: Path, tasks: int, results: str | None = None,
               lang: str | None = None) -> None:
    """A Kubernetes Indexed Job (job.yaml), the merge Job (merge.yaml) and run.sh, which applies them in order."""
    _scheduler_export("k8s", assignment, submissions, output, tasks, results, lang)


@export.command(name="github")
@scheduler_options
def export_github(assignment: str, submissions: str, output: Path, tasks: int, results: str | None = None,
                  lang: str | None = None) -> None:
    """A GitHub Actions workflow (grade.yml): a matrix of one job per shard, then a merge job."""
    _scheduler_export("github", assignment, submissions, output, tasks, results, lang)


@main.command(name="report")
@click.argument("output", type=click.Path(path_type=Path, exists=True, file_okay=False))
@FEEDBACK_OPTION
@LANG_OPTION
def report_(output: Path, feedback: str = "visible", lang: str | None = None) -> None:
    """Render every file of a batch's OUTPUT again from its stored results (no student code runs)."""
    from grader import api
    from grader import batch as batch_mod

    lang = resolve_lang(lang)
    try:
        summary = batch_mod.render_output(output, lang=lang, level=feedback)
    except api.UsageError as exc:
        raise _usage(exc, lang) from None
    except batch_mod.BatchError as exc:
        raise GraderUsage(clean.text(str(exc))) from None
    console = _stdout()
    console.print(Text(render("report.done", lang, count=summary["rendered"], path=str(output))))
    if summary["kept"]:
        console.print(clean.terminal(render("report.kept", lang, names=", ".join(summary["kept"])), style="yellow"))
    _summary().print_summary(_stdout(), summary, lang, graded=0, skipped=summary["graded"],
                                 failed=len(summary["grader_errors"]))


@main.command()
@click.argument("output", type=click.Path(path_type=Path, exists=True, file_okay=False))
@click.option("--threshold", type=click.FloatRange(0, 1), default=0.5, show_default=True,
              help="Share of their distinctive code two submissions must have in common to be listed.")
@LANG_OPTION
def similar(output: Path, threshold: float = 0.5, lang: str | None = None) -> None:
    """List the pairs of a batch's submissions whose code is alike (a reason to look, never evidence)."""
    from grader import api
    from grader import batch as batch_mod

    lang = resolve_lang(lang)
    try:
        pairs = batch_mod.update_similarity(output, threshold=threshold, lang=lang)
    except api.UsageError as exc:
        raise _usage(exc, lang) from None
    except batch_mod.BatchError as exc:
        raise GraderUsage(clean.text(str(exc))) from None
    _summary().print_similar(_stdout(), pairs, lang)


@main.command()
@click.option("--assignment", "assignment", default=None, help="Assignment name (default: found from the current folder).")
@click.option("--answers", "answers", type=click.Path(path_type=Path, exists=True, dir_okay=False), default=None,
              help="Grade this answers file instead of asking.")
@click.option("--student", default=None, help="Student id: fixes the numbers drawn for parameterised questions.")
@click.option("--template", "template", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="Write an answers file with every question as comments, for offline work.")
@click.option("--export-student", "export_dir", type=click.Path(path_type=Path, file_okay=False), default=None,
              help="Instructors: write the student version of the bank (no answers) into this folder.")
@click.option("--save", "save", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="Interactive mode: the answers file (default quiz-answers.toml), written when you stop or finish.")
@click.option("--resume", is_flag=True, help="Go on from the answers file: ask only what is not answered yet.")
@click.option("--retry-missed", is_flag=True, help="Ask again only what the answers file has wrong or blank.")
@click.option("--topic", "topics", multiple=True, help="Only questions of this topic (repeatable).")
@click.option("--bank", "bank_path", type=click.Path(path_type=Path, exists=True, dir_okay=False), default=None,
              help="Use this question bank file.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@LANG_OPTION
def quiz(assignment: str | None = None, answers: Path | None = None, student: str | None = None,
         template: Path | None = None, export_dir: Path | None = None, save: Path | None = None,
         topics: tuple[str, ...] = (), bank_path: Path | None = None, fmt: str = "text", lang: str | None = None,
         resume: bool = False, retry_missed: bool = False) -> None:
    """The concept quiz: ask it, grade an answers file, write a template, or export it for students."""
    from grader import api
    from grader.quiz import export, interactive
    from grader.quiz.bank import QuizError
    from grader.quiz.grade import ANONYMOUS
    from grader.report import quiz as quiz_report

    lang = resolve_lang(lang)
    try:
        bank = api.quiz_bank(assignment, bank=bank_path)
        unknown = [t for t in topics if t not in bank.topics]  # the topics the assignment's quiz declares
        if unknown:
            raise GraderUsage(render("usage.unknown_topic", lang, names=", ".join(unknown), known=", ".join(bank.topics)))
        if export_dir is not None:
            path = export.write_student_bank(bank, export_dir)
            _stdout().print(Text(render("quiz.written.export", lang, path=str(path))))
            return
        if template is not None:
            template.write_text(export.template(bank, student or ANONYMOUS, lang), encoding="utf-8")
            _stdout().print(Text(render("quiz.written.template", lang, count=len(bank.questions), path=str(template))))
            return
        if answers is not None:
            result = api.grade_quiz(bank, answers, student=student)
        else:
            result = interactive.ask_and_keep(bank, student=student, lang=lang, console=_stdout(), topics=topics,
                                              save=save, resume=resume, retry_missed=retry_missed)
    except api.UsageError as exc:
        raise _usage(exc, lang) from None
    except QuizError as exc:
        raise GraderUsage(render("quiz.error", lang, detail=str(exc))) from None
    except Exception as exc:  # noqa: BLE001 - the grader's fault, not the student's
        abort_fault(exc, lang)
    if fmt == "json":
        click.echo(quiz_report.dumps(result, lang))
    else:
        quiz_report.render_summary(result, _stdout(), lang)
    sys.exit(score.EXIT_OK if result.score >= result.max_score else score.EXIT_FAILED)


if __name__ == "__main__":
    main()
