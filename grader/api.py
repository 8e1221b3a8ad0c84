"""Keyword-only entry points; the defaults live here (the CLI only parses and calls)."""

from __future__ import annotations

import dataclasses
import sys
import tempfile
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import torch

from grader import cells, checks, clean, diagnose, safefs, specs, static
from grader.messages import closest
from grader.reference import Prepared, Reference, one_torch_thread
from grader.results import CaseResult, Diagnosis, ExerciseResult, GradeResult, Message, MistakeMatch, Status
from grader.sandbox import runner
from grader.sandbox.limits import SANDBOXES, Limits
from grader.sandbox.protocol import ELSEWHERE, OutcomeStatus, RecordKind
from grader.score import score_exercise, standings
from grader.spec import Assignment, Case, Exercise
from grader.version import __version__

if TYPE_CHECKING:
    from grader.quiz.bank import Bank
    from grader.quiz.grade import QuizResult

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

DEFAULT_TIMEOUT = Limits().exercise_seconds
"""Seconds one exercise (all its cases) may run in the sandbox."""
MARKER = "assignment.toml"


class UsageError(Exception):
    """The caller asked for something that cannot be done; carries a message for a person."""

    def __init__(self, message: Message) -> None:
        super().__init__(message.key)
        self.message = message


def _named_in_marker(folder: Path) -> str | None:
    marker = folder / MARKER
    if not marker.is_file():
        return None
    try:
        name = tomllib.loads(marker.read_text(encoding="utf-8")).get("name")
    except (tomllib.TOMLDecodeError, OSError, UnicodeDecodeError):
        return None
    return name if isinstance(name, str) else None


def _where_to_go(path: Path) -> str:
    """Where to run ``grade`` from ``path``: an assignment folder a little below it, else a known one's folder."""
    known = specs.names()
    for pattern in (f"*/{MARKER}", f"*/*/{MARKER}"):
        for marker in sorted(path.glob(pattern)):
            parts = marker.relative_to(path).parts[:-1]
            if not any(p.startswith((".", "__")) for p in parts) and _named_in_marker(marker.parent) in known:
                return (path / Path(*parts)).as_posix()
    return known[0] if known else "<assignment folder>"


def locate(path: Path, assignment: str | None) -> tuple[Assignment, Path]:
    """The assignment and the folder that holds its files: ``path`` itself or one folder below it."""
    if not path.exists():
        raise UsageError(Message("usage.no_path", {"path": str(path)}))
    if not path.is_dir():
        raise UsageError(Message("usage.not_a_folder", {"path": str(path)}))
    candidates = safefs.folder_and_subfolders(path)
    if assignment is None:
        for folder in candidates:
            name = _named_in_marker(folder)
            if name is not None:
                assignment = name
                break
    if assignment is None:
        for name in specs.names():
            files = assignment_spec(name).files
            if any(all((f / file).is_file() for file in files) for f in candidates):
                assignment = name
                break
    if assignment is None:
        raise UsageError(Message("usage.no_assignment", {"path": str(path), "where": _where_to_go(path),
                                                         "known": ", ".join(specs.names())}))
    spec = assignment_spec(assignment)
    for folder in candidates:
        if any((folder / file).is_file() for file in spec.files):
            return spec, folder
    return spec, path


def resolve_device(device: str) -> str:
    if device not in ("auto", "cpu", "cuda"):
        raise UsageError(Message("usage.bad_device", {"device": device}))
    if device == "cuda" and not torch.cuda.is_available():
        raise UsageError(Message("usage.no_cuda"))
    return device


