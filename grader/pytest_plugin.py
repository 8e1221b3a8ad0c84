"""``pytest`` in an assignment folder: one item per visible case, grouped by exercise; the student's code runs once.

Registered as a pytest plug-in (entry point ``pytest11``) by the repository and by the student bundle. It stays out of
every other pytest run (the grader's own tests included): it acts only where the folder pytest is given (or started
in) holds an ``assignment.toml``, or where ``--grade`` asks for it. Then:

- each of the assignment's files (``attention.py``) collects one group per exercise and one item per visible case
  (``<file>::<exercise>::<case>``), so ``-k``, ``--lf``, ``-x`` and ``--collect-only`` select as usual;
- the first item that runs grades every exercise still selected, once, in the sandbox (``grade check`` with
  ``--exercise`` for each); with ``-n`` (pytest-xdist) the first worker grades and the others read its stored result;
- a stub is skipped as "not attempted"; a failing case fails with the grader's report of it (the check, the diff,
  the named mistake or diagnosis, the traceback); the session ends with the points (``<assignment>: 42.5 / 100``).

Only pytest and the standard library are imported until the plug-in is active: torch is imported when it is.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from grader.messages import render, resolve_lang

if TYPE_CHECKING:
    from grader.results import CaseResult, ExerciseResult, GradeResult
    from grader.spec import Assignment

MARKER = "assignment.toml"
"""The file that makes a folder an assignment folder (grader.api.MARKER: not imported here, api imports torch)."""
PLUGIN = "nlp-grader-session"


def pytest_addoption(parser: pytest.Parser) -> None:
    lang = resolve_lang(None)
    group = parser.getgroup("nlp-grader")
    group.addoption("--grade", action="store_true", default=False, help=render("pytest.help.grade", lang))
    group.addoption("--grade-assignment", default=None, metavar="NAME", help=render("pytest.help.assignment", lang))
    group.addoption("--grade-lang", default=None, choices=("en", "ko"), help=render("pytest.help.lang", lang))


def _folders(config: pytest.Config) -> list[Path]:
    """The folders pytest was asked to collect (a file's folder for a file), else the one it started in."""
    start = Path(config.invocation_params.dir)
    out = []
    for arg in config.invocation_params.args:
        if arg.startswith("-"):
            continue
        path = (start / arg.split("::", 1)[0]).resolve()
        if path.exists():
            out.append(path if path.is_dir() else path.parent)
    return out or [start.resolve()]


def assignment_folder(config: pytest.Config) -> Path | None:
    """The folder to grade, or None where the plug-in stays out of the way."""
    folders = _folders(config)
    for folder in folders:
        if (folder / MARKER).is_file():
            return folder
    return folders[0] if config.getoption("grade") else None


def pytest_configure(config: pytest.Config) -> None:
    if not config.pluginmanager.has_plugin(PLUGIN):
        folder = assignment_folder(config)
        if folder is not None:
            config.pluginmanager.register(Session(config, folder), PLUGIN)


class GradeFailure(Exception):
    """A case the grader failed: its report is the failure's text."""


class Session:
    """The active plug-in of one pytest session: the assignment, its items, and the one grading run."""

    def __init__(self, config: pytest.Config, folder: Path) -> None:
        self.config = config
        self.folder = folder
        self.lang = resolve_lang(config.getoption("grade_lang"))
        self.result: GradeResult | None = None
        self._spec: Assignment | None = None
        self._root: Path | None = None
        self._files: dict[str, list[str]] | None = None

    # --- what the assignment holds ---------------------------------------------------------------------------

    def spec(self) -> tuple[Assignment, Path]:
        if self._spec is None or self._root is None:
            from grader import api

            try:
                self._spec, self._root = api.locate(self.folder, self.config.getoption("grade_assignment"))
            except api.UsageError as exc:
                raise pytest.UsageError(render(exc.message, self.lang)) from None
        return self._spec, self._root

    def exercises_of(self, file_path: Path) -> list[str]:
        spec, root = self.spec()
        if file_path.parent.resolve() != root.resolve():
            return []
        if self._files is None:
            self._files = {}
            for e in spec.exercises:
                self._files.setdefault(e.file, []).append(e.id)
        return self._files.get(file_path.name, [])

    def case_ids(self, exercise_id: str) -> list[str]:
        """The result ids of the exercise's visible cases, as ``grade check`` runs them (``id@cuda`` where a GPU is)."""
        import torch

        spec, _ = self.spec()
        exercise = spec.exercise(exercise_id)
        ids = []
        for case in exercise.cases:
            if not case.hidden:
                ids.append(case.id)
                if case.device is None and torch.cuda.is_available():
                    ids.append(f"{case.id}@cuda")
        return ids

    # --- pytest's hooks ----------------------------------------------------------------------------------------

    @pytest.hookimpl
    def pytest_collect_file(self, file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
        if file_path.suffix == ".py" and self.exercises_of(file_path):
            return AssignmentFile.from_parent(parent, path=file_path)
        return None

    @pytest.hookimpl
    def pytest_sessionstart(self, session: pytest.Session) -> None:
        if getattr(self.config.option, "dist", "no") != "no":  # xdist's controller: no result of an earlier run
            _shared_file(os.getpid()).unlink(missing_ok=True)

    @pytest.hookimpl
    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        result = self.result
        if result is None and getattr(self.config.option, "dist", "no") != "no":  # xdist's controller: the workers' run
            result = self._stored(_shared_file(os.getpid()), remove=True)
        if result is None:
            return
        terminalreporter.write_sep("=", "nlp-grader")
        title = render("ui.title", self.lang, assignment=result.assignment, score=result.score,
                       max_score=result.max_score)
        terminalreporter.write_line(title, bold=True)
        spec, _ = self.spec()
        if len(result.exercises) < len(spec.exercises):
            terminalreporter.write_line(render("pytest.partial", self.lang, graded=len(result.exercises),
                                               total=len(spec.exercises)))

    # --- the one grading run -----------------------------------------------------------------------------------

    def graded(self, session: pytest.Session) -> GradeResult:
        if self.result is None:
            selected = list(dict.fromkeys(i.exercise for i in session.items if isinstance(i, CaseItem)))
            self.result = self._shared(selected) if hasattr(self.config, "workerinput") else self._grade(selected)
        return self.result

    def _grade(self, exercises: list[str]) -> GradeResult:
        from grader import api

        spec, root = self.spec()
        try:
            return api.check(root, assignment=spec.name, exercises=exercises)
        except api.UsageError as exc:
            raise pytest.UsageError(render(exc.message, self.lang)) from None

    def _shared(self, exercises: list[str]) -> GradeResult:
        """pytest-xdist: every worker collects every item, so each selects the same exercises; the first to get
        the lock grades them and stores the result, the others read it (one grading run for the session). The file
        is named after the controller (the workers' parent), which reads it for the points and removes it."""
        import fcntl

        from grader.report import stored

        done = _shared_file(os.getppid())
        with open(done.with_suffix(".lock"), "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            result = self._stored(done)
            if result is None:
                result = self._grade(exercises)
                tmp = done.with_suffix(f".{os.getpid()}.tmp")
                tmp.write_text(json.dumps(stored.encode(result)), encoding="utf-8")
                os.replace(tmp, done)
            return result

    @staticmethod
    def _stored(path: Path, remove: bool = False) -> GradeResult | None:
        from grader.report import stored

        try:
            result: GradeResult = stored.decode(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError):
            return None
        if remove:
            for leftover in (path, path.with_suffix(".lock")):
                leftover.unlink(missing_ok=True)
        return result


class AssignmentFile(pytest.File):
    """One of the assignment's files: a group per exercise it holds."""

    def collect(self) -> Iterator[pytest.Collector]:
        grading = _session(self.config)
        for exercise in grading.exercises_of(self.path):
            yield Exercise.from_parent(self, name=exercise)


class Exercise(pytest.Collector):
    """One exercise: an item per visible case."""

    def collect(self) -> Iterator[pytest.Item]:
        for case in _session(self.config).case_ids(self.name):
            yield CaseItem.from_parent(self, name=case, exercise=self.name)


class CaseItem(pytest.Item):
    """One visible case; its outcome is read from the session's one grading run."""

    def __init__(self, *, exercise: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.exercise = exercise

    def runtest(self) -> None:
        grading = _session(self.config)
        result = grading.graded(self.session)
        lang = grading.lang
        found = _find(result, self.exercise, self.name)
        if found is None:
            raise GradeFailure(render("pytest.not_run", lang, case=self.name))
        exercise, case, earned = found
        from grader.report.feedback import case_line
        from grader.report.plain import case_text, exercise_notes
        from grader.results import Status

        if case.status is Status.NOT_ATTEMPTED:  # reported at the exercise's line, not at this module's
            raise pytest.skip.Exception(render("status.not_attempted", lang), _use_item_location=True)
        if case.status is Status.PASSED and earned:
            return
        lines = [case_line(case, lang, "summary"), *exercise_notes(exercise, lang)]
        if case.status is Status.PASSED:  # passed, yet the exercise earns nothing (a forbidden call)
            lines.append(render("pytest.zeroed", lang, score=exercise.score, max_score=exercise.max_score))
        lines.append(case_text(case, lang))
        raise GradeFailure("\n".join(line for line in lines if line))

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> Any:
        if isinstance(excinfo.value, GradeFailure):
            return str(excinfo.value)
        return super().repr_failure(excinfo)

    def reportinfo(self) -> tuple[Path, int, str]:
        return self.path, _line_of(self.path, self.exercise), f"{self.exercise}::{self.name}"


def _shared_file(controller: int) -> Path:
    """Where pytest-xdist's workers of the controller process ``controller`` leave their one grading result."""
    where = Path(tempfile.gettempdir()) / f"nlp-grader-pytest-{os.getuid()}"
    where.mkdir(mode=0o700, exist_ok=True)
    return where / f"{controller}.json"


def _line_of(path: Path, name: str) -> int:
    """The 0-based line where ``name`` is defined in ``path`` (0 when it is not found)."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return 0
    return next((i for i, line in enumerate(lines) if line.startswith((f"def {name}(", f"class {name}(", f"class {name}:"))), 0)


def _session(config: pytest.Config) -> Session:
    plugin = config.pluginmanager.get_plugin(PLUGIN)
    assert isinstance(plugin, Session)
    return plugin


def _find(result: GradeResult, exercise_id: str, case_id: str) -> tuple[ExerciseResult, CaseResult, bool] | None:
    """The exercise, the case and whether it passes as an item: it passed, and its exercise was not zeroed (a
    forbidden call makes every case that passed earn nothing: grader.score.case_points)."""
    from grader.results import Status
    from grader.score import case_points

    for e in result.exercises:
        if e.id == exercise_id:
            points = case_points(result, e)
            zeroed = e.score == 0 and any(c.status is Status.PASSED and most > 0
                                          for c, (_, most) in zip(e.cases, points, strict=True))
            for c in e.cases:
                if c.id == case_id:
                    return e, c, c.status is Status.PASSED and not zeroed
    return None
