"""Schedulers' task arrays: ``--shard auto`` and the files ``grade export slurm|k8s|github`` writes.

``grade batch --shard K/N`` grades one deterministic slice of a class and ``grade merge`` joins the slices; a
scheduler starts the N tasks. ``--shard auto`` takes K and N from the task's environment:

- Slurm job arrays: ``SLURM_ARRAY_TASK_ID`` among ``SLURM_ARRAY_TASK_MIN`` .. ``SLURM_ARRAY_TASK_MAX`` by
  ``SLURM_ARRAY_TASK_STEP``, ``SLURM_ARRAY_TASK_COUNT`` tasks (an array written as one range, ``--array=A-B[:S]``,
  whatever A is; a list of indices with gaps is refused, since K could not be told);
- Kubernetes Indexed Jobs: ``JOB_COMPLETION_INDEX`` (0-based), with N in ``NLP_GRADER_SHARDS``, which the
  exported manifest sets to the Job's ``completions`` (Kubernetes itself does not tell a pod the count);
- GitHub Actions matrices have no such variable: the exported workflow gives ``--shard K/N`` explicitly.

The exported files run ``grade batch ... --shard auto`` (GitHub: ``--shard K/N``) into ``RESULTS/shards/<task>``,
then a merge step that checks every task left its folder and runs ``grade merge`` into ``RESULTS/final``. Lines
the instructor must adapt are marked ``FILL IN``, in the export's language.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import stat
from collections.abc import Mapping
from pathlib import Path

from grader import api
from grader.messages import render
from grader.results import Message

SHARDS_VARIABLE = "NLP_GRADER_SHARDS"
"""N for a Kubernetes Indexed Job (its ``completions``)."""
SLURM = ("SLURM_ARRAY_TASK_ID", "SLURM_ARRAY_TASK_MIN", "SLURM_ARRAY_TASK_MAX", "SLURM_ARRAY_TASK_STEP",
         "SLURM_ARRAY_TASK_COUNT")
K8S_INDEX = "JOB_COMPLETION_INDEX"
SYSTEMS = ("slurm", "k8s", "github")
MAX_TASKS = 1000
"""Slurm's default MaxArraySize is 1001 (indices 0 to 1000)."""
FILL = "FILL IN"


def _integer(env: Mapping[str, str], name: str, scheduler: str) -> int:
    value = env.get(name, "")
    if not re.fullmatch(r"\d{1,9}", value.strip()):
        raise api.UsageError(Message("shard.auto_bad", {"variable": name, "value": value[:40], "scheduler": scheduler}))
    return int(value)


def shard_from_environment(env: Mapping[str, str] | None = None) -> tuple[str, str]:
    """``("K/N", where it came from)`` for ``--shard auto``; a usage error that says what is missing otherwise."""
    env = os.environ if env is None else env
    slurm, k8s = "SLURM_ARRAY_TASK_ID" in env, K8S_INDEX in env
    if slurm and k8s:
        raise api.UsageError(Message("shard.auto_both", {}))
    if slurm:
        missing = [v for v in ("SLURM_ARRAY_TASK_MIN", "SLURM_ARRAY_TASK_COUNT") if v not in env]
        if missing:
            raise api.UsageError(Message("shard.auto_slurm_missing", {"missing": ", ".join(missing)}))
        task, low, count = (_integer(env, v, "Slurm") for v in ("SLURM_ARRAY_TASK_ID", "SLURM_ARRAY_TASK_MIN",
                                                                  "SLURM_ARRAY_TASK_COUNT"))
        step = _integer(env, "SLURM_ARRAY_TASK_STEP", "Slurm") if "SLURM_ARRAY_TASK_STEP" in env else 1
        high = _integer(env, "SLURM_ARRAY_TASK_MAX", "Slurm") if "SLURM_ARRAY_TASK_MAX" in env else low + step * (count - 1)
        if (step < 1 or count < 1 or high != low + step * (count - 1) or not low <= task <= high
                or (task - low) % step):
            raise api.UsageError(Message("shard.auto_slurm_gaps", {"task": task, "min": low, "max": high, "step": step,
                                                                   "count": count}))
        return f"{(task - low) // step + 1}/{count}", f"Slurm: SLURM_ARRAY_TASK_ID={task}"
    if k8s:
        if SHARDS_VARIABLE not in env:
            raise api.UsageError(Message("shard.auto_k8s_missing", {"variable": SHARDS_VARIABLE}))
        index = _integer(env, K8S_INDEX, "Kubernetes")
        count = _integer(env, SHARDS_VARIABLE, "Kubernetes")
        if not index < count:
            raise api.UsageError(Message("shard.auto_k8s_range", {"index": index, "count": count,
                                                                  "variable": SHARDS_VARIABLE}))
        return f"{index + 1}/{count}", f"Kubernetes: {K8S_INDEX}={index}"
    raise api.UsageError(Message("shard.auto_none", {"variable": SHARDS_VARIABLE}))