def select(spec: Assignment, exercises: Sequence[str]) -> list[Exercise]:
    """The exercises named (all when none is); UsageError for an unknown name, with the closest known ones."""
    known = {e.id for e in spec.exercises}
    unknown = [e for e in exercises if e not in known]
    if unknown:
        close = [c for c in (closest(name, known) for name in unknown) if c is not None]
        raise UsageError(Message("usage.unknown_exercise_close" if close else "usage.unknown_exercise",
                                 {"names": ", ".join(unknown), "close": ", ".join(dict.fromkeys(close)),
                                  "known": ", ".join(e.id for e in spec.exercises)}))
    return [e for e in spec.exercises if not exercises or e.id in exercises]


def _plan(exercise: Exercise, hidden: bool, device: str) -> list[tuple[Case, str, str]]:
    """(case, result id, device) for every case to run: on ``auto`` with a GPU, visible cases also on CUDA."""
    run_device = "cpu" if device in ("auto", "cpu") else device
    plan = []
    for case in exercise.cases:
        if case.hidden and not hidden:
            continue
        where = case.device or run_device
        if where == ELSEWHERE and device in ("auto", "cuda") and torch.cuda.is_available():
            where = "cuda"  # a real other device: nothing to emulate
        plan.append((case, case.id, where))
        if device == "auto" and case.device is None and torch.cuda.is_available():
            plan.append((case, f"{case.id}@cuda", "cuda"))
    return plan


@one_torch_thread()
def check(
    path: Path | str = ".",
    *,
    assignment: str | None = None,
    hidden: bool = False,
    device: str = "auto",
    exercises: Sequence[str] = (),
    timeout: float | None = None,
    salt: str = "",
    reference: Reference | None = None,
    limits: Limits | None = None,
    sandbox: str = "auto",
    hide: Sequence[Path] = (),
    quiz_student: str | None = None,
    reference_cache: Path | None = None,
) -> GradeResult:
    """Grade the submission in ``path`` and return the result (nothing is printed or written).

    ``limits`` overrides the sandbox's resource limits; ``timeout``, when given, overrides their per-exercise time;
    ``hide`` adds paths the student's code must not see (the reference is always hidden);
    ``quiz_student``, when given, is the student the quiz is graded for, whatever the answers file declares;
    ``reference_cache``, when given, is where the reference's prepared cases are kept between processes
    (``reference.cache_folder()``), hidden from the sandbox like the reference.
    """
    runner.warm_up()  # the fork server imports torch while the cases are prepared below
    if sandbox not in SANDBOXES:
        raise UsageError(Message("usage.bad_sandbox", {"sandbox": sandbox}))
    found = _notebook_in(Path(path), assignment)  # the file, or the one a folder holds instead of the files
    if found is not None:  # its code cells, read (never run) into the assignment's files, are graded as a folder
        return _check_notebook(found, assignment=assignment, hidden=hidden, device=device, exercises=exercises,
                               timeout=timeout, salt=salt, reference=reference, limits=limits, sandbox=sandbox,
                               hide=hide, quiz_student=quiz_student, reference_cache=reference_cache)
    spec, root = locate(Path(path), assignment)
    if hidden and spec.fixtures is not None:  # a student bundle ships the visible cases only
        raise UsageError(Message("usage.no_hidden_cases", {"name": spec.name}))
    device = resolve_device(device)
    ref = reference if reference is not None and reference.assignment.name == spec.name \
        else Reference(spec, salt, reference_cache)
    planned = plan(spec, root, ref, exercises=exercises, hidden=hidden, device=device, timed=timeout is None)
    limits = limits or Limits()
    if timeout is not None:
        limits = dataclasses.replace(limits, exercise_seconds=timeout)
    try:
        ran = run(planned, limits=limits, namespaces=sandbox == "auto", hide=hide, shared_inputs=reference is not None)
    except safefs.UnsafeFile as exc:  # a submission too large to copy: nothing of it runs
        raise UsageError(Message("usage.unreadable_submission", {"path": str(path), "detail": str(exc)})) from None
    results = annotate(planned, judge(planned, ran))

    quiz, quiz_error = None, ""
    answers_file = root / QUIZ_ANSWERS
    # a link or a special file is not skipped silently: grade_quiz refuses it with a reason
    if (answers_file.is_symlink() or answers_file.exists()) and spec.quiz is not None and spec.quiz.is_file():
        from grader.quiz import bank as quiz_bank_module
        from grader.quiz.bank import QuizError

        try:  # the instructor's bank, never a copy inside the submission
            quiz = grade_quiz(quiz_bank_module.load(spec.quiz), answers_file, student=quiz_student)
        except QuizError as exc:
            quiz_error = str(exc)

    return GradeResult(
        assignment=spec.name,
        score=round(sum(r.score for r in results), 2),
        max_score=sum(r.max_score for r in results),
        exercises=tuple(results),
        hidden=hidden,
        device=device if device != "auto" else ("cuda" if torch.cuda.is_available() else "cpu"),
        isolation=str(ran.isolation.get("level", "process")),
        grader_version=__version__,
        output=ran.stdout,
        isolation_details=ran.isolation,
        quiz=quiz,
        quiz_error=quiz_error,
        leaderboard=standings(spec, results),
    )


