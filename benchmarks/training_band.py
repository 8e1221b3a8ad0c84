"""The reference's band beside a student's loss curve (``BAND`` in grader/builtin/training/judges.py): the reference's
training loop run for many seeds through the grader's own training driver, its held-out loss measured by the grader
at every tenth step (grader.sandbox.learning), and the 10th and 90th percentiles of those losses at each step.

    python benchmarks/training_band.py [--seeds 100 120] [--out grader/builtin/training/judges.py]

One core (torch.set_num_threads(1)), as the grader's child runs it; about 4 s a seed.
"""

from __future__ import annotations

import argparse
import json
import pprint
import statistics
import sys
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repository's solutions/, run from anywhere

from grader.sandbox import drivers  # noqa: E402

START = "# --- the reference's band"
STOP = "# --- end of the band ---"


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    at = q * (len(ordered) - 1)
    lo = int(at)
    hi = min(lo + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (at - lo)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs=2, default=(100, 120), metavar=("FIRST", "STOP"))
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args(argv)
    import solutions.training.train as reference

    torch.set_num_threads(1)
    held_out = reference.copy_batch(torch.Generator().manual_seed(12345), 100, 8, 11)
    first, stop = args.seeds
    call = {"call": [["v", first]], "call_kw": {"steps": ["v", 300]}, "draws": stop - first}
    out = drivers.train(reference.train_copy_task, {"held_out": held_out}, call, drivers.Ctx("cpu"))
    steps = [int(s) for s in out["loss_steps"][0] if s >= 0]
    runs = [[float(v) for v in row[: len(steps)]] for row in out["loss"]]
    band = {
        "what": "the reference's held-out loss along its training (mean negative log-likelihood per target token, "
                "teacher forcing), measured by the grader's training driver: percentiles over seeds",
        "command": " ".join(["python", "benchmarks/training_band.py", *sys.argv[1:]]),
        "seeds": [first, stop], "steps": steps,
        "low": [round(percentile([r[i] for r in runs], 0.1), 4) for i in range(len(steps))],
        "median": [round(statistics.median([r[i] for r in runs]), 4) for i in range(len(steps))],
        "high": [round(percentile([r[i] for r in runs], 0.9), 4) for i in range(len(steps))],
        "seconds_median": round(statistics.median(float(s) for s in out["seconds"]), 2),
    }
    text = json.dumps(band, indent=1)
    print(text)
    if args.out:  # the judge's module holds it: a bundle ships that module alone (grader.fixtures._write_code)
        source = args.out.read_text(encoding="utf-8")
        start = source.index(START)
        stop = source.index(STOP)
        start = source.index("\n", start + len(START)) + 1
        literal = pprint.pformat(band, width=110, sort_dicts=False, compact=True)
        args.out.write_text(source[:start] + "BAND = " + literal + "\n" + source[stop:], encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
