"""Where one `grade check` spends its time, phase by phase, in the grading process and in the sandbox.

Each run is a fresh interpreter that does what `grade check` does (the same calls, in the same order) with a
clock around each step; the child's side is read from the progress events it sends (the sandbox set up, each
case started and done) and from the CPU the fork server and its children used. Medians over --runs.

Phases (grading process):
  start          interpreter start and `import grader.cli` (no torch: the fork server starts right after)
  import_torch   `from grader import api`: torch, in parallel with the fork server importing its own
  plan           select the cases, prepare each (the reference's outputs, read from grade's disk cache after the
                 first run), read and scan the source
  wait_server    the child asked for until the fork server answered (it is still importing torch)
  sandbox        the child forked until its walls are up (the "isolation" event)
  cases          the first case started until the last one is done: the student's calls and the transfer
  judge          comparisons, probes and counterfactuals of failing cases
  render         the report (json or text)
Child side: `server_cpu_s` is the fork server's own CPU (its torch import and warm-up), `children_cpu_s` that of
the sandboxed children together; `slowest_cases` the cases the child spent most on (start to done).

    python benchmarks/profile_check.py [--runs 5] [--hidden] [--format json] [--path solutions/transformer]
                                       [--out benchmarks/results/profile_check.json]
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

from _results import emit  # noqa: E402  (benchmarks/ is on sys.path when run as a script)

ROOT = Path(__file__).resolve().parents[1]

INNER = r"""
import json, os, sys, time
T0 = float(sys.argv[1]); path, hidden, fmt = sys.argv[2], sys.argv[3] == "1", sys.argv[4]
marks = {"start": time.time() - T0}
import grader.cli  # noqa: F401  (what the `grade` command imports before it parses anything)
from grader.sandbox import forkserver
forkserver.warm_up()
marks["import_cli"] = time.time() - T0
t = time.monotonic()
from grader.startup import heavy_imports
with heavy_imports():  # as `grade check` does
    from grader import api, report
    from grader.reference import cache_folder
    from grader.sandbox import runner
marks["import_torch"] = time.monotonic() - t
events, spawned = [], []
feed = runner.ProgressStream.feed
def timed_feed(self, chunk):
    out = feed(self, chunk)
    now = time.monotonic()
    events.extend((now, word, rest) for word, rest, _ in out)
    return out
runner.ProgressStream.feed = timed_feed
spawn = forkserver.ForkServer.spawn
def timed_spawn(self, job, fd):
    t = time.monotonic(); pid = spawn(self, job, fd); spawned.append((t, time.monotonic())); return pid
forkserver.ForkServer.spawn = timed_spawn
phases = {}
PLANNED = []
def wrap(name, fn):
    def inner(*a, **k):
        t = time.monotonic(); out = fn(*a, **k)
        if name == "plan":
            PLANNED.append(out)
        phases[name] = phases.get(name, 0.0) + time.monotonic() - t
        return out
    return inner
api.plan, api.run, api.judge, api.annotate = (wrap("plan", api.plan), wrap("run", api.run),
                                              wrap("judge", api.judge), wrap("annotate", api.annotate))
result = api.check(path, hidden=hidden, reference_cache=cache_folder())
t = time.monotonic()
text = report.render(fmt, result, "en", report.Options(title="t", name="s"))
phases["render"] = time.monotonic() - t
iso = next((e[0] for e in events if e[1] == "isolation"), None)
starts = {r: e for e, w, r in events if w == "start"}
dones = {r: e for e, w, r in events if w == "done"}
per_case = sorted(((dones[r] - starts[r], r) for r in dones if r in starts), reverse=True)
names = {str(t.index): f"{t.exercise}/{t.case}" for t in PLANNED[-1].tasks} if PLANNED else {}
server = forkserver.server()._proc
with open(f"/proc/{server.pid}/stat") as f:
    fields = f.read().rsplit(")", 1)[1].split()
tick = os.sysconf("SC_CLK_TCK")
out = {**marks, **phases,
       "wait_server": sum(b - a for a, b in spawned),
       "sandbox": (iso - spawned[0][1]) if iso and spawned else None,
       "cases": (max(dones.values()) - min(starts.values())) if dones else None,
       "server_cpu_s": (int(fields[11]) + int(fields[12])) / tick,
       "children_cpu_s": (int(fields[13]) + int(fields[14])) / tick,
       "own_cpu_s": time.process_time(),
       "slowest_cases": [[names.get(r, r), round(s, 4)] for s, r in per_case[:5]],
       "cases_run": len(dones), "score": result.score, "report_chars": len(text)}
print(json.dumps(out))
"""

PHASES = ("start", "import_cli", "import_torch", "plan", "wait_server", "sandbox", "cases", "run", "judge",
          "annotate", "render", "server_cpu_s", "children_cpu_s", "own_cpu_s")


def one(path: str, hidden: bool, fmt: str) -> tuple[float, dict]:
    start = time.time()
    done = subprocess.run([sys.executable, "-c", INNER, repr(start), path, "1" if hidden else "0", fmt],
                          cwd=ROOT, capture_output=True, text=True, check=True)
    return time.time() - start, json.loads(done.stdout.strip().splitlines()[-1])


def timed_torch() -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import torch"], check=True)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--hidden", action="store_true")
    parser.add_argument("--format", default="json")
    parser.add_argument("--path", default="solutions/transformer")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    one(args.path, args.hidden, args.format)  # warm the file cache
    walls, torches, runs = [], [], []
    for _ in range(args.runs):  # interleaved with the bare import, so noise hits both alike
        wall, phases = one(args.path, args.hidden, args.format)
        walls.append(wall)
        runs.append(phases)
        torches.append(timed_torch())
    median = {k: round(statistics.median(r[k] for r in runs if r.get(k) is not None), 3)
              for k in PHASES if any(r.get(k) is not None for r in runs)}
    emit({"benchmark": "phases of one grade check", "path": args.path, "hidden": args.hidden,
          "format": args.format, "runs": args.runs,
          "median_wall_s": round(statistics.median(walls), 3),
          "median_import_torch_s": round(statistics.median(torches), 3),
          "ratio": round(statistics.median(walls) / statistics.median(torches), 3),
          "median_phase_s": median, "slowest_cases_last_run": runs[-1]["slowest_cases"],
          "cases_run": runs[-1]["cases_run"], "wall_s": [round(w, 3) for w in walls],
          "python": platform.python_version(), "machine": platform.machine()}, args.out)


if __name__ == "__main__":
    main()