# --- notebooks: their cells, read as source into the assignment's files, graded as a folder -----------------

def assignment_of(names: Iterable[str], given: str | None) -> str:
    """The assignment of a notebook's definitions: ``given``, else the one whose exercise ids include one of
    ``names`` (ids are unique across assignments), else the only one there is."""
    if given is not None:
        return assignment_spec(given).name
    known = specs.names()
    wanted = set(names)
    exercises: dict[str, set[str]] = {}
    for name in known:
        exercises[name] = {e.id for e in assignment_spec(name).exercises}
        if wanted & exercises[name]:
            return name
    if len(known) == 1:
        return known[0]
    # a typo: the assignment whose exercise the name is closest to (its check then says "did you mean ...")
    owners = {name for name in known for w in wanted if closest(w, exercises[name]) is not None}
    if len(owners) == 1:
        return owners.pop()
    raise UsageError(Message("notebook.no_assignment", {"names": ", ".join(sorted(wanted)) or "-",
                                                        "known": ", ".join(known)}))


def check_cells(source: Sequence[cells.Cell], *, origin: str, assignment: str | None = None,
                keep: Callable[[str], bool] | None = None, quiz: str | None = None,
                **check_options: Any) -> GradeResult:
    """Grade the definitions of the cells ``source`` as a submission (see grader.cells): written into the
    assignment's files in a private folder, graded by :func:`check` (``check_options``), and reported in cells."""
    defs = cells.collect(source, keep)
    exercises = check_options.get("exercises") or ()
    spec = assignment_spec(assignment_of([*exercises, *defs.by_name()], assignment))
    with tempfile.TemporaryDirectory(prefix="nlp-grader-notebook-") as tmp:
        folder = Path(tmp) / spec.name
        folder.mkdir()
        written = cells.write_files(defs, spec, folder, origin)
        answers = quiz if quiz is not None else cells.quiz_answers(source)
        if answers is not None:
            (folder / QUIZ_ANSWERS).write_text(clean.no_surrogates(answers), encoding="utf-8")
        result = check(folder, assignment=spec.name, **check_options)
    return cells.with_notes(result, defs, written)


def _check_notebook(path: Path, **check_options: Any) -> GradeResult:
    """Grade the notebook file ``path`` (read with nbformat, never run); UsageError when it cannot be read."""
    try:
        found, named = cells.read_notebook(path)
    except cells.NotebookError as exc:
        raise UsageError(exc.message) from None
    assignment = check_options.pop("assignment", None) or (named if named in specs.names() else None)
    return check_cells(found, origin=path.name, assignment=assignment, **check_options)


