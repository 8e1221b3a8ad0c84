"""`grade batch` against a loop that starts a fresh `grade check --hidden` per submission.

Both at the same parallelism (--workers), on the same generated class (the reference solution,
the correct-but-different variants and the mutants of tests/corpus, repeated to --size), with the
same isolation per submission. Reports submissions per minute, the ratio, and the peak resident
memory of one sandboxed worker (sampled from /proc while the batch runs).

Shared machines are noisy (other guests steal CPU for seconds at a time), so the two are interleaved:
each of --rounds rounds grades the whole class with `grade batch` and one slice of it (1/rounds) with
the loop. The batch figure is the median of the rounds; the loop's time is the sum of its slices,
which together cover the class once. CPU seconds (user + system, all processes, from /proc/stat) and
the time stolen by the hypervisor are reported for each phase, so a disturbed run can be told apart.

    python benchmarks/bench_batch.py [--size 60] [--workers 2] [--rounds 3] [--out benchmarks/results/batch.json]
    python benchmarks/bench_batch.py --assignment training --size 20 --rounds 2 --out benchmarks/results/batch_training.json
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from _results import emit  # noqa: E402  (benchmarks/ is on sys.path when run as a script)

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from corpus import SOLUTIONS, build, variants  # noqa: E402

CORPORA = {"transformer": ("correct", "mutants", SOLUTIONS),
           "training": ("training/correct", "training/mutants", ROOT / "solutions" / "training")}
"""Each assignment's corpus folders (tests/corpus) and the solution its variants are built on."""


def make_class(folder: Path, size: int, assignment: str = "transformer") -> list[str]:
    correct, mutants, solutions = CORPORA[assignment]
    pool = [None, *variants(correct), *variants(mutants)]
    names = []
    for i in range(size):
        v = pool[i % len(pool)]
        name = f"s{i:03d}"
        if v is None:
            shutil.copytree(solutions, folder / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            build(v, folder / name, solutions)
        names.append(name)
    return names


def rss_of_tree(root_pid: int) -> int:
    """Largest resident set (bytes) among the descendants of ``root_pid``."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                parts = f.read().rsplit(")", 1)[1].split()
            children.setdefault(int(parts[1]), []).append(int(entry))
            rss[int(entry)] = int(parts[21]) * os.sysconf("SC_PAGE_SIZE")
        except (OSError, IndexError, ValueError):
            continue
    best, stack = 0, list(children.get(root_pid, []))
    while stack:
        pid = stack.pop()
        best = max(best, rss.get(pid, 0))
        stack.extend(children.get(pid, []))
    return best


def cpu_counters() -> tuple[float, float]:
    """(user + system, steal) seconds of the whole machine so far, from /proc/stat."""
    try:
        with open("/proc/stat") as f:
            fields = [int(x) for x in f.readline().split()[1:]]
    except OSError:
        return 0.0, 0.0
    tick = os.sysconf("SC_CLK_TCK")
    busy = fields[0] + fields[1] + fields[2] + fields[5] + fields[6]
    return busy / tick, (fields[7] if len(fields) > 7 else 0) / tick


class Phase:
    """Wall time, CPU seconds and stolen seconds of one timed phase."""

    def __enter__(self) -> Phase:
        self.cpu0, self.steal0 = cpu_counters()
        self.t0 = time.perf_counter()
        return self

    def __exit__(self, *exc: object) -> None:
        self.wall = time.perf_counter() - self.t0
        cpu, steal = cpu_counters()
        self.cpu, self.steal = cpu - self.cpu0, steal - self.steal0

    def record(self) -> dict[str, float]:
        return {"wall_s": round(self.wall, 2), "cpu_s": round(self.cpu, 2), "steal_s": round(self.steal, 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=60)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--assignment", choices=sorted(CORPORA), default="transformer")
    args = parser.parse_args()
    grade = [sys.executable, "-m", "grader"]
    with tempfile.TemporaryDirectory() as tmp:
        klass = Path(tmp) / "class"
        klass.mkdir()
        names = make_class(klass, args.size, args.assignment)
        slices = [names[i::args.rounds] for i in range(args.rounds)]
        batches: list[Phase] = []
        loops: list[Phase] = []
        peak = [0]
        loop_out = Path(tmp) / "loop"
        loop_out.mkdir()
        out = Path(tmp) / "batch"

        def one(name: str) -> None:
            with (loop_out / f"{name}.json").open("w") as f:
                subprocess.run([*grade, "check", str(klass / name), "--assignment", args.assignment, "--hidden",
                                "--format", "json"], stdout=f, stderr=subprocess.DEVNULL, cwd=ROOT)

        for part in slices:
            # 1. the whole class with grade batch, with a sampler of the workers' memory
            shutil.rmtree(out, ignore_errors=True)
            with Phase() as batch_phase:
                proc = subprocess.Popen([*grade, "batch", str(klass), "--assignment", args.assignment, "--output",
                                         str(out), "--workers", str(args.workers), "--no-resume"],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)

                def sample(proc: subprocess.Popen[bytes] = proc) -> None:
                    while proc.poll() is None:
                        # the fork server is the batch's child; its children are the sandboxed workers
                        for line in subprocess.run(["ps", "-o", "pid=", "--ppid", str(proc.pid)], capture_output=True,
                                                   text=True).stdout.split():
                            peak[0] = max(peak[0], rss_of_tree(int(line)))
                        time.sleep(0.05)

                sampler = threading.Thread(target=sample)
                sampler.start()
                proc.wait()
                sampler.join()
            batches.append(batch_phase)
            # 2. one slice of the class, a fresh `grade check --hidden` per submission, same parallelism
            with Phase() as loop_phase, ThreadPoolExecutor(max_workers=args.workers) as pool:
                list(pool.map(one, part))
            loops.append(loop_phase)

        same = all(json.loads((out / f"{n}.json").read_text())["score"]
                   == json.loads((loop_out / f"{n}.json").read_text())["score"]
                   for n in names)
    batch_s = statistics.median(p.wall for p in batches)
    loop_s = sum(p.wall for p in loops)
    batch_cpu = statistics.median(p.cpu for p in batches)
    loop_cpu = sum(p.cpu for p in loops)
    result = {
        "benchmark": "grade batch vs a fresh grade check --hidden per submission", "assignment": args.assignment,
        "submissions": args.size,
        "workers": args.workers, "rounds": args.rounds,
        "batch_s": round(batch_s, 2), "loop_s": round(loop_s, 2),
        "batch_per_minute": round(60 * args.size / batch_s, 1), "loop_per_minute": round(60 * args.size / loop_s, 1),
        "ratio": round(loop_s / batch_s, 2), "goal_ratio": {"transformer": 20}.get(args.assignment),
        "batch_cpu_s": round(batch_cpu, 2), "loop_cpu_s": round(loop_cpu, 2),
        "cpu_ratio": round(loop_cpu / batch_cpu, 2) if batch_cpu else None,
        "batch_rounds": [p.record() for p in batches], "loop_slices": [p.record() for p in loops],
        "same_scores": same,
        "peak_worker_rss_mb": round(peak[0] / 2**20, 1), "goal_worker_rss_mb": 600,
        "python": platform.python_version(), "cpus": os.cpu_count(),
    }
    emit(result, args.out)


if __name__ == "__main__":
    main()
