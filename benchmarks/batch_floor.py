"""What one more submission costs a `grade batch`, split between the grading process and the sandboxes, against
what a given ratio to the fresh-process loop would allow it.

Three phases, interleaved for --rounds rounds on the same generated class (bench_batch.make_class): `grade batch`
on the whole class (--size), `grade batch` on its first submission alone, and a slice of fresh
`grade check --hidden` runs (--loop of them, --workers at a time, as bench_batch's loop). Each batch runs in a
wrapper that reads its own process's CPU (every thread, getrusage) as it exits; the machine's CPU comes from
/proc/stat. The difference of the two batches is what the other --size - 1 submissions cost:

- ``marginal_cpu_s``: CPU seconds per submission, all processes, and of it ``marginal_grading_cpu_s`` in the
  grading process (reading, comparing, probing, rendering) and ``marginal_sandbox_cpu_s`` in the fork server's
  children (the sandbox, the student's code, encoding its results);
- ``budget_cpu_s``: the CPU per submission a batch could spend and still be --goal times faster than the loop on
  this machine's cores, after its fixed cost (the one-submission batch's CPU).

    python benchmarks/batch_floor.py [--size 60] [--rounds 3] [--loop 6] [--goal 20] [--out benchmarks/results/batch_floor.json]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from _results import emit  # noqa: E402  (benchmarks/ is on sys.path when run as a script)
from bench_batch import ROOT, Phase, make_class  # noqa: E402

WRAPPER = """
import atexit, json, resource, sys
OWN = sys.argv[1]
def _own():
    r = resource.getrusage(resource.RUSAGE_SELF)
    with open(OWN, "w") as f:
        json.dump({"own_cpu_s": r.ru_utime + r.ru_stime}, f)
atexit.register(_own)
sys.argv = ["grade", *sys.argv[2:]]
from grader.__main__ import main
main()
"""
"""`grade` run in a process that writes its own CPU seconds (all its threads) to argv[1] as it exits."""


def batch(klass: Path, out: Path, own: Path, workers: int) -> tuple[Phase, float]:
    with Phase() as phase:
        subprocess.run([sys.executable, "-c", WRAPPER, str(own), "batch", str(klass), "--assignment", "transformer",
                        "--output", str(out), "--workers", str(workers), "--no-resume"],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)
    return phase, json.loads(own.read_text())["own_cpu_s"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=60)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--loop", type=int, default=6, help="fresh checks per round")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--goal", type=float, default=20.0)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        whole, single = Path(tmp) / "whole", Path(tmp) / "single"
        whole.mkdir()
        single.mkdir()
        names = make_class(whole, args.size)
        make_class(single, 1)
        rows = []
        for r in range(args.rounds):
            full, full_own = batch(whole, Path(tmp) / f"out{r}", Path(tmp) / "own.json", args.workers)
            one, one_own = batch(single, Path(tmp) / f"one{r}", Path(tmp) / "own.json", args.workers)
            part = [names[(r * args.loop + i) % len(names)] for i in range(args.loop)]

            def check(name: str) -> None:
                subprocess.run([sys.executable, "-m", "grader", "check", str(whole / name), "--assignment",
                                "transformer", "--hidden", "--format", "json"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)

            with Phase() as loop, ThreadPoolExecutor(max_workers=args.workers) as pool:
                list(pool.map(check, part))
            rows.append({"batch": full.record() | {"own_cpu_s": round(full_own, 2)},
                         "one": one.record() | {"own_cpu_s": round(one_own, 2)},
                         "loop": loop.record() | {"checks": args.loop}})
    n = args.size - 1
    med = statistics.median
    loop_per = med(row["loop"]["wall_s"] / args.loop for row in rows)
    marginal = med((row["batch"]["cpu_s"] - row["one"]["cpu_s"]) / n for row in rows)
    grading = med((row["batch"]["own_cpu_s"] - row["one"]["own_cpu_s"]) / n for row in rows)
    fixed_cpu = med(row["one"]["cpu_s"] for row in rows)
    cores = args.workers
    allowed_wall = loop_per * args.size / args.goal
    emit({"benchmark": "the marginal cost of a submission in grade batch, against a ratio's budget",
          "submissions": args.size, "workers": args.workers, "rounds": args.rounds, "goal_ratio": args.goal,
          "batch_wall_s": med(row["batch"]["wall_s"] for row in rows),
          "loop_wall_s_per_submission": round(loop_per, 3),
          "ratio": round(loop_per * args.size / med(row["batch"]["wall_s"] for row in rows), 2),
          "fixed_cpu_s": round(fixed_cpu, 2),
          "marginal_cpu_s": round(marginal, 3),
          "marginal_grading_cpu_s": round(grading, 3),
          "marginal_sandbox_cpu_s": round(marginal - grading, 3),
          "allowed_batch_wall_s": round(allowed_wall, 2),
          "budget_cpu_s": round((allowed_wall * cores - fixed_cpu) / args.size, 3),
          "rounds_measured": rows, "cpus": os.cpu_count()}, args.out)


if __name__ == "__main__":
    main()