def _notebook_in(path: Path, assignment: str | None) -> Path | None:
    """The notebook to grade for ``path`` (see grader.cells.find), if it is one or a folder holds one instead of
    the assignment's files."""
    if cells.is_notebook(path):
        return path
    if not path.is_dir() or path.is_symlink():
        return None
    names = [assignment] if assignment is not None else specs.names()
    try:
        files = {f for n in names for f in assignment_spec(n).files}
    except UsageError:
        return None
    return cells.find(path, files, names)


# --- the four steps of check: plan -> run -> judge -> annotate ----------------------------------------

@dataclasses.dataclass
class Plan:
    """What to run: the cases of the selected exercises, prepared by the reference, as the sandbox's tasks."""

    spec: Assignment
    root: Path
    reference: Reference
    selected: list[Exercise]
    tasks: list[runner.Task]
    prepared: list[tuple[Prepared, str, str]]
    """Per task: the prepared case, its result id (``id`` or ``id@cuda``) and its device."""
    reaches: dict[str, set[str]]
    """Per exercise: the exercises its code calls, as read from the source."""
    forbidden: list[static.ForbiddenUse]
    """What the static scan found that an exercise must not use."""


def plan(spec: Assignment, root: Path, ref: Reference, *, exercises: Sequence[str] = (), hidden: bool = False,
         device: str = "cpu", timed: bool = True) -> Plan:
    """Select the exercises, prepare their cases (inputs, the reference's outputs) and read the source once.
    ``timed``: each case gets a time limit of its own from the reference's cost."""
    selected = select(spec, exercises)
    source = static.read(root)  # read and parsed once, for what the code calls and for what it must not use
    reaches = static.reaches(source, [e.id for e in selected])
    tasks: list[runner.Task] = []
    prepared_all: list[tuple[Prepared, str, str]] = []
    for exercise in selected:
        for case, result_id, case_device in _plan(exercise, hidden, device):
            prepared = ref.prepare(exercise, case, graded=hidden)  # graded: no draw a bundle ships
            tasks.append(runner.Task(index=len(tasks), exercise=exercise.id, case=result_id, file=exercise.file,
                                     name=exercise.id, driver=case.driver.value, args=prepared.call_args,
                                     device=case_device, inputs=prepared.inputs, max_bytes=_result_allowance(prepared),
                                     inputs_file=ref.inputs_file(exercise, case, graded=hidden),
                                     forbidden=exercise.forbidden, reaches=frozenset(reaches.get(exercise.id, ())),
                                     reference_seconds=prepared.seconds if timed else None))
            prepared_all.append((prepared, result_id, case_device))
    ref.keep()  # the cases prepared now, kept for the next process (when the caller asked for a disk cache)
    forbidden_by_file: dict[str, dict[str, tuple[str, ...]]] = {}
    for exercise in selected:
        forbidden_by_file.setdefault(exercise.file, {})[exercise.id] = exercise.forbidden
    return Plan(spec, root, ref, selected, tasks, prepared_all, reaches, static.scan(source, forbidden_by_file))


def run(planned: Plan, *, limits: Limits, namespaces: bool = True, hide: Sequence[Path] = (),
        shared_inputs: bool = False) -> runner.RunResult:
    """Run the plan's tasks in the sandbox; the reference, the plug-in and the engine's registry stay hidden."""
    spec = planned.spec
    cache = planned.reference.cache.folder if planned.reference.cache is not None else None
    hidden_paths = [p for p in (spec.solutions, spec.fixtures, spec.package, Path(specs.__file__).parent, cache, *hide)
                    if p is not None]
    # a reference passed in is shared by many submissions (a batch): so are its input files
    return runner.run_tasks(planned.root, planned.tasks, limits=limits, hide=hidden_paths, namespaces=namespaces,
                            shared_inputs=shared_inputs)


def judge(planned: Plan, ran: runner.RunResult) -> dict[str, ExerciseResult]:
    """Check every case's outcome, name the mistakes the cases show, diagnose the failures, and score."""
    results: dict[str, ExerciseResult] = {}
    for exercise in planned.selected:
        results[exercise.id] = _judge_exercise(planned, ran, exercise)
    return results