# --- exported files -------------------------------------------------------------------------------

def _comment(key: str, lang: str, prefix: str = "# ", **params: object) -> str:
    return "\n".join(prefix + line if line else prefix.rstrip() for line in render(key, lang, **params).splitlines())


def _k8s_name(assignment: str) -> str:
    """A DNS-1123 label from the assignment's name."""
    name = re.sub(r"[^a-z0-9-]+", "-", assignment.lower()).strip("-")[:40].strip("-")
    return f"nlp-grader-{name or 'batch'}"


def _merge_body(assignment: str, tasks: int, lang: str) -> str:
    """The merge step's shell commands: every task's folder is there, then grade merge (POSIX sh)."""
    quoted = shlex.quote(assignment)
    wrong = render("export.sched.count_wrong", lang, tasks=tasks).replace("'", "")
    # no "$(" anywhere: Kubernetes reads $(NAME) in a command as a variable of the container
    return (f'set -eu\n'
            f'set -- "$NLP_GRADER_RESULTS"/shards/*/\n'
            f'if [ ! -d "$1" ] || [ "$#" -ne {tasks} ]; then\n'
            f"  echo '{wrong}' \"$NLP_GRADER_RESULTS/shards\" >&2\n"
            f'  exit 1\n'
            f'fi\n'
            f'grade merge "$@" --assignment {quoted} --output "$NLP_GRADER_RESULTS/final" --lang {lang}\n')


def _task_body(assignment: str, shard: str, task_folder: str, lang: str, workers: str) -> str:
    return (f'grade batch "$NLP_GRADER_SUBMISSIONS" --assignment {shlex.quote(assignment)} '
            f'--output "$NLP_GRADER_RESULTS/shards/{task_folder}" --shard {shard} --workers "{workers}" --lang {lang}\n')


def slurm_files(assignment: str, submissions: str, results: str, tasks: int, lang: str) -> dict[str, str]:
    name = shlex.quote(f"nlp-grader-{assignment}")
    header = _comment("export.sched.header", lang, system="slurm", assignment=assignment, tasks=tasks)
    paths = "\n".join([
        _comment("export.sched.fill_grade", lang, fill=FILL),
        "# source /path/to/nlp-grader-venv/bin/activate",
        _comment("export.sched.fill_submissions", lang, fill=FILL),
        f'[ -n "${{NLP_GRADER_SUBMISSIONS:-}}" ] || NLP_GRADER_SUBMISSIONS={shlex.quote(submissions)}',
        _comment("export.sched.fill_results", lang, fill=FILL),
        f'[ -n "${{NLP_GRADER_RESULTS:-}}" ] || NLP_GRADER_RESULTS={shlex.quote(results)}',
        "export NLP_GRADER_SUBMISSIONS NLP_GRADER_RESULTS",
    ])
    array = f"""#!/bin/bash
{header}
{_comment("export.slurm.submit", lang)}
#SBATCH --job-name={name}
#SBATCH --array=1-{tasks}
{_comment("export.slurm.resources", lang, fill=FILL)}
#SBATCH --cpus-per-task=2
#SBATCH --mem=8G
#SBATCH --time=02:00:00
#SBATCH --output=slurm-%x-%A_%a.out
{_comment("export.slurm.partition", lang, fill=FILL)}
##SBATCH --partition=PARTITION
##SBATCH --account=ACCOUNT
{_comment("export.slurm.gpu", lang)}
##SBATCH --gres=gpu:1
set -euo pipefail
{paths}
{_comment("export.sched.shard_auto", lang, variables="SLURM_ARRAY_TASK_ID, SLURM_ARRAY_TASK_MIN, SLURM_ARRAY_TASK_COUNT")}
{_task_body(assignment, "auto", "$SLURM_ARRAY_TASK_ID", lang, "${SLURM_CPUS_PER_TASK:-1}")}"""
    merge = f"""#!/bin/bash
{header}
{_comment("export.sched.merge", lang, final="$NLP_GRADER_RESULTS/final")}
#SBATCH --job-name={name}-merge
#SBATCH --cpus-per-task=1
#SBATCH --mem=4G
#SBATCH --time=00:30:00
#SBATCH --output=slurm-%x-%j.out
set -euo pipefail
{paths}
{_merge_body(assignment, tasks, lang)}"""
    submit = f"""#!/bin/sh
{header}
{_comment("export.slurm.submit", lang)}
set -eu
cd "$(dirname "$0")"
job=$(sbatch --parsable grade-array.sbatch)
sbatch --dependency=afterok:"${{job%%;*}}" merge.sbatch
"""
    return {"grade-array.sbatch": array, "merge.sbatch": merge, "submit.sh": submit}


