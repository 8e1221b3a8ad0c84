"""Where a `grade batch` spends its CPU, every process of it (the grading process, the fork server, the sandboxed
children), sampled with py-spy (`pip install py-spy`; not a dependency of the grader).

A class is generated as bench_batch.py does (the reference, the correct variants and the mutants of tests/corpus),
graded once under `py-spy record --subprocesses`; each sample is put in the phase of the innermost grader function
on its stack. Samples of a process waiting (a child's waitpid, the server's select, the watchdog's sleep, the
grading process waiting on a child's pipe) are left out: what is reported is CPU, not wall time.

    python benchmarks/profile_batch.py [--size 24] [--workers 2] [--rate 50] [--out benchmarks/results/profile_batch.json]
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

from _results import emit  # noqa: E402  (benchmarks/ is on sys.path when run as a script)
from bench_batch import make_class  # noqa: E402

WAITING = ("isolate.py:483", "isolate.py:487", "isolate.py:518", "forkserver.py:300", "forkserver.py:326",
           "runner.py:175", "Watchdog._watch", "child.py:284")
"""Frames where a process waits (the child's waitpid, the server's select, the pipe): not CPU."""

PHASES = (  # (phase, a piece of the innermost grader frame's "function (file:line)")
    ("import torch and the grader (both processes)", ("<module> (grader/api.py", "<module> (grader/sandbox/child.py",
                                                      "_warm (grader/sandbox/forkserver.py")),
    ("student code: building modules", ("_build (grader/sandbox/drivers.py",)),
    ("student code: calls, gradients, dropout runs", ("_invoke (grader/sandbox/drivers.py", "grad (grader/sandbox/drivers.py",
                                                      "dropout (grader/sandbox/drivers.py", "sandbox/elsewhere.py")),
    ("child: encoding results", ("dumps (grader/sandbox/transfer.py", "pack (grader/sandbox/transfer.py",
                                 "encode (grader/sandbox/transfer.py", "_encode_one (grader/sandbox/transfer.py")),
    ("grading process: reading results", ("loads (grader/sandbox/transfer.py", "decode (grader/sandbox/transfer.py",
                                          "clean_record", "runner.py")),
    ("comparisons", ("grader/compare.py", "grader/checks.py")),
    ("probes and counterfactuals of failing cases", ("probes.py", "counterfactuals.py", "grader/diagnose.py",
                                                     "grader/dropout.py")),
    ("plots", ("grader/stats.py",)),
    ("reports and files", ("grader/report/", "grader/batch/render.py", "grader/batch/output.py", "grader/clean.py")),
    ("similarity", ("grader/similar.py",)),
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=24)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--rate", type=int, default=50)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    spy = shutil.which("py-spy")
    if spy is None:
        sys.exit("py-spy is not installed: pip install py-spy")
    with tempfile.TemporaryDirectory() as tmp:
        klass, out, raw = Path(tmp) / "class", Path(tmp) / "out", Path(tmp) / "samples.txt"
        klass.mkdir()
        make_class(klass, args.size)
        subprocess.run([spy, "record", "-r", str(args.rate), "-f", "raw", "-o", str(raw), "--subprocesses", "--",
                        sys.executable, "-m", "grader", "batch", str(klass), "--assignment", "transformer",
                        "--output", str(out), "--workers", str(args.workers)],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        phases: Counter[str] = Counter()
        other: Counter[str] = Counter()
        for line in raw.read_text().splitlines():
            stack, _, count = line.rpartition(" ")
            grader = [f for f in stack.split(";") if "grader/" in f]
            inner = grader[-1] if grader else ""
            if "Watchdog._watch" in stack or any(w in inner for w in WAITING):
                continue
            phase = next((name for name, marks in PHASES if any(m in inner for m in marks)),
                         "other grader code" if inner else "outside the grader (interpreter, threads)")
            phases[phase] += int(count)
            if phase == "other grader code":
                other[inner.split("grader/", 1)[-1].rstrip(")")] += int(count)
    total = sum(phases.values())
    emit({"benchmark": "where a grade batch spends its CPU (py-spy samples, waits left out)",
          "submissions": args.size, "workers": args.workers, "cpu_s": round(total / args.rate, 2),
          "cpu_s_per_submission": round(total / args.rate / args.size, 3),
          "phases": {name: {"cpu_s": round(n / args.rate, 2), "share": round(n / total, 3)}
                     for name, n in phases.most_common()},
          "other_grader_code_top": {frame: round(n / args.rate, 2) for frame, n in other.most_common(12)}}, args.out)


if __name__ == "__main__":
    main()
