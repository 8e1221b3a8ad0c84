"""The similarity report on large synthetic classes: the indexed comparison against the all-pairs one it replaced.

A synthetic class: every student writes each exercise as a random sequence of tensor operations (what the
normalised code of two independent solutions looks like to the comparison: mostly different, sharing short idioms),
on top of the assignment's own stub code, and one student in twenty hands in a disguised copy of another's. Both
comparisons must list the same pairs (checked); the all-pairs one is timed only up to --brute-max students (it
grows with the square of the class). Medians of --rounds interleaved runs.

    python benchmarks/bench_similar.py [--sizes 60 600 3000] [--rounds 3] [--brute-max 600] [--out FILE.json]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

from _results import emit  # noqa: E402  (benchmarks/ is on sys.path when run as a script)

from grader import similar, specs

OPS = ["torch.softmax({x}, dim=-1)", "{x}.transpose(-2, -1)", "{x} @ {y}", "{x}.masked_fill({y}, 0.0)",
       "torch.matmul({x}, {y})", "{x}.sum(dim=-1, keepdim=True)", "{x} / {y}.shape[-1] ** 0.5", "torch.relu({x})",
       "{x}.reshape({y}.shape[0], -1)", "{x}.view({y}.shape)", "{x}.mean(-1, keepdim=True)", "torch.exp({x})",
       "{x}.unsqueeze(1)", "{x}.squeeze(-1)", "torch.where({y}, {x}, {y})", "{x}.float()", "{x}.contiguous()",
       "torch.cat([{x}, {y}], dim=-1)", "{x}.max(dim=-1).values", "{x}.clamp(min=0)", "torch.tanh({x})",
       "{x}.permute(0, 2, 1, 3)", "torch.sqrt({x} + 1e-6)", "{x} * {y}", "{x} - {y}", "{x}.bool()"]


def _body(rng: random.Random, lines: int) -> str:
    names = ["a", "b"]
    out = []
    for i in range(lines):
        op = rng.choice(OPS).format(x=rng.choice(names), y=rng.choice(names))
        out.append(f"    t{i} = {op}")
        names.append(f"t{i}")
    out.append(f"    return {names[-1]}")
    return "\n".join(out) + "\n"


def make_class(n: int, seed: int = 0) -> dict[str, dict[str, str]]:
    spec = specs.get("transformer")
    rng = random.Random(seed)
    klass: dict[str, dict[str, str]] = {}
    for k in range(n):
        if k and k % 20 == 0:  # a disguised copy of an earlier student's work
            source = klass[f"s{rng.randrange(k):05d}"]
            klass[f"s{k:05d}"] = {f: text.replace("t1 =", "tmp =").replace("t1)", "tmp)") for f, text in source.items()}
            continue
        files: dict[str, list[str]] = {}
        for e in spec.exercises:
            header = f"class {e.id}:\n    def forward(self, a, b):\n" if e.kind.value == "module" else f"def {e.id}(a, b):\n"
            body = _body(rng, 10).replace("\n    ", "\n        ") if e.kind.value == "module" else _body(rng, 10)
            body = ("        " + body[4:]) if e.kind.value == "module" else body
            files.setdefault(e.file, ["import torch\n"]).append(header + body)
        klass[f"s{k:05d}"] = {f: "\n\n".join(parts) for f, parts in files.items()}
    return klass


def brute(submissions: dict[str, dict[str, str]], spec) -> list[tuple[str, str]]:
    """The all-pairs comparison this project used before the index (same rules, every pair scored)."""
    base = similar.baseline(spec)
    prints = {name: {ex: similar.fingerprints(tokens) - base.get(ex, set())
                     for ex, tokens in similar.normalise(files, spec).items()} for name, files in submissions.items()}
    counts: Counter[tuple[str, int]] = Counter()
    for per in prints.values():
        for ex, fps in per.items():
            counts.update((ex, fp) for fp in fps)
    limit = max(2, len(prints) // 2)
    for per in prints.values():
        for ex in per:
            per[ex] = {fp for fp in per[ex] if counts[(ex, fp)] <= limit}
    names = sorted(prints)
    found = []
    for i, a in enumerate(names):
        for b in names[i + 1:]:
            shared = sum(len(prints[a].get(e.id, set()) & prints[b].get(e.id, set())) for e in spec.exercises)
            total = sum(len(prints[a].get(e.id, set()) | prints[b].get(e.id, set())) for e in spec.exercises)
            if total and shared / total >= similar.THRESHOLD and shared >= similar.MIN_SHARED:
                found.append((a, b))
    return sorted(found)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[60, 600, 3000])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--brute-max", type=int, default=600)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    spec = specs.get("transformer")
    figures = []
    for n in args.sizes:
        klass = make_class(n)
        indexed, allpairs = [], []
        listed = None
        for _ in range(args.rounds):
            start = time.perf_counter()
            pairs = similar.compare(klass, spec)
            indexed.append(time.perf_counter() - start)
            listed = sorted((p.a, p.b) for p in pairs)
            if n <= args.brute_max:
                start = time.perf_counter()
                reference = brute(klass, spec)
                allpairs.append(time.perf_counter() - start)
                if reference != listed:
                    print(f"DIFFERENT PAIRS at {n}", file=sys.stderr)
                    return 1
        row = {"submissions": n, "pairs_listed": len(listed or []), "copies_planted": (n - 1) // 20,
               "indexed_s_median": round(statistics.median(indexed), 2), "indexed_s_all": [round(t, 2) for t in indexed]}
        if allpairs:
            row |= {"all_pairs_s_median": round(statistics.median(allpairs), 2),
                    "ratio": round(statistics.median(allpairs) / statistics.median(indexed), 2)}
        figures.append(row)
        print(row, file=sys.stderr)
    emit({"benchmark": "similarity",
          "figures": figures,
          "note": "times include reading and normalising every submission (the same for both)"}, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