def _yaml(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)  # a JSON string is a YAML double-quoted scalar


def _k8s_job(name: str, body: str, env: list[tuple[str, str]], lang: str, *, tasks: int | None) -> str:
    indexed = "" if tasks is None else f"""  completionMode: Indexed
  completions: {tasks}
{_comment("export.k8s.parallelism", lang, "  # ", fill=FILL)}
  parallelism: {tasks}
"""
    variables = "\n".join(f"            - name: {k}\n              value: {_yaml(v)}" for k, v in env)
    cpu, memory = ("2", "8Gi") if tasks is not None else ("1", "4Gi")  # the merge runs no student code
    resources = "\n".join([
        *([_comment("export.k8s.resources", lang, "          # ", fill=FILL)] if tasks is not None else []),
        "          resources:", "            requests:", f'              cpu: "{cpu}"', f"              memory: {memory}",
        "            limits:", f"              memory: {memory}", ""])
    return f"""apiVersion: batch/v1
kind: Job
metadata:
  name: {name}
spec:
{indexed}  backoffLimit: {2 * (tasks or 1)}
  template:
    spec:
      restartPolicy: Never
      containers:
        - name: grade
{_comment("export.k8s.image", lang, "          # ", fill=FILL)}
          image: "REGISTRY/nlp-grader:VERSION"
          command: ["sh", "-c", {_yaml(body)}]
          env:
{variables}
{resources}          volumeMounts:
            - name: data
              mountPath: /data
      volumes:
        - name: data
{_comment("export.k8s.volume", lang, "          # ", fill=FILL)}
          persistentVolumeClaim:
            claimName: nlp-grader-data
"""


def k8s_files(assignment: str, submissions: str, results: str, tasks: int, lang: str) -> dict[str, str]:
    name = _k8s_name(assignment)
    header = _comment("export.sched.header", lang, system="k8s", assignment=assignment, tasks=tasks)
    paths = [("NLP_GRADER_SUBMISSIONS", submissions), ("NLP_GRADER_RESULTS", results)]
    task = _task_body(assignment, "auto", f"${K8S_INDEX}", lang, "$NLP_GRADER_WORKERS")
    job = f"""{header}
{_comment("export.k8s.run", lang)}
{_comment("export.k8s.paths", lang, fill=FILL)}
{_comment("export.sched.shard_auto", lang, variables=f"{K8S_INDEX}, {SHARDS_VARIABLE}")}
{_comment("export.k8s.isolation", lang)}
{_k8s_job(name, task, [(SHARDS_VARIABLE, str(tasks)), ("NLP_GRADER_WORKERS", "2"), *paths], lang, tasks=tasks)}"""
    merge = f"""{header}
{_comment("export.sched.merge", lang, final=results.rstrip("/") + "/final")}
{_k8s_job(f"{name}-merge", _merge_body(assignment, tasks, lang), paths, lang, tasks=None)}"""
    run = f"""#!/bin/sh
{header}
{_comment("export.k8s.run", lang)}
set -eu
cd "$(dirname "$0")"
kubectl apply -f job.yaml
kubectl wait --for=condition=complete --timeout=24h job/{name}
kubectl apply -f merge.yaml
kubectl wait --for=condition=complete --timeout=2h job/{name}-merge
"""
    return {"job.yaml": job, "merge.yaml": merge, "run.sh": run}


