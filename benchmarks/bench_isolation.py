"""What the sandbox's walls cost per submission: a warm `api.check` of the whole assignment with the
namespaces sandbox (private root, capabilities dropped, seccomp) against the same check with
`--sandbox process` (a plain fork), and both against starting Python and importing torch, which is
what a sandbox without a warm fork server would pay for every submission.

Interleaved rounds (namespaces, process, cold start, ...), medians.

    python benchmarks/bench_isolation.py [--runs 9] [--out benchmarks/results/isolation.json]
"""

from __future__ import annotations

import argparse
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

from _results import emit  # noqa: E402  (benchmarks/ is on sys.path when run as a script)

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from grader import api  # noqa: E402
from grader.reference import Reference  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    solutions = ROOT / "solutions" / "transformer"
    reference = Reference(api.assignment_spec("transformer"))

    def check(sandbox: str) -> float:
        start = time.perf_counter()
        result = api.check(solutions, assignment="transformer", reference=reference, sandbox=sandbox)
        elapsed = time.perf_counter() - start
        assert result.score == result.max_score, result.score
        if sandbox == "auto":
            assert result.isolation == "namespaces", result.isolation_details
        return elapsed

    def cold() -> float:
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", "import torch"], check=True)
        return time.perf_counter() - start

    check("auto"), check("process"), cold()  # warm the fork server, the reference and the file cache
    walls, plain, starts = [], [], []
    for _ in range(args.runs):
        walls.append(check("auto"))
        plain.append(check("process"))
        starts.append(cold())
    w, p, c = (statistics.median(x) for x in (walls, plain, starts))
    result = {
        "benchmark": "sandbox walls per submission (warm fork server)", "runs": args.runs,
        "median_namespaces_s": round(w, 3), "median_process_s": round(p, 3), "median_python_import_torch_s": round(c, 3),
        "walls_over_plain_fork": round(w / p, 3), "walls_over_interpreter_start": round(w / c, 3),
        "namespaces_s": [round(x, 3) for x in walls], "process_s": [round(x, 3) for x in plain],
        "python_import_torch_s": [round(x, 3) for x in starts],
        "python": platform.python_version(), "machine": platform.machine(),
    }
    emit(result, args.out)


if __name__ == "__main__":
    main()
