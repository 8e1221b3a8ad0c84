"""The training exercise's judge (grader/builtin/training/judges.py): its verdicts on made-up runs (fast), and its
false-failure bound from the reference's measured success rate (slow: the reference trained on many seeds).

A run succeeds when its model copies at least judges.THRESHOLD of 100 held-out sequences exactly, and as many
sequences drawn afresh; a case of judges.RUNS runs passes when judges.REQUIRED succeed. judges.MEASURED holds the
reference's successes over many seeds (TRAINING_SEEDS=300 reproduces it: about 5 s a seed on one core); the bound
a correct loop as good as the reference fails a case is false_failure_bound(lower_bound(*MEASURED)).
"""

from __future__ import annotations

import importlib.util
import os
import sys
import time
from pathlib import Path

import pytest
import torch

from grader.builtin.training import judges
from grader.builtin.training.messages import MESSAGES
from grader.sandbox import drivers

ROOT = Path(__file__).resolve().parents[1]


def _outputs(accuracy: float, fresh: float, runs: int = 3, steps: int = 300, untouched: bool = False) -> tuple:
    held_out = torch.randint(2, 11, (100, 8))
    held_out[:, 0] = 1

    def decoded(src: torch.Tensor, share: float) -> torch.Tensor:
        out = src.clone()
        out[int(share * len(src)):, -1] = 0  # the rest miss their last token
        return out

    fresh_src = torch.stack([torch.randint(2, 11, (100, 8)) for _ in range(runs)])
    return {"held_out": held_out}, {
        "out": torch.stack([decoded(held_out, accuracy)] * runs),
        "fresh_src": fresh_src, "fresh_out": torch.stack([decoded(s, fresh) for s in fresh_src]),
        "steps": torch.full((runs,), steps), "untouched": torch.full((runs,), untouched),
        "seconds": torch.ones(runs, dtype=torch.float64)}


@pytest.mark.parametrize(("accuracy", "fresh", "steps", "untouched", "key"), [
    (0.9, 0.88, 300, False, None),
    (0.55, 0.52, 300, False, None),
    (1.0, 0.4, 300, False, "training.check.copy_saw_held_out"),
    (0.0, 0.0, 0, True, "training.check.copy_no_steps"),
    (0.0, 0.0, 300, True, "training.check.copy_untrained_model"),
    (0.3, 0.3, 300, False, "training.check.copy_not_learned"),
])
def test_verdicts(accuracy, fresh, steps, untouched, key):
    inputs, outputs = _outputs(accuracy, fresh, steps=steps, untouched=untouched)
    verdict = judges.copy_task(inputs, outputs, {})
    assert (verdict and verdict[0]) == key, verdict
    if key is None:  # passed: what it measured, for the leaderboard (held-out copies in %, the steps a run took)
        measured = {k: v for k, v in verdict[1].items() if k != "figures"}
        assert measured == {"held_out_accuracy": round(100 * accuracy, 1), "mean_steps": steps}
        assert "figures" in verdict[1]  # what the report draws (tests/test_training_figures.py)
    if verdict and key:
        for lang in ("en", "ko"):
            MESSAGES[lang][verdict[0]].format(**verdict[1])


def test_the_bound_is_what_the_module_says():
    assert judges.false_failure_bound(1.0) == 0.0
    assert abs(judges.false_failure_bound(0.9) - (0.1 ** 3 + 3 * 0.9 * 0.1 ** 2)) < 1e-12
    lo = judges.lower_bound(*judges.MEASURED)
    # exact at the bound: P(Bin(n, lo) >= successes) = 1 - confidence
    n, s = judges.MEASURED[1], judges.MEASURED[0]
    if s == n:
        assert abs(lo ** n - 0.01) < 1e-6
    assert judges.false_failure_bound(lo) <= judges.FALSE_FAILURE_BOUND


def _reference():
    name = "training_reference_for_the_judge"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, ROOT / "solutions" / "training" / "__init__.py",
                                                      submodule_search_locations=[str(ROOT / "solutions" / "training")])
        assert spec and spec.loader
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return importlib.import_module(f"{name}.train")


@pytest.mark.slow
def test_the_reference_succeeds_as_often_as_measured():
    """The reference trained on TRAINING_SEEDS seeds (default 24, two minutes), judged run by run as the case judges
    it: every run succeeds (judges.MEASURED: 299 of 300, the other marginal), each within a few seconds."""
    train = _reference()
    seeds = int(os.environ.get("TRAINING_SEEDS", "24"))
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    failures, slowest = [], 0.0
    try:
        for seed in range(5000, 5000 + seeds):
            started = time.perf_counter()
            model = train.train_copy_task(seed)
            slowest = max(slowest, time.perf_counter() - started)
            gen = torch.Generator().manual_seed(seed)
            held_out, fresh = (train.copy_batch(gen, 100, 8, 11) for _ in range(2))
            with torch.no_grad():
                shares = [float((drivers.greedy(model.eval(), s) == s).all(-1).double().mean()) for s in (held_out, fresh)]
            if min(shares) < judges.THRESHOLD:
                failures.append((seed, shares))
    finally:
        torch.set_num_threads(threads)
    print(f"\ntraining reference: {seeds - len(failures)}/{seeds} runs succeed; slowest {slowest:.1f} s")
    assert not failures, failures