def github_files(assignment: str, submissions: str, results: str, tasks: int, lang: str) -> dict[str, str]:
    header = _comment("export.sched.header", lang, system="github", assignment=assignment, tasks=tasks)
    install = f"""      - uses: actions/setup-python@v5
        with:
          python-version: "3.11"
{_comment("export.github.install", lang, "      # ", fill=FILL)}
      - run: |
          pip install torch --index-url https://download.pytorch.org/whl/cpu
          pip install "$GRADER_PACKAGE\""""
    env = f"""env:
{_comment("export.github.package", lang, "  # ", fill=FILL)}
  GRADER_PACKAGE: "git+https://github.com/OWNER/nlp-grader@v0.1.0"
{_comment("export.sched.fill_submissions", lang, "  # ", fill=FILL)}
  NLP_GRADER_SUBMISSIONS: {_yaml(submissions)}
  NLP_GRADER_RESULTS: {_yaml(results)}"""
    shards = ", ".join(str(k) for k in range(1, tasks + 1))
    task = _task_body(assignment, f"${{{{ matrix.shard }}}}/{tasks}", "${{ matrix.shard }}", lang, "2").rstrip("\n")
    workflow = f"""{header}
{_comment("export.github.where", lang)}
{_comment("export.github.private", lang)}
name: nlp-grader {assignment}
on:
  workflow_dispatch:
permissions:
  contents: read
{env}
jobs:
  grade:
    runs-on: ubuntu-latest
    strategy:
      fail-fast: false
      matrix:
{_comment("export.github.matrix", lang, "        # ")}
        shard: [{shards}]
    steps:
      - uses: actions/checkout@v4
{install}
      - run: {_yaml(task)}
      - uses: actions/upload-artifact@v4
        with:
          name: shard-${{{{ matrix.shard }}}}
          path: ${{{{ env.NLP_GRADER_RESULTS }}}}/shards/${{{{ matrix.shard }}}}
          retention-days: 7
  merge:
{_comment("export.sched.merge", lang, "    # ", final=results.rstrip("/") + "/final")}
    needs: grade
    runs-on: ubuntu-latest
    steps:
{install}
      - uses: actions/download-artifact@v4
        with:
          pattern: shard-*
          path: ${{{{ env.NLP_GRADER_RESULTS }}}}/shards
      - run: |
{chr(10).join("          " + line for line in _merge_body(assignment, tasks, lang).splitlines())}
      - uses: actions/upload-artifact@v4
        with:
          name: results
          path: ${{{{ env.NLP_GRADER_RESULTS }}}}/final
          retention-days: 7
"""
    return {"grade.yml": workflow}


def export(system: str, *, assignment: str, submissions: str, output: Path, tasks: int, lang: str,
           results: str | None = None) -> list[Path]:
    """Write the files for ``system`` into ``output`` (created); the paths written. The assignment must exist here."""
    if system not in SYSTEMS:
        raise api.UsageError(Message("export.sched.unknown", {"system": system, "known": ", ".join(SYSTEMS)}))
    if not 1 <= tasks <= MAX_TASKS:
        raise api.UsageError(Message("export.sched.tasks", {"tasks": tasks, "max": MAX_TASKS}))
    spec = api.assignment_spec(assignment)
    if system == "slurm":  # the nodes see the cluster's shared filesystem: absolute paths, as given (links kept)
        submissions = str(Path(submissions).absolute())
        results = str(Path(results).absolute() if results else (output / "results").absolute())
        files = slurm_files(spec.name, submissions, results, tasks, lang)
    elif system == "k8s":  # paths inside the pods: on the volume mounted at /data
        files = k8s_files(spec.name, submissions, results or "/data/results", tasks, lang)
    else:  # paths in the runner's checkout of the repository
        files = github_files(spec.name, submissions, results or "results", tasks, lang)
    output.mkdir(parents=True, exist_ok=True)
    written = []
    for file, text in files.items():
        path = output / file
        path.write_text(text, encoding="utf-8")
        if file.endswith((".sh", ".sbatch")):
            path.chmod(path.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
        written.append(path)
    return written
