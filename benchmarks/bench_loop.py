"""What an endless loop costs a student: `grade check` of a submission whose `masked_softmax` never
returns (five exercises use it) against `grade check` of a correct submission, both as a student runs
them (a fresh `grade` process, visible cases). Interleaved runs, medians.

Goal (DESIGN.md): an endless loop in one function costs at most a few times a correct check, not minutes
(before per-case limits it cost 303 s: 60 s for each exercise that reached the loop).

    python benchmarks/bench_loop.py [--runs 5] [--out benchmarks/results/loop.json]
"""

from __future__ import annotations

import argparse
import json
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _results import emit  # noqa: E402  (benchmarks/ is on sys.path when run as a script)

ROOT = Path(__file__).resolve().parents[1]
SOLUTIONS = ROOT / "solutions" / "transformer"


def looping_copy(dest: Path) -> Path:
    shutil.copytree(SOLUTIONS, dest, ignore=shutil.ignore_patterns("__pycache__"))
    text = (dest / "attention.py").read_text()
    start = text.index("def masked_softmax")
    body = text.index('"""', text.index('"""', start) + 3) + 3
    (dest / "attention.py").write_text(text[:body] + "\n    while True:\n        scores = scores + 0\n" + text[body:])
    return dest


def timed(folder: Path) -> tuple[float, dict]:
    start = time.perf_counter()
    out = subprocess.run([sys.executable, "-m", "grader", "check", str(folder), "--format", "json"],
                         capture_output=True, text=True, cwd=ROOT)
    return time.perf_counter() - start, json.loads(out.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        looping = looping_copy(Path(tmp) / "looping")
        timed(SOLUTIONS)  # warm the file cache
        loops, corrects = [], []
        for _ in range(args.runs):
            seconds, result = timed(looping)
            loops.append(seconds)
            stuck = next(e for e in result["exercises"] if e["id"] == "masked_softmax")
            assert stuck["status"] == "timeout", stuck["status"]
            seconds, result = timed(SOLUTIONS)
            corrects.append(seconds)
            assert result["score"] == result["max_score"]
        message = stuck["cases"][0]["checks"][-1]["message"]
    lo, co = statistics.median(loops), statistics.median(corrects)
    result = {
        "benchmark": "grade check with an endless loop in masked_softmax vs a correct submission",
        "runs": args.runs, "median_loop_s": round(lo, 3), "median_correct_s": round(co, 3), "ratio": round(lo / co, 2),
        "before_per_case_limits_s": 303, "stuck_message": message,
        "loop_s": [round(x, 3) for x in loops], "correct_s": [round(x, 3) for x in corrects],
        "python": platform.python_version(), "machine": platform.machine(),
    }
    emit(result, args.out)


if __name__ == "__main__":
    main()
