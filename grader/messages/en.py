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
    "check.dropout_draws": "the train-mode outputs differ from the reference's under the same seed, and this case "
                           "cannot tell whether they come from dropout",
    "check.observation": "{key}: the grader needs this output to check {check}, but got {got}",
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
    # --- mistakes (what to look at, never the fix) ----------------------------------------------
    "mistake.pe_sin_cos_swapped": "sin and cos seem swapped: check which function goes on the even dimensions",
    "mistake.pe_parity_by_position": "sin/cos alternate by position here; the alternation runs over dimensions "
                                     "(columns), the same for every position",
    "mistake.pe_dimension_index_exponent": "the exponent seems to use the column index j itself; "
                                           "columns 2i and 2i+1 share one frequency",
    "mistake.pe_halves": "the sin values fill the first half of the columns and cos the second; the contract "
                         "interleaves them (even and odd columns)",
    "mistake.pe_odd_d_model_accepted": "an odd d_model is accepted; the contract asks for a ValueError",
    "mistake.softmax_wrong_axis": "the softmax runs over the wrong dimension: check which axis must sum to one",
    "mistake.mask_polarity_inverted": "the mask is used the wrong way round: True means 'may attend'",
    "mistake.mask_after_softmax": "the mask seems applied after the softmax without renormalising; "
                                  "masked scores must be removed before it",
    "mistake.fully_masked_rows_nan": "rows whose every position is masked come out as NaN; they must be all zeros",
    "mistake.fully_masked_rows_uniform": "rows whose every position is masked come out uniform (1/L each); they must be all zeros",
    "mistake.softmax_overflow": "exp overflows on large logits; a softmax must stay finite for scores like 1e4",
    "mistake.no_sqrt_dk": "the scores are not scaled: look at the factor 1/√d_k",
    "mistake.scale_by_dk": "the scores are divided by d_k; the formula uses its square root",
    "mistake.attention_softmax_over_queries": "the attention weights are normalised over the queries; "
                                              "each query's weights over the keys must sum to one",
    "mistake.attention_mask_polarity": "the mask is used the wrong way round: True means 'may attend'",
    "mistake.returns_scores_not_weights": "the second value returned looks like the raw scores, not the weights",
    "mistake.causal_mask_without_diagonal": "the diagonal is masked: a position may attend to itself",
    "mistake.causal_mask_upper": "the mask opens the future instead of the past: check the triangle",
    "mistake.padding_mask_polarity": "the padding mask is True on padding; True must mean a real token",
    "mistake.padding_mask_not_broadcastable": "the mask has shape (B, L); it needs two more dimensions to "
                                              "broadcast over heads and queries",
    "mistake.split_heads_not_transposed": "the heads are split but not moved in front of the sequence dimension",
    "mistake.split_heads_reshape_without_transpose": "reshaping straight to (B, h, L, d_k) mixes positions "
                                                     "across heads; look at the order of the dimensions",
    "mistake.split_heads_interleaved": "each head takes every h-th feature; a head must take a contiguous block",
    "mistake.combine_heads_without_transpose": "the heads are reshaped without putting the sequence dimension "
                                               "back in front first",
    "mistake.missing_output_projection": "the concatenated heads are returned as they are: what mixes them?",
    "mistake.scaled_by_sqrt_d_model": "the scores are scaled with d_model; each head works in d_k dimensions",
    "mistake.mha_no_sqrt_dk": "the per-head scores are not scaled: look at the factor 1/√d_k",
    "mistake.heads_not_transposed_before_concat": "the heads are concatenated without moving the sequence "
                                                  "dimension back first",
    "mistake.key_value_swapped": "key and value seem to play each other's role",
    "mistake.ffn_missing_activation": "there is no non-linearity between the two linear layers",
    "mistake.ffn_activation_on_output": "the activation is also applied after the second linear layer",
    "mistake.pre_ln_instead_of_post_ln": "the norm is applied before each sublayer (Pre-LN); "
                                         "the assignment asks for norm(x + sublayer(x))",
    "mistake.missing_residual": "the residual connection is missing: the sublayer's input must be added back",
    "mistake.norms_swapped": "norm1 and norm2 are used in each other's place",
    "mistake.decoder_pre_ln": "the norm is applied before each sublayer (Pre-LN); "
                              "the assignment asks for norm(x + sublayer(x))",
    "mistake.cross_attention_roles_swapped": "in cross-attention the queries come from the decoder and "
                                             "keys/values from memory; here the roles look swapped",
    "mistake.target_mask_used_for_memory": "the cross-attention uses the target mask; it needs the memory mask",
    "mistake.self_attention_not_masked": "the decoder's self-attention ignores tgt_mask, so positions see the future",
    # --- usage errors ---------------------------------------------------------------------------
    "usage.unreadable_submission": "{path} cannot be graded: {detail}. A submission holds at most 2000 files, 16 MiB each and 64 MiB in all",
    "usage.no_hidden_cases": "this is a student bundle of {name}: it holds the visible cases only, so --hidden cannot run here (your instructor grades the hidden ones); run grade without --hidden",
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
    "ui.more_cases": "… and {count} more failing case(s)",
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
    "ui.hidden_hint": "These are the visible cases; graders also run hidden ones (grade check --hidden).",
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
}

TITLES: dict[str, str] = {}
"""Assignment titles by assignment name; English needs none: it is the assignment spec's own ``title``."""

CLICK: dict[str, str] = {}
"""click's own texts (usage, errors) by their gettext message id; English needs none: they are click's own."""

HELP: dict[str, str] = {}
"""``--help`` texts by command path and option ("check", "check.exercise"); English ones are in grader/cli.py."""
