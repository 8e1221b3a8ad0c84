"""`grade batch --executor ray` against the local executor, on the same class, on this one machine.

Two comparisons, each as medians of interleaved rounds (shared machines are noisy: other guests steal CPU for
seconds at a time, so a round of each runs back to back, and CPU and stolen seconds are reported per phase):

1. cold, what an instructor runs: `grade batch` as a command, the whole class, the local executor against
   `--executor ray` with no --address (which starts a local Ray instance, its workers, their fork servers and
   references, and stops them): the engine's whole fixed cost is in it.
2. warm, the cost per submission: in this process, a Ray instance started once (ray.init, as a driver on a cluster
   would find it running) and one run of each executor beforehand, so that the workers' fork servers and
   references are warm (a Ray job keeps its workers), then `grader.batch.run` with each executor. This is the
   per-submission cost that decides how throughput grows with nodes; the driver's own CPU time per submission
   (this process: reading and packing submissions, decoding answers, rendering and writing every file) is what
   bounds it, since one driver writes everything.

Throughput with N nodes of K cores is then estimated, not measured: N·K / (per-submission CPU seconds), bounded by
1 / (driver CPU seconds per submission). Several machines were not measured (this benchmark has one machine), nor is
a network's transfer of submissions (a few KB each here) or a cluster's scheduling latency between nodes.

    python benchmarks/bench_ray.py [--size 60] [--workers 2] [--rounds 3] [--out benchmarks/results/ray.json]
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _results import emit  # noqa: E402  (benchmarks/ is on sys.path when run as a script)
from bench_batch import ROOT, Phase, make_class  # noqa: E402


def cold_run(klass: Path, out: Path, workers: int, executor: str) -> Phase:
    shutil.rmtree(out, ignore_errors=True)
    with Phase() as phase:
        done = subprocess.run([sys.executable, "-m", "grader", "batch", str(klass), "--assignment", "transformer",
                               "--output", str(out), "--workers", str(workers), "--no-resume", "--executor", executor],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, cwd=ROOT)
    if done.returncode != 0:
        raise SystemExit(f"grade batch --executor {executor} failed:\n{done.stderr[-2000:]}")
    return phase


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=60)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--node-cores", type=int, default=16, help="cores per node in the (estimated) scaling")
    args = parser.parse_args()
    import ray

    from grader import batch

    with tempfile.TemporaryDirectory() as tmp:
        klass = Path(tmp) / "class"
        klass.mkdir()
        make_class(klass, args.size)
        outs = {name: Path(tmp) / name for name in ("local", "ray", "warm-local", "warm-ray")}

        # 1. cold: the command, each executor starting everything it needs
        cold: dict[str, list[Phase]] = {"local": [], "ray": []}
        for _ in range(args.rounds):
            for executor in ("local", "ray"):
                cold[executor].append(cold_run(klass, outs[executor], args.workers, executor))
        same_cold = (outs["local"] / "gradebook.csv").read_bytes() == (outs["ray"] / "gradebook.csv").read_bytes()

        # 2. warm: one Ray instance and one fork server here, kept between runs
        ray.init(num_cpus=args.workers, include_dashboard=False, log_to_driver=False)
        try:
            def warm(executor: str) -> tuple[Phase, float, float]:
                out = outs[f"warm-{executor}"]
                shutil.rmtree(out, ignore_errors=True)
                marks: list[float] = []  # this process's CPU time as each result was written
                driver0 = time.process_time()
                with Phase() as phase:
                    batch.run(klass, assignment="transformer", output=out, workers=args.workers, resume=False,
                              executor=executor, on_progress=lambda *_: marks.append(time.process_time()))
                grading = (marks[-1] - marks[0]) / max(1, len(marks) - 1)  # per result, while results come back
                return phase, time.process_time() - driver0, grading

            warm("local")  # the fork server and the reference here
            warm("ray")  # Ray's workers, their fork servers and references
            runs: dict[str, list[tuple[Phase, float, float]]] = {"local": [], "ray": []}
            for _ in range(args.rounds):
                for executor in ("local", "ray"):
                    runs[executor].append(warm(executor))
        finally:
            ray.shutdown()
        same_warm = (outs["warm-local"] / "gradebook.csv").read_bytes() == (outs["warm-ray"] / "gradebook.csv").read_bytes()

    def median(phases: list[Phase]) -> float:
        return statistics.median(p.wall for p in phases)

    cold_local, cold_ray = median(cold["local"]), median(cold["ray"])
    warm_local = median([p for p, _, _ in runs["local"]])
    warm_ray = median([p for p, _, _ in runs["ray"]])
    per_sub_local = warm_local / args.size  # wall seconds per submission with --workers cores busy
    per_sub_ray = warm_ray / args.size
    core_seconds = per_sub_ray * args.workers  # one submission's cost on one core, on the Ray path
    # the whole run's driver CPU over the class (its summary, plots and similarity report included): an upper bound
    # of what one more submission costs the driver; and its CPU per result while results come back, which is what
    # bounds the rate at which one driver takes results in
    whole = statistics.median(cpu for _, cpu, _ in runs["ray"]) / args.size
    driver = statistics.median(grading for _, _, grading in runs["ray"])
    cores_per_node = args.node_cores

    def throughput(nodes: int) -> float:
        return round(min(nodes * cores_per_node / core_seconds, 1 / driver) * 60, 1)

    result = {
        "benchmark": "grade batch --executor ray vs the local executor, one machine",
        "submissions": args.size, "workers": args.workers, "rounds": args.rounds,
        "cold_local_s": round(cold_local, 2), "cold_ray_s": round(cold_ray, 2),
        "cold_ratio_ray_over_local": round(cold_ray / cold_local, 2),
        "cold_local_rounds": [p.record() for p in cold["local"]], "cold_ray_rounds": [p.record() for p in cold["ray"]],
        "warm_local_s": round(warm_local, 2), "warm_ray_s": round(warm_ray, 2),
        "warm_ratio_ray_over_local": round(warm_ray / warm_local, 2),
        "warm_local_rounds": [p.record() for p, _, _ in runs["local"]],
        "warm_ray_rounds": [{**p.record(), "driver_cpu_s": round(cpu, 2)} for p, cpu, _ in runs["ray"]],
        "per_submission_s_local": round(per_sub_local, 3), "per_submission_s_ray": round(per_sub_ray, 3),
        "per_submission_core_s_ray": round(core_seconds, 3),
        "driver_cpu_s_per_result_while_grading": round(driver, 4),
        "driver_cpu_s_per_submission_whole_run": round(whole, 4),
        "driver_cpu_s_per_submission_local_executor": round(statistics.median(cpu for _, cpu, _ in runs["local"])
                                                            / args.size, 4),
        "same_gradebook_cold": same_cold, "same_gradebook_warm": same_warm,
        "estimate_not_measured": {
            "assumes": f"nodes of {cores_per_node} cores at this machine's per-core speed; the driver's CPU per "
                       "result while grading as measured here (its end-of-batch rendering, summary and similarity "
                       "report come after, in driver_cpu_s_per_submission_whole_run); no network or scheduling latency",
            "submissions_per_minute": {str(n): throughput(n) for n in (1, 2, 4, 8, 16, 32)},
            "driver_bound_per_minute": round(60 / driver, 1),
            "nodes_where_the_driver_binds": round(core_seconds / (cores_per_node * driver), 1),
        },
        "python": platform.python_version(), "cpus": os.cpu_count(), "ray": ray.__version__,
    }
    emit(result, args.out)


if __name__ == "__main__":
    main()