def _judge_exercise(planned: Plan, ran: runner.RunResult, exercise: Exercise) -> ExerciseResult:
    tasks, ref = planned.tasks, planned.reference
    case_results: list[CaseResult] = []
    matches: dict[str, list[str]] = {}
    refuted: dict[str, int] = {}
    weighed: list[tuple[Prepared, runner.Outcome, CaseResult]] = []
    probed: list[tuple[str, diagnose.View]] = []
    for task, (prepared, result_id, case_device) in zip(tasks, planned.prepared, strict=True):
        if task.exercise != exercise.id:
            continue
        outcome = ran.outcomes.get(task.index, runner.Outcome(status=OutcomeStatus.CRASHED, record={"returncode": None}))
        result = checks.grade_case(prepared, outcome, case_device)
        result = CaseResult(result_id, result.hidden, result.status, result.checks)
        case_results.append(result)
        if result.status in (Status.FAILED, Status.PASSED):
            weighed.append((prepared, outcome, result))
        if result.status is Status.FAILED:
            view = checks.probe_view(prepared, outcome, result)
            if view is not None:
                probed.append((result_id, view))
    # the static scan's findings (a forbidden name, code that is not allowed), then the calls that reached
    # a forbidden function at run time (the child's tripwire): either scores the exercise 0
    notes = [Message(f.key, {"name": f.name, "line": f.line, "file": f.file or exercise.file})
             for f in planned.forbidden if f.exercise == exercise.id]
    reached: dict[str, Message] = {}
    for task in tasks:
        record = ran.outcomes[task.index].record if task.index in ran.outcomes else {}
        if task.exercise == exercise.id and record.get("kind") == RecordKind.FORBIDDEN_CALL:
            reached.setdefault(str(record.get("name", "")), Message("check.forbidden_call", {
                "name": str(record.get("name", "")), "file": record.get("file") or exercise.file,
                "line": record.get("line") or "?"}))
    notes += reached.values()
    if any(r.status is Status.FAILED for _, _, r in weighed):  # an exercise that passes names nothing
        for prepared, outcome, result in weighed:
            for mistake_id, matched in checks.mistake_evidence(ref, prepared, outcome, result).items():
                if matched and result.status is Status.FAILED:
                    matches.setdefault(mistake_id, []).append(result.id)
                elif not matched:  # the student's output differs from what this mistake gives here
                    refuted[mistake_id] = refuted.get(mistake_id, 0) + 1
    # a mistake is named only when more cases show it than contradict it (a match on one degenerate case,
    # a 1x1 mask, proves little when the larger cases differ); several can coincide on one case (e.g. when
    # L == h): the best-supported ones are named
    matches = {mid: cases for mid, cases in matches.items() if len(cases) > refuted.get(mid, 0)}
    best = max((len(cases) for cases in matches.values()), default=0)
    mistakes = [MistakeMatch(mid, tuple(cases)) for mid, cases in matches.items() if len(cases) == best]
    scored = score_exercise(exercise, case_results, mistakes, notes, forbidden=bool(notes))
    return dataclasses.replace(scored, diagnoses=(*diagnose.diagnose(exercise, exercise.probes, probed),
                                                  *_judged_diagnoses(case_results)))


CHECK_DIAGNOSES = {"check.device_mixed": "diagnosis.default_device",
                   "check.device_returned": "diagnosis.default_device.returned"}
"""Failed checks that name the nature of the error by themselves, whatever code made it: the diagnosis they give."""


