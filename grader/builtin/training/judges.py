"""The trusted judge of the training exercise: what the student's training loop returned, decoded greedily by the
grader (grader.sandbox.drivers.train) on held-out copy-task sequences, one run per seed.

    copy_task(inputs, outputs, args) -> (message key, params) | (None, what it measured)

``inputs["held_out"]`` (N, L): the case's held-out sequences (never passed to the student's function);
``outputs``: ``out`` (K, N, L) their decoding by the model of each of the K runs, ``fresh_src`` / ``fresh_out``
(K, N, L) sequences drawn from the operating system's randomness after each run and their decoding, ``steps`` (K,)
the optimiser steps each run took, ``untouched`` (K,) that no parameter of the returned model was ever stepped,
``seconds`` (K,) each run's time.

A run succeeds when its model copies at least THRESHOLD of the held-out sequences exactly, and as many of the
fresh ones. The case passes when at least REQUIRED of the K runs succeed. The reference succeeds in a run with
probability p (measured over many seeds: tests/test_training_judge.py); runs with different seeds are independent,
so a correct loop as good as the reference fails the case with probability P(Bin(K, p) < REQUIRED): with the
one-sided 99% lower confidence bound of p from that measurement, FALSE_FAILURE_BOUND below.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import torch

THRESHOLD = 0.5
"""The share of held-out sequences a run's model must copy exactly (the reference's runs copy 0.8 to 1.0)."""
RUNS = 3
REQUIRED = 2
LEAK_MARGIN = 0.3
"""A run whose model copies the held-out sequences this much better than fresh ones has seen them: two samples of
N = 100 sequences from the same distribution differ by about 0.05 at most (one standard error is below 0.05)."""
MEASURED = (299, 300)
"""The reference's successful runs, and runs: seeds 100 to 399, 300 steps each on one core (benchmarks/
training_reference_seeds.txt: seconds and exact-copy share of 200 held-out sequences per seed). All 300 copied at
least half; one copied only 0.505, which the case's two samples of 100 would fail about half the time, so it counts
as a failure here. 244 runs copied 90 % or more; a run took 4.9 s (median) on a shared machine."""


def false_failure_bound(p: float, runs: int = RUNS, required: int = REQUIRED) -> float:
    """P(Bin(runs, p) < required): the chance that a loop whose runs succeed with probability p fails the case."""
    return sum(math.comb(runs, k) * p ** k * (1 - p) ** (runs - k) for k in range(required))


def lower_bound(successes: int, n: int, confidence: float = 0.99) -> float:
    """The one-sided Clopper-Pearson lower bound of a success probability from ``successes`` of ``n`` (bisection)."""
    if successes == 0:
        return 0.0
    alpha = 1 - confidence

    def tail(p: float) -> float:  # P(Bin(n, p) >= successes)
        return sum(math.comb(n, k) * p ** k * (1 - p) ** (n - k) for k in range(successes, n + 1))

    lo, hi = 0.0, successes / n
    for _ in range(60):
        mid = (lo + hi) / 2
        lo, hi = (lo, mid) if tail(mid) > alpha else (mid, hi)
    return lo


FALSE_FAILURE_BOUND = false_failure_bound(lower_bound(*MEASURED))
"""At most this chance that a correct loop as good as the reference fails the case (p at its 99% lower bound)."""


MAX_POINTS = 64
"""The most points of a run's loss curve the judge keeps (the driver measures at most 41)."""


def figures(inputs: Mapping[str, torch.Tensor], outputs: Mapping[str, torch.Tensor]) -> dict[str, Any]:
    """What the report draws (grader.report.figures): each run's held-out loss as the driver measured it along the
    training, beside the reference's band (band.BAND), and the first run's encoder–decoder attention on the first
    held-out sequence with its tokens (source, and what the model wrote). Missing or malformed pieces are left out."""
    drawn: dict[str, Any] = {}
    steps, loss = outputs.get("loss_steps"), outputs.get("loss")
    # what came back from the child is checked like any of its outputs: shapes, sizes and finite values
    if isinstance(steps, torch.Tensor) and isinstance(loss, torch.Tensor) and steps.shape == loss.shape \
            and steps.dim() == 2 and steps.shape[1] <= MAX_POINTS:
        runs = [[[int(s), round(float(v), 4)] for s, v in zip(row_s, row_v, strict=True) if s >= 0 and math.isfinite(v)]
                for row_s, row_v in zip(steps.tolist(), loss.tolist(), strict=True)][:RUNS]
        drawn["loss"] = {"runs": runs, "band": {k: BAND[k] for k in ("steps", "low", "median", "high")}}
    attention, out = outputs.get("attention"), outputs.get("out")
    length = inputs["held_out"].shape[1]
    if isinstance(attention, torch.Tensor) and tuple(attention.shape) == (length - 1, length) \
            and bool(torch.isfinite(attention).all()) and isinstance(out, torch.Tensor) and out.dim() == 3:
        drawn["attention"] = {"values": [[round(float(v), 4) for v in row] for row in attention.tolist()],
                              "src": [int(t) for t in inputs["held_out"][0].tolist()],
                              "out": [int(t) for t in out[0, 0].tolist()]}
    return drawn


