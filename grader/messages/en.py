"""English message catalog. Keys and placeholders must match ko.py exactly (tests/test_messages.py)."""

MESSAGES: dict[str, str] = {
    # --- checks ---------------------------------------------------------------------------------
    "check.timeout": "ran past the time limit of {limit:g} s (an endless loop, or far too much work?)",
    "check.submission_timeout": "the whole submission ran past its time limit of {limit:g} s; the remaining cases were not run",
    "check.timeout_at": "ran past its time limit of {limit:g} s: stuck in {file} line {line}, in {function} (an endless loop, or far too much work?)",
    "check.submission_timeout_at": "the whole submission ran past its time limit of {limit:g} s, stuck in {file} line {line}, in {function}; the remaining cases were not run",
    "check.timeout_skipped": "not run: case {case} of this exercise did not finish in time, and these would most likely loop the same way",
    "check.timeout_dependency": "not run: this code calls {function} ({file} line {line}), which was stuck in an endless loop in an earlier case; fix that first",
    "interrupted": "interrupted: stopped before the end (nothing is left running)",
    "check.cpu_time": "used up its CPU time (an endless loop or far too much work?)",
    "check.sandbox_setup": "the sandbox could not be set up ({detail}); this is the grader's fault, not your code's: tell your instructor",
    "check.signal": "the process running your code was killed by {signal} (a crash in native code, e.g. a segmentation fault, or a forced stop)",
    "check.memory": "ran out of memory ({type}): the grader's memory limit was reached; look for huge tensors or lists that keep growing",
    "check.too_large": "returned {size} of data where a few KiB were expected (limit {limit}); nothing was sent back",
    "usage.bad_sandbox": "unknown sandbox {sandbox!r}; expected auto or process",
    "ui.isolation.namespaces": "isolated: no network, reference hidden, files read-only",
    "ui.isolation.process": "isolated: a plain child process only (see the README, Security)",
    "check.crashed": "the process running your code ended abruptly (exit code {code}); "
                     "os._exit, a crash in native code or running out of memory can do this",
    "check.transfer": "your result could not be brought back for comparison: {detail}",
    "check.missing_file": "the file {file} is missing from the submission",
    "check.missing_name": "{name} is not defined in {file}",
    "check.syntax": "syntax error in {file}, line {line}: {detail}",
    "check.import_error": "importing {file} raised an exception",
    "check.signature": "{what}{signature} cannot be called with {nargs} positional arguments as the assignment does",
    "check.state_dict": "the module's parameters differ from the expected ones; missing: {missing}; "
                        "unexpected: {unexpected}; wrong shape: {misshaped}",
    "check.not_attempted": "not attempted yet (the stub still raises NotImplementedError)",
    "check.dependency_not_implemented": "your code calls {dependency}, which is not implemented yet",
    "check.device_mixed": "{op}: a tensor of shape {made} made on the default device meets the inputs, which "
                          "are on another device",
    "check.device_returned": "the result: a tensor of shape {made} made on the default device, while the inputs are "
                             "on another device",
    "diagnosis.default_device": "a tensor made without device= lives on the default device (the CPU); this case "
                                "places the inputs on another device, as a GPU does, and there the line in the "
                                "traceback fails. Look for torch.ones, zeros, arange, tensor or from_numpy without "
                                "device=, and for a tensor attribute that is not a registered buffer",
    "diagnosis.default_device.returned": "the result is a tensor made without device=, so on the default device (the "
                                         "CPU), while this case places the inputs on another device, as a GPU does: "
                                         "the result belongs where the inputs are. Look at how the returned tensor is "
                                         "made, and at the device argument if there is one",
    "check.exception": "your code raised {type}",
    "check.type": "{key}: expected {expected}, got {got}",
    "check.shape": "{key}: expected shape {expected}, got {got}",
    "check.dtype": "{key}: expected dtype {expected}, got {got}",
    "check.device": "{key}: expected the result on the {expected} device (where the inputs are), got {got}",
    "check.finite": "{key}: {count} value(s) are NaN or infinite where finite values were expected, "
                    "e.g. at {index} ({value})",
    "check.values": "{key}: {mismatched} of {total} values ({share}%) differ beyond the tolerance",
    "check.rows_sum": "{key}: the weights at {index} sum to {got}, expected {expected}",
    "check.masked_nonzero": "{key}: {count} masked position(s) have non-zero weight, e.g. at {index} ({got})",
    "check.inplace": "the input {name} was modified in place; leave the caller's tensors unchanged",
    "check.no_gradient": "no gradient reached {name}: something detaches the computation from autograd",
    "check.gradient_values": "the gradient of {name} differs from the expected one in {mismatched} of {total} values",
    "check.dropout_inactive": "in train mode the output is the same as in eval mode: dropout is not applied",
    "check.dropout_same": "two runs in train mode gave identical outputs: dropout does not draw new masks",
    "check.dropout_not_dropout": "in train mode the output is not what dropout with p={p} gives: no choice of dropped "
                                 "entries, with the others scaled by 1/(1-p) = {scale:g}, produces it (noise added "
                                 "instead of dropping, a wrong p, or a missing 1/(1-p) scaling?)",
    "check.dropout_rate": "in train mode {dropped} of {total} entries were dropped ({share}%), where p={p} drops about "
                          "{expected}%: the dropout probability used is not p",
    "diagnosis.dropout_dependent.entries": "the dropped entries follow a pattern along each position's features: "
                                           "in {pairs} pairs of neighbouring entries, {share}% are both kept or both "
                                           "dropped, where independent drops give {expected}% (true dropout lands in "
                                           "[{low}%, {high}%]). Each entry must be dropped by its own random draw, "
                                           "not by a fixed or computed pattern",
    "diagnosis.dropout_dependent.positions": "neighbouring positions share their dropout mask: in {pairs} pairs of "
                                             "entries at neighbouring positions, {share}% are both kept or both "
                                             "dropped, where independent drops give {expected}% (true dropout lands "
                                             "in [{low}%, {high}%]). Draw the mask in the shape of the tensor it "
                                             "drops from, not one mask broadcast over the positions",
    "diagnosis.dropout_dependent.rows": "the sequences of the batch share their dropout mask: in {pairs} pairs of "
                                        "entries of neighbouring sequences, {share}% are both kept or both dropped, "
                                        "where independent drops give {expected}% (true dropout lands in "
                                        "[{low}%, {high}%]). Draw the mask in the shape of the whole batch, not one "
                                        "mask broadcast over it",
    "diagnosis.dropout_dependent.calls": "the two train-mode calls' masks depend on each other: {share}% of {pairs} "
                                         "entries are kept or dropped in both calls alike, where new independent "
                                         "draws give {expected}% (true dropout lands in [{low}%, {high}%]). Draw a "
                                         "new mask on every call, from torch's random generator, not once in "
                                         "__init__ or by a rule that flips or shifts the last one",
    "check.dropout_draws": "the train-mode outputs differ from the reference's under the same seed, and this case "
                           "cannot tell whether they come from dropout",
    "check.observation": "{key}: the grader needs this output to check {check}, but got {got}",
    "check.not_deterministic": "called again with the same generator state, your code gave a different result: "
                                "take every random draw from the generator argument, so that the same state gives the same draws",
    "check.global_rng": "your code drew from torch's global random generator (torch.rand, torch.randint, "
                        "torch.bernoulli … without generator=): take every draw from the generator argument",
    "check.unjudgeable": "the grader could not judge your outputs for {check} ({error}): check their shapes, "
                         "dtypes and values against the docstring",
    "check.observation_shape": "{key}: the grader needs this output with shape {expected} to check {check}, "
                               "but got shape {got}",
    "check.causal": "{key}: changing positions at and after {prefix} changed earlier outputs; "
                    "a position must not see the future",
    "check.not_raised": "expected {error} for these arguments, but nothing was raised",
    "check.wrong_exception": "expected {error}, but {got} was raised",
    "check.forbidden": "{file}, line {line}: {name} does this exercise's work for you; write it yourself "
                       "(this exercise scores 0 while it is used)",
    "check.dynamic_code": "{file}, line {line}: {name} runs code built or loaded at run time (eval, exec, compile, "
                          "pickle, ...), which is not allowed in a submission (this exercise scores 0 while it is there)",
    "check.import_machinery": "{file}, line {line}: {name} uses Python's import machinery (importlib, __import__, "
                              "builtins, sys.modules, ...), which is not allowed in a submission; use plain import "
                              "statements (this exercise scores 0 while it is there)",
    "check.torch_internals": "{file}, line {line}: {name} is a PyTorch internal (torch.ops, torch._C, private torch._ "
                             "names, __torch_function__), which is not allowed in a submission; use the public torch "
                             "API (this exercise scores 0 while it is there)",
    "check.native_code": "{file}, line {line}: {name} runs code outside Python (ctypes, other processes), which is not "
                         "allowed in a submission (this exercise scores 0 while it is there)",
    "check.introspection": "{file}, line {line}: {name} looks into modules, frames or functions to find what it calls, "
                           "which is not allowed in a submission (this exercise scores 0 while it is there)",
    "check.compiled_file": "{file}: a compiled file ({name}) cannot be checked and is not allowed in a submission; "
                           "submit Python source (.py) only (this exercise scores 0 while it is there)",
    "check.unscannable": "{file}: the grader could not read {name} (too large, nested too deeply, or too many files); "
                         "simplify it (this exercise scores 0 until it can be read)",
    "check.forbidden_call": "{file}, line {line}: a call reached {name} while this exercise ran; whatever the route, "
                            "it does this exercise's work for you: write it yourself (this exercise scores 0 while it is used)",
    "note.depends": "this exercise relies on {deps}, which did not pass: fix that first, this failure may follow from it",
    "note.no_cases": "the grader has no case that earns points for this exercise, so it cannot be graded "
                     "(its cases are missing): this is not your score",
    "note.device_gate": "{failed} case(s) that compare no value (the device; arguments that must be refused) failed: "
                        "they earn nothing themselves, but take {share}% off what the other cases earned",
    "ui.diagnosis": "observed: {message}",
    # --- usage errors ---------------------------------------------------------------------------
    "usage.plugin_broken": "the assignment {name} cannot be loaded: {detail}. Reinstall or fix its package (pip show the package that provides it)",
    "usage.unreadable_submission": "{path} cannot be graded: {detail}. A submission holds at most 2000 files, 16 MiB each and 64 MiB in all",
    "usage.no_hidden_cases": "--hidden cannot run in this student bundle of {name}: it holds the public cases only, and the hidden ones run when your instructor grades; run grade without --hidden",
    "usage.no_path": "{path} does not exist; give the folder that holds your assignment files",
    "usage.not_a_folder": "{path} is a file; give the folder that holds your assignment files",
    "usage.no_assignment": "{path} is not an assignment folder (no assignment.toml, none of its files): "
                           "run grade in your assignment's folder, e.g.  cd {where}  (assignments: {known})",
    "usage.unknown_assignment": "no assignment called {name!r}; known: {known}",
    "usage.unknown_exercise": "no exercise called {names}; known: {known}",
    "usage.unknown_exercise_close": "no exercise called {names}; did you mean {close}? known: {known}",
    "usage.unknown_assignment_close": "no assignment called {name!r}; did you mean {close}? known: {known}",
    "usage.unknown_command": "no command called {name!r}; did you mean {close}? (grade --help lists them)",
    "usage.bad_device": "unknown device {device!r}; expected auto, cpu or cuda",
    "usage.no_cuda": "--device cuda was asked for, but PyTorch sees no CUDA GPU here; use --device cpu or auto",
    "usage.no_quiz": "the assignment {name} has no quiz bank (quiz.toml)",
    "usage.unknown_topic": "no quiz topic called {names}; known: {known}",
    "usage.fixtures": "the grader's stored cases are damaged: {detail}. Reinstall the assignment bundle",
    # --- report ---------------------------------------------------------------------------------
    "ui.title": "{assignment}: {score:g} / {max_score:g}",
    "ui.title_full": "{title} · {assignment}: {score:g} / {max_score:g}",
    "ui.subtitle": "device {device} · isolation {isolation} · {cases} · grader {version}",
    "ui.cases_visible": "visible cases",
    "ui.cases_hidden": "visible and hidden cases",
    "ui.col.exercise": "exercise",
    "ui.col.status": "status",
    "ui.col.score": "score",
    "ui.col.cases": "passed",
    "ui.col.file": "file",
    "ui.col.points": "points",
    "ui.col.cases_count": "cases (visible + hidden)",
    "ui.case": "case {case}{hidden}",
    "ui.hidden_tag": " (hidden)",
    "ui.more_cases": "(and {count} more failing case(s), not shown)",
    "ui.mistake": "known mistake: {message}",
    "ui.mistake_cases": "seen in: {cases}",
    "ui.traceback": "traceback (your code only):",
    "ui.diff.worst": "largest difference {max_abs:.3g} at {index}: expected {expected}, got {got}",
    "ui.diff.rel": "largest relative difference {max_rel:.3g} at {index}",
    "ui.diff.tolerance": "tolerance: |got - expected| ≤ {atol:g} + {rtol:g}·|expected|",
    "ui.diff.grid": "expected / got around the worst element (slice {slice}, rows from {row}, columns from {col}); "
                    "red is beyond the tolerance:",
    "ui.diff.grid_plain": "expected | got around the worst element (slice {slice}, rows from {row}, columns from {col}); * marks a value beyond the tolerance:",
    "ui.diff.expected": "expected",
    "ui.diff.got": "got",
    "ui.output": "your code printed (first lines):",
    "ui.all_passed": "Every exercise passed.",
    "ui.next_step": "Start with {exercise}: it is the first one that did not pass.",
    "ui.hidden_hint": "These are the public cases; your instructor's grading runs hidden cases too.",
    "ui.list.title": "{name}: {title} ({points:g} points)",
    "quiz.ui.question": "Question {index}/{total} · {topic} · {points:g} pt",
    "quiz.ask.single": "Your answer (one choice id)",
    "quiz.ask.multiple": "Your answer (choice ids separated by commas)",
    "quiz.ask.numeric": "Your answer (a number)",
    "quiz.ask.text": "Your answer (a short text)",
    "quiz.ask.order": "Your answer (every choice id, in order, separated by commas)",
    "quiz.invalid.single": "Please type one of: {choices} (or press Enter to skip)",
    "quiz.invalid.multiple": "Please type choice ids from {choices}, separated by commas (or press Enter to skip)",
    "quiz.invalid.numeric": "Please type a number, e.g. 64 or 0.125 (or press Enter to skip)",
    "quiz.invalid.text": "Please type a short answer (or press Enter to skip)",
    "quiz.invalid.order": "Please type every one of {choices} once, in order, separated by commas (or press Enter to skip)",
    "quiz.feedback.correct": "Correct.",
    "quiz.feedback.wrong": "Not quite.",
    "quiz.feedback.unanswered": "Skipped.",
    "quiz.feedback.recorded": "Recorded: this question is graded later by your instructor.",
    "quiz.ui.summary": "Quiz summary ({student})",
    "quiz.ui.topic": "topic",
    "quiz.ui.correct": "correct",
    "quiz.ui.recorded": "graded later",
    "quiz.ui.total": "Quiz score: {score:g} / {max_score:g}",
    "quiz.ui.recorded_note": "Questions marked 'graded later' count once your instructor grades the submitted answers.",
    "quiz.ui.line": "quiz: {score:g} / {max_score:g} ({answered} of {total} answered)",
    "quiz.written.template": "Wrote an answers template with {count} questions to {path}",
    "quiz.written.export": "Wrote the student quiz (no answers) to {path}",
    "quiz.written.answers": "Saved your answers to {path}",
    "quiz.error": "Quiz problem: {detail}",
    "batch.progress": "grading",
    "batch.progress_last": "graded {name}",
    "batch.done": "{total} submissions: {graded} graded now, {skipped} unchanged and kept, {failed} grader errors · mean {mean} / {max_score:g}",
    "batch.pass_rates": "pass rate per exercise",
    "batch.pass_rate": "passed",
    "batch.top_mistakes": "most frequent named mistakes",
    "batch.mistake": "mistake",
    "batch.students": "students",
    "batch.invalid": "not gradable (see their .json and .md): {names}",
    "batch.plot": "score distribution plot: {path}",
    "batch.grader_errors": "the grader failed on these (see their .json; the next run tries them again): {names}",
    "batch.rejected": "not graded: {name} ({reason})",
    "batch.reason.hidden": "a hidden or system entry: its name starts with '.' or is __MACOSX, __pycache__ or .git",
    "batch.reason.reserved": "its name is taken by the batch's own files (gradebook, summary, scores); rename it",
    "batch.reason.link": "a symbolic link or a special file, not a folder or a .zip; links are not followed",
    "batch.reason.duplicate": "several entries have this name ({entries}); keep one of them",
    "batch.left_out": "not graded (a symbolic link, a special file, or too large): {files}",
    "release.implemented": "Not released: these exercises are implemented, not stubs, and students would receive them: {where}. Restore the stubs (git checkout -- FILE, or git stash), or pass --allow-implemented to ship starter code on purpose (release.json records it).",
    "release.allowed_implemented": "Shipped as starter code, as asked (--allow-implemented): {where}",
    "release.working_copy_differs": "Took the committed version (git HEAD) of these files, which differ in your working copy: {files}",
    "release.not_committed": "Left out, never committed: {files}",
    "release.shipped": "Shipped {count} files ({size} KiB; each with its size and SHA-256 in {manifest}). The starter files:",
    "release.bad_torch": "--torch {given}: expected a version such as 2.13.0",
    "release.done": "Wrote the student bundle to {path}. Students install it with  pip install ./  and run  grade  in {name}/.",
    "export.done": "Wrote the Gradescope autograder to {path}; upload it as the assignment's autograder (Ubuntu base image).",
    "status.passed": "passed",
    "status.failed": "failed",
    "status.error": "error",
    "status.not_attempted": "not attempted",
    "status.timeout": "timeout",
    "status.missing": "missing",
    "fault.grader": "Sorry: the grader itself failed ({error}). This is not your mistake and no score was given. "
                    "Please report it to your instructor with the text below.",
    # --- notebooks (grader.check in Jupyter and Colab; .ipynb submissions; the HTML report) ---------
    "notebook.cell_syntax": "cell {cell}, line {line} is not valid Python ({detail}: {text}), so nothing in that cell was graded",
    "notebook.not_defined": "the notebook does not define {name}: run the cell that defines it, then check again",
    "notebook.no_assignment": "cannot tell which assignment {names} belongs to; say it with assignment=\"...\" (known: {known})",
    "usage.notebook_unreadable": "{path} is not a readable Jupyter notebook ({detail}); expected an .ipynb file saved by Jupyter, JupyterLab, VS Code or Colab",
    "html.visible_only": "Only the visible cases ran here: the final grading also runs hidden cases, so passing here is not yet a full score.",
    # --- the instructor's day (issue 14): invalid submissions, class statistics, similarity, report, LMS exports
    "batch.invalid_md": "This submission could not be graded:",
    "batch.invalid.too_deep": "the assignment's files ({files}) sit too deep in the submission: found in {where}. "
                              "They must be at its top level or one folder down.",
    "batch.invalid.no_files": "none of the assignment's files ({files}) is in the submission, at its top level or "
                              "one folder down. It holds: {found}",
    "batch.only_unknown": "--only: no submission called {names} (closest: {close})",
    "batch.quartiles": "median {median:g} · quartiles {q1:g} to {q3:g} · lowest {min:g} · highest {max:g}",
    "batch.top_diagnoses": "most frequent diagnoses",
    "batch.diagnosis": "diagnosis",
    "batch.top_cases": "cases failed most often (not-attempted exercises left out)",
    "batch.col.case": "case",
    "batch.col.failed": "failed",
    "batch.col.checks": "failing check",
    "batch.similar": "similar submissions: {count} pair(s), a reason to look, not evidence",
    "batch.similar_none": "no pair of submissions has code alike beyond what correct solutions share",
    "batch.similar_note": "similarity.csv lists the pairs; similarity/<a>--<b>.html shows their code side by side. Shared code is a "
                          "reason to look, never evidence: ask the students before concluding anything.",
    "batch.col.a": "submission",
    "batch.col.b": "and",
    "batch.col.similarity": "similarity",
    "batch.col.exercises": "alike in",
    "batch.plot_exercises": "pass rate plot: {path}",
    "report.done": "Rendered the results in {path} again: {count} per-student file(s) changed; no student code was run.",
    "report.kept": "written by an older grader, kept as they were (grade them again to render them): {names}",
    "lms.done": "Wrote {count} roster rows for {system} to {path} ({graded} with a grade).",
    "lms.unmatched_submissions": "submissions that match no value of the roster column {column} (not exported): {names}",
    "lms.unmatched_roster": "roster students with no submission (their grade is left blank): {names}",
    "lms.not_graded": "the grader failed on these, so their grade is left blank (run the batch again): {names}",
    "lms.no_results": "{path} holds no batch results of one assignment: run grade batch first",
    "lms.roster_unreadable": "cannot read the roster {path}: {detail}",
    "lms.no_column": "the roster has no column {column}; its columns are: {columns}",
    "lms.empty_roster": "the roster {path} has no student rows",
    "export.gradescope_failed": "The autograder could not grade this submission (grader exit code {code}). "
                                "This is not a grade.",
    # --- pytest in an assignment folder, GitHub Classroom, PrairieLearn (issue 26)
    "pytest.help.grade": "nlp-grader: grade the folder given (or this one) even where it has no assignment.toml",
    "pytest.help.assignment": "nlp-grader: the assignment to grade (default: found from the folder)",
    "pytest.help.lang": "nlp-grader: the language of the reports (default: GRADER_LANG, else the locale)",
    "pytest.partial": "{graded} of {total} exercises graded (the others were not selected); `grade` grades them all",
    "pytest.not_run": "case {case} was not run: the grader gave no result for it",
    "pytest.zeroed": "this case passed, but the exercise earns {score:g} / {max_score:g}: see the notes above",
    "export.prairielearn.done": "Wrote the PrairieLearn question to {path}: copy it into your course's questions/ folder. It is graded in the image {image}, which must hold torch and this grader with its reference (grader-image/Dockerfile builds one).",
    "export.prairielearn.prompt": "Upload your files of the {title} assignment: {files}. They are graded with the hidden cases too; the report below gives each case's points.",
    # --- past one machine: the Ray executor, --shard auto, grade export slurm|k8s|github (issue 13)
    "cluster.no_ray": "--executor ray needs Ray, which is not installed here: pip install \"nlp-grader[cluster]\" (on this machine and on every node of the cluster)",
    "cluster.bad_executor": "--executor {executor}: expected one of {known}",
    "cluster.address_without_ray": "--address {address} is for --executor ray (the local executor grades on this machine)",
    "cluster.cannot_connect": "cannot reach the Ray cluster at {address}: {error}. Is it running (ray status), and does this machine belong to it?",
    "cluster.no_gpu": "--device cuda with --executor ray: the Ray cluster offers no GPU (it has {cpus} CPUs). Start nodes with GPUs, or grade with --device cpu",
    "cluster.lost": "the Ray cluster lost the task that graded this submission (its worker or node died; retried {retries} times): {error}. The next run grades it again.",
    "cluster.version": "the Ray worker on {host} has nlp-grader {theirs}, this machine {ours}: install the same version on every node (grades could differ)",
    "cluster.setup": "the Ray worker on {host} cannot grade this assignment: {detail}. Is the assignment installed on every node?",
    "shard.auto_none": "--shard auto: no scheduler's task index in the environment. It reads a Slurm job array (SLURM_ARRAY_TASK_ID, SLURM_ARRAY_TASK_MIN, SLURM_ARRAY_TASK_COUNT) or a Kubernetes Indexed Job (JOB_COMPLETION_INDEX, with the number of tasks in {variable}); elsewhere (a GitHub Actions matrix, say) give --shard K/N",
    "shard.auto_both": "--shard auto: both a Slurm array task (SLURM_ARRAY_TASK_ID) and a Kubernetes Indexed Job (JOB_COMPLETION_INDEX) are in the environment; give --shard K/N",
    "shard.auto_bad": "--shard auto: {variable} is '{value}', not a whole number as {scheduler} sets it",
    "shard.auto_slurm_missing": "--shard auto: SLURM_ARRAY_TASK_ID is set but not {missing}: is this a task of a job array (sbatch --array)?",
    "shard.auto_slurm_gaps": "--shard auto: task {task} belongs to a Slurm array whose indices are not one range ({count} tasks from {min} to {max} by {step}): submit it with --array=A-B or A-B:S, or give --shard K/N",
    "shard.auto_k8s_missing": "--shard auto: JOB_COMPLETION_INDEX is set but not {variable}: set it to the Job's completions (the manifest from grade export k8s does)",
    "shard.auto_k8s_range": "--shard auto: JOB_COMPLETION_INDEX {index} is not below {variable}={count}: set {variable} to the Job's completions",
    "shard.auto_found": "shard {shard} ({source})",
    "export.sched.header": "nlp-grader: {assignment} graded in {tasks} tasks, then merged (written by grade export {system}).",
    "export.sched.fill_grade": "{fill}: make `grade` available on every node (nlp-grader with torch, the same version everywhere), e.g. a virtual environment on the shared filesystem, or a module:",
    "export.sched.fill_submissions": "{fill}: the submissions folder, as every task sees it",
    "export.sched.fill_results": "{fill}: where the results go: a folder every task and the merge step see (a shared filesystem)",
    "export.sched.shard_auto": "--shard auto takes this task's slice of the class from {variables}",
    "export.sched.merge": "The merge step: once every task has finished, it checks that each one left its folder and joins them into {final} (gradebook.csv, summary.json, the feedback files).",
    "export.sched.count_wrong": "not every task left its results: expected {tasks} folders in",
    "export.sched.unknown": "grade export {system}: expected one of {known}",
    "export.sched.tasks": "--tasks {tasks}: expected 1 to {max}",
    "export.sched.done": "Wrote {files} to {path}. Fill in the lines marked {fill}, then run them as the first comment of each file says.",
    "export.slurm.submit": "Submit with ./submit.sh: the array, then the merge job, which starts once every task has succeeded (afterok). If a task failed, submit it again (sbatch --array=K grade-array.sbatch keeps what it finished), then sbatch merge.sbatch.",
    "export.slurm.resources": "{fill}: what one task gets (grade batch grades one submission per core at a time)",
    "export.slurm.partition": "{fill}: your partition and account (remove one '#' to use a line)",
    "export.slurm.gpu": "A GPU per task: remove one '#' below and add --device cuda to grade batch",
    "export.k8s.run": "Run with ./run.sh: the Indexed Job, then, once all its pods have completed, the merge Job (kubectl wait). A failed pod is started again and keeps what it finished.",
    "export.k8s.paths": "{fill}: NLP_GRADER_SUBMISSIONS and NLP_GRADER_RESULTS are paths inside the pods, on the volume mounted at /data",
    "export.k8s.parallelism": "{fill}: how many pods run at once",
    "export.k8s.image": "{fill}: an image with Python, torch and nlp-grader (the same version in every pod)",
    "export.k8s.resources": "{fill}: what one pod gets; keep NLP_GRADER_WORKERS equal to the CPUs it requests",
    "export.k8s.volume": "{fill}: a volume every pod can mount (ReadWriteMany) that holds the submissions and the results",
    "export.k8s.isolation": "The sandbox uses user namespaces where the pod allows them; each result's isolation field says which level was reached (README: Isolation).",
    "export.github.where": "Put this file in .github/workflows/ of the private repository that holds the submissions, and start it from the Actions tab (workflow_dispatch).",
    "export.github.private": "The results hold every student's grades and feedback: keep the repository private and the artifacts' retention short.",
    "export.github.install": "{fill}: how the runner installs nlp-grader (the same version in every job)",
    "export.github.package": "{fill}: where pip finds nlp-grader",
    "export.github.matrix": "one job per shard: --shard K/N is given explicitly (Actions has no task-index variable)",
}

CLICK: dict[str, str] = {}
"""click's own texts (usage, errors) by their gettext message id; English needs none: they are click's own."""

HELP: dict[str, str] = {}
"""``--help`` texts by command path and option ("check", "check.exercise"); English ones are in grader/cli.py."""
