"""One `grade check` of the whole assignment against `python -c "import torch"`.

Interleaved runs (check, torch, check, torch, ...) so that machine noise hits both alike; medians.
Goal (DESIGN.md): the check takes at most 1.5x the bare torch import.

    python benchmarks/bench_check.py [--runs 9] [--hidden] [--out benchmarks/results/check.json]
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


def timed(cmd: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--hidden", action="store_true", help="grade the hidden cases too")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    check = [sys.executable, "-m", "grader", "check", "solutions/transformer", "--format", "json"]
    if args.hidden:
        check.append("--hidden")
    baseline = [sys.executable, "-c", "import torch"]
    timed(check)  # warm the file cache for both
    timed(baseline)
    grades, imports = [], []
    for _ in range(args.runs):
        grades.append(timed(check))
        imports.append(timed(baseline))
    g, t = statistics.median(grades), statistics.median(imports)
    result = {
        "benchmark": "grade check vs import torch", "hidden": args.hidden, "runs": args.runs,
        "median_check_s": round(g, 3), "median_import_torch_s": round(t, 3), "ratio": round(g / t, 3),
        "goal_ratio": 1.5, "check_s": [round(x, 3) for x in grades], "import_torch_s": [round(x, 3) for x in imports],
        "python": platform.python_version(), "machine": platform.machine(),
    }
    emit(result, args.out)


if __name__ == "__main__":
    main()