def _pct(x: float | torch.Tensor) -> float:
    return round(100 * float(x), 1)


def copy_task(inputs: Mapping[str, torch.Tensor], outputs: Mapping[str, torch.Tensor],
              args: Mapping[str, Any]) -> tuple[str | None, dict[str, Any]] | None:
    """The verdict, and what was measured: ``held_out_accuracy`` (the runs' mean share of held-out sequences copied
    exactly, in %) and ``mean_steps`` (the optimiser steps a run took, on average), which the assignment's
    leaderboard reads (a passed case carries them with no message key)."""
    held_out = inputs["held_out"]
    out, fresh_src, fresh_out = outputs["out"], outputs["fresh_src"], outputs["fresh_out"]
    runs = out.shape[0]
    if out.shape[1:] != held_out.shape or fresh_out.shape != fresh_src.shape:
        return "training.check.copy_shape", {"expected": list(held_out.shape), "got": list(out.shape[1:])}
    accuracy = (out == held_out).all(-1).double().mean(-1)
    fresh = (fresh_out == fresh_src).all(-1).double().mean(-1)
    steps = [int(s) for s in outputs["steps"]]
    untouched = [bool(u) for u in outputs["untouched"]]
    success = (accuracy >= THRESHOLD) & (fresh >= THRESHOLD)
    measured = {"held_out_accuracy": _pct(accuracy.mean()), "mean_steps": round(sum(steps) / max(len(steps), 1), 1),
                "figures": figures(inputs, outputs)}
    shown = {**measured, "accuracies": ", ".join(f"{_pct(a)} %" for a in fresh), "steps": ", ".join(map(str, steps)),
             "threshold": _pct(THRESHOLD), "required": REQUIRED, "runs": runs}
    leaked = [i for i in range(runs) if float(accuracy[i] - fresh[i]) > LEAK_MARGIN]
    if leaked:
        i = leaked[0]
        return "training.check.copy_saw_held_out", {"held_out": _pct(accuracy[i]), "fresh": _pct(fresh[i]),
                                                     "figures": measured["figures"]}
    if int(success.sum()) >= REQUIRED:
        return None, measured
    if all(s == 0 for s in steps):
        return "training.check.copy_no_steps", shown
    if all(untouched):
        return "training.check.copy_untrained_model", shown
    return "training.check.copy_not_learned", shown


# --- the reference's band (benchmarks/training_band.py writes it here: a bundle ships this module alone) ---
BAND = {'what': "the reference's held-out loss along its training (mean negative log-likelihood per target token, "
         "teacher forcing), measured by the grader's training driver: percentiles over seeds",
 'command': 'python benchmarks/training_band.py --seeds 100 130 --out grader/builtin/training/judges.py',
 'seeds': [100, 130],
 'steps': [0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 110, 120, 130, 140, 150, 160, 170, 180, 190, 200, 210,
           220, 230, 240, 250, 260, 270, 280, 290, 300],
 'low': [3.7331, 2.5471, 2.2175, 2.1886, 2.1442, 2.0156, 1.8758, 1.7527, 1.6, 1.3174, 1.088, 0.8347, 0.5813,
         0.4296, 0.2904, 0.2036, 0.1479, 0.1035, 0.0723, 0.0338, 0.048, 0.0326, 0.0189, 0.0133, 0.03, 0.0258,
         0.0179, 0.0107, 0.0094, 0.0074, 0.0065],
 'median': [4.0233, 2.647, 2.256, 2.2016, 2.1728, 2.1021, 1.9976, 1.8811, 1.7681, 1.6644, 1.4264, 1.2128,
            1.0054, 0.664, 0.5078, 0.4421, 0.3137, 0.2085, 0.1255, 0.1157, 0.072, 0.0653, 0.0479, 0.0622,
            0.0542, 0.0525, 0.0349, 0.0252, 0.0233, 0.0288, 0.0223],
 'high': [4.3325, 2.8518, 2.2807, 2.2243, 2.2135, 2.1874, 2.1001, 2.0241, 1.892, 1.8185, 1.6555, 1.5311,
          1.2584, 1.0629, 0.8412, 0.6714, 0.4263, 0.3615, 0.2538, 0.2394, 0.1472, 0.1524, 0.0851, 0.1371,
          0.148, 0.108, 0.1027, 0.069, 0.0878, 0.0765, 0.0827],
 'seconds_median': 2.45}
# --- end of the band ---