def _judged_diagnoses(cases: Sequence[CaseResult]) -> list[Diagnosis]:
    """An assignment's judge that recognises the nature of an error says so with a ``diagnosis.<id>`` message, and
    some checks do by what they are (:data:`CHECK_DIAGNOSES`): each is reported as a diagnosis too (once, with the
    cases that showed it)."""
    found: dict[str, tuple[Message, list[str]]] = {}
    for case in cases:
        for check in case.checks:
            if check.passed or check.message is None:
                continue
            key = CHECK_DIAGNOSES.get(check.message.key, check.message.key)
            if key.startswith("diagnosis."):
                found.setdefault(key, (check.message, []))[1].append(case.id)
    return [Diagnosis(key.removeprefix("diagnosis."), dict(message.params), tuple(ids))
            for key, (message, ids) in found.items()]


def annotate(planned: Plan, results: dict[str, ExerciseResult]) -> list[ExerciseResult]:
    """Add what a person needs beside the scores: an exercise that fails while one its code calls fails says so."""
    final = []
    for exercise in planned.selected:
        r = results[exercise.id]
        # only what this submission's code actually calls (directly or through its helpers), as read from the source
        failing = [d for d in exercise.depends_on if d in results and results[d].status is not Status.PASSED
                   and d in planned.reaches.get(exercise.id, ())]
        if r.status in (Status.FAILED, Status.ERROR) and failing:
            r = dataclasses.replace(r, notes=(*r.notes, Message("note.depends", {"deps": ", ".join(failing)})))
        final.append(r)
    return final


def _result_allowance(prepared: Prepared) -> int:
    """The largest result the child may send for a case: generous next to what the reference returns."""
    expected = sum(e.tensor.numel() * e.tensor.element_size() for e in prepared.expected.values()
                   if e.tensor is not None)
    return max(runner.MIN_TASK_BYTES, 16 * expected)


QUIZ_ANSWERS = cells.QUIZ_FILE


def quiz_bank(assignment: str | None = None, *, path: Path | str = ".", bank: Path | None = None) -> Bank:
    """The question bank: ``bank`` if given, else the assignment folder's quiz.toml, else the instructor's."""
    from grader.quiz import bank as quiz_bank_module

    if bank is not None:
        return quiz_bank_module.load(Path(bank))
    folder = Path(path)
    spec, root = locate(folder, assignment) if assignment is None else (assignment_spec(assignment), folder)
    local = root / "quiz.toml"
    if assignment is None and local.is_file():
        return quiz_bank_module.load(local)
    if spec.quiz is None or not spec.quiz.is_file():
        raise UsageError(Message("usage.no_quiz", {"name": spec.name}))
    return quiz_bank_module.load(spec.quiz)


def assignment_spec(name: str) -> Assignment:
    """The assignment called ``name``; UsageError when there is none, its fixtures are damaged or its plug-in is
    broken (it cannot be imported, or its spec is wrong: the SpecError names the exercise, case and field)."""
    from grader.fixtures import FixtureError
    from grader.spec import SpecError

    try:
        return specs.get(name)
    except KeyError:
        raise UsageError(Message("usage.unknown_assignment", {"name": name, "known": ", ".join(specs.names())})) from None
    except FixtureError as exc:
        raise UsageError(Message("usage.fixtures", {"detail": str(exc)})) from None
    except (specs.PluginError, SpecError) as exc:
        raise UsageError(Message("usage.plugin_broken", {"name": name, "detail": str(exc)})) from None



def grade_quiz(bank: Bank, answers_file: Path, *, student: str | None = None) -> QuizResult:
    """Grade an answers file; the student id (for parameter draws) comes from ``student`` or the file."""
    from grader.quiz.grade import ANONYMOUS, grade, load_answers

    file_student, answers = load_answers(answers_file, bank)
    return grade(bank, answers, student or file_student or ANONYMOUS)


def assignments(broken: list[UsageError] | None = None) -> list[Assignment]:
    """Every assignment the grader knows and can load; one whose plug-in is broken is left out (and its error
    appended to ``broken``, when given), so that one bad package never hides the others."""
    found = []
    for name in specs.names():
        try:
            found.append(assignment_spec(name))
        except UsageError as exc:
            if broken is not None:
                broken.append(exc)
    return found
