"""--shard auto from schedulers' task arrays, and the files of grade export slurm|k8s|github: the exported Slurm
and Kubernetes task bodies are run here, task by task, with the variables the scheduler would set (no scheduler
runs on the test machine: that is the one thing simulated), and their merged gradebook is the local batch's."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st
from test_batch import make_class
from test_cluster import assert_same_output

from grader import api, batch, cli, schedulers
from grader.messages import render

BIN = str(Path(sys.executable).parent)  # where `grade` is installed, as on a node's PATH
SLURM_CLEAR = {v: None for v in schedulers.SLURM}


def auto(**env: str) -> str:
    return schedulers.shard_from_environment(env)[0]


def refused(**env: str) -> str:
    with pytest.raises(api.UsageError) as info:
        schedulers.shard_from_environment(env)
    return info.value.message.key


def slurm(task: int, low: int, count: int, step: int = 1) -> dict[str, str]:
    """What Slurm sets in a task of `--array=low-high:step`."""
    return {"SLURM_ARRAY_TASK_ID": str(task), "SLURM_ARRAY_TASK_MIN": str(low), "SLURM_ARRAY_TASK_COUNT": str(count),
            "SLURM_ARRAY_TASK_MAX": str(low + step * (count - 1)), "SLURM_ARRAY_TASK_STEP": str(step),
            "SLURM_ARRAY_JOB_ID": "4242", "SLURM_JOB_ID": str(4243 + task)}


def test_slurm_arrays_from_any_first_index():
    assert [auto(**slurm(t, 0, 4)) for t in range(4)] == ["1/4", "2/4", "3/4", "4/4"]  # --array=0-3
    assert [auto(**slurm(t, 1, 3)) for t in (1, 2, 3)] == ["1/3", "2/3", "3/3"]  # --array=1-3
    assert [auto(**slurm(t, 5, 3, step=2)) for t in (5, 7, 9)] == ["1/3", "2/3", "3/3"]  # --array=5-9:2
    only = slurm(7, 7, 1)
    assert auto(**only) == "1/1"
    del only["SLURM_ARRAY_TASK_MAX"], only["SLURM_ARRAY_TASK_STEP"]  # older Slurm: MIN and COUNT are enough
    assert auto(**only) == "1/1"


@given(low=st.integers(0, 5000), count=st.integers(1, 300), step=st.integers(1, 7))
def test_every_task_of_a_slurm_array_gets_its_own_shard(low, count, step):
    shards = [auto(**slurm(low + step * i, low, count, step)) for i in range(count)]
    assert shards == [f"{k}/{count}" for k in range(1, count + 1)]


def test_slurm_arrays_that_cannot_be_sliced_are_refused():
    gaps = {**slurm(4, 1, 3), "SLURM_ARRAY_TASK_MAX": "10"}  # --array=1,4,10: three tasks, not one range
    assert refused(**gaps) == "shard.auto_slurm_gaps"
    assert refused(**slurm(6, 5, 3, step=2)) == "shard.auto_slurm_gaps"  # not on the step
    assert refused(SLURM_ARRAY_TASK_ID="3", SLURM_JOB_ID="9") == "shard.auto_slurm_missing"  # not an array job
    assert refused(**{**slurm(1, 1, 3), "SLURM_ARRAY_TASK_COUNT": "three"}) == "shard.auto_bad"


def test_kubernetes_indexed_jobs_need_the_count():
    assert [auto(JOB_COMPLETION_INDEX=str(i), NLP_GRADER_SHARDS="3") for i in range(3)] == ["1/3", "2/3", "3/3"]
    assert refused(JOB_COMPLETION_INDEX="0") == "shard.auto_k8s_missing"
    assert refused(JOB_COMPLETION_INDEX="3", NLP_GRADER_SHARDS="3") == "shard.auto_k8s_range"
    assert refused(JOB_COMPLETION_INDEX="-1", NLP_GRADER_SHARDS="3") == "shard.auto_bad"


def test_no_scheduler_or_two_are_usage_errors_that_say_what_is_read():
    assert refused() == "shard.auto_none"
    assert refused(GITHUB_ACTIONS="true", SLURM_JOB_ID="12") == "shard.auto_none"  # a plain job is no array
    assert refused(**slurm(1, 1, 2), JOB_COMPLETION_INDEX="0", NLP_GRADER_SHARDS="2") == "shard.auto_both"


def test_cli_shard_auto_without_a_scheduler_says_so_in_both_languages(tmp_path, monkeypatch):
    for name in (*schedulers.SLURM, schedulers.K8S_INDEX):
        monkeypatch.delenv(name, raising=False)
    args = ["batch", str(tmp_path), "--assignment", "transformer", "--output", str(tmp_path / "o"), "--shard", "auto"]
    result = CliRunner().invoke(cli.main, args)
    said = " ".join(result.output.split())
    assert result.exit_code == 2 and "SLURM_ARRAY_TASK_ID" in said and "JOB_COMPLETION_INDEX" in said, said
    assert "--shard K/N" in said and not (tmp_path / "o").exists()
    result = CliRunner().invoke(cli.main, [*args, "--lang", "ko"])
    assert result.exit_code == 2 and "스케줄러의 작업 번호를 찾지 못했습니다" in " ".join(result.output.split())


# --- exported files -------------------------------------------------------------------------------

def export(system: str, out: Path, *extra: str) -> CliRunner:
    result = CliRunner().invoke(cli.main, ["export", system, "--assignment", "transformer", *extra, "--output", str(out)])
    assert result.exit_code == 0, result.output
    return result


def test_exported_files_are_valid_and_marked_where_to_fill_in(tmp_path):
    export("slurm", tmp_path / "slurm", "--submissions", "/shared/class", "--tasks", "4")
    for name in ("grade-array.sbatch", "merge.sbatch", "submit.sh"):
        path = tmp_path / "slurm" / name
        assert os.access(path, os.X_OK) and subprocess.run(["bash", "-n", str(path)]).returncode == 0, name
    array = (tmp_path / "slurm" / "grade-array.sbatch").read_text()
    directives = re.findall(r"^#SBATCH (\S+)", array, flags=re.M)
    assert "--array=1-4" in directives and array.count("FILL IN") >= 4
    head = array.split("\nset -euo pipefail", 1)[0]  # sbatch reads directives only above the first command
    assert all(f"#SBATCH {d}" in head for d in directives)
    assert "--dependency=afterok:" in (tmp_path / "slurm" / "submit.sh").read_text()

    export("k8s", tmp_path / "k8s", "--submissions", "/data/class", "--tasks", "5")
    job = yaml.safe_load((tmp_path / "k8s" / "job.yaml").read_text())
    assert job["spec"]["completionMode"] == "Indexed" and job["spec"]["completions"] == 5
    env = {e["name"]: e["value"] for e in job["spec"]["template"]["spec"]["containers"][0]["env"]}
    assert env["NLP_GRADER_SHARDS"] == "5" and env["NLP_GRADER_SUBMISSIONS"] == "/data/class"
    assert "--shard auto" in job["spec"]["template"]["spec"]["containers"][0]["command"][2]
    merge = yaml.safe_load((tmp_path / "k8s" / "merge.yaml").read_text())
    assert "grade merge" in merge["spec"]["template"]["spec"]["containers"][0]["command"][2]
    for body in (job, merge):  # Kubernetes would read "$(...)" in a command as one of its variables
        assert "$(" not in body["spec"]["template"]["spec"]["containers"][0]["command"][2]
    assert "kubectl wait --for=condition=complete" in (tmp_path / "k8s" / "run.sh").read_text()

    export("github", tmp_path / "gh", "--submissions", "submissions", "--tasks", "3")
    workflow = yaml.safe_load((tmp_path / "gh" / "grade.yml").read_text())
    grade, merge_job = workflow["jobs"]["grade"], workflow["jobs"]["merge"]
    assert grade["strategy"]["matrix"]["shard"] == [1, 2, 3] and merge_job["needs"] == "grade"
    runs = " ".join(step.get("run", "") for step in grade["steps"])
    assert "--shard ${{ matrix.shard }}/3" in runs  # given explicitly: Actions has no task-index variable
    assert "grade merge" in " ".join(step.get("run", "") for step in merge_job["steps"])
    assert (tmp_path / "gh" / "grade.yml").read_text().count("FILL IN") >= 3


def test_export_in_korean_and_bad_requests(tmp_path):
    result = CliRunner().invoke(cli.main, ["export", "slurm", "--assignment", "transformer", "--submissions", "s",
                                           "--output", str(tmp_path / "ko"), "--tasks", "2", "--lang", "ko"])
    assert result.exit_code == 0 and "FILL IN 표시가 붙은 줄" in " ".join(result.output.split())
    text = (tmp_path / "ko" / "grade-array.sbatch").read_text()
    assert "# FILL IN: 작업 하나에 줄 자원" in text and "--lang ko" in text
    assert subprocess.run(["bash", "-n", str(tmp_path / "ko" / "grade-array.sbatch")]).returncode == 0
    result = CliRunner().invoke(cli.main, ["export", "k8s", "--assignment", "nope", "--submissions", "s",
                                           "--output", str(tmp_path / "x"), "--tasks", "2"])
    assert result.exit_code == 2 and "nope" in result.output and not (tmp_path / "x").exists()
    result = CliRunner().invoke(cli.main, ["export", "slurm", "--assignment", "transformer", "--submissions", "s",
                                           "--output", str(tmp_path / "y"), "--tasks", "5000"])
    assert result.exit_code == 2 and "1 to 1000" in result.output


def test_a_path_with_shell_characters_stays_one_word(tmp_path):
    odd = tmp_path / "it's $HOME `x`"
    export("slurm", tmp_path / "s", "--submissions", str(odd), "--tasks", "1")
    script = (tmp_path / "s" / "merge.sbatch").read_text().split("set -eu\n")[0]
    shown = subprocess.run(["bash", "-c", script + 'printf %s "$NLP_GRADER_SUBMISSIONS"'], capture_output=True,
                           text=True, env={"PATH": os.environ["PATH"]})
    assert shown.stdout == str(odd)


# --- the task bodies, run locally with the scheduler's variables ------------------------------------

@pytest.fixture(scope="module")
def small(tmp_path_factory):
    root = tmp_path_factory.mktemp("arrays")
    klass = make_class(root / "class")
    shutil.rmtree(klass / "frank")  # the endless loop only slows this down
    local = root / "local"
    batch.run(klass, assignment="transformer", output=local, workers=2)
    return klass, local


def run_body(command: list[str], env: dict[str, str | None], cwd: Path) -> subprocess.CompletedProcess[str]:
    full = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"}
    for name in (*schedulers.SLURM, schedulers.K8S_INDEX, schedulers.SHARDS_VARIABLE):
        full.pop(name, None)
    full.update({k: v for k, v in env.items() if v is not None})
    done = subprocess.run(command, env=full, cwd=cwd, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-3000:]
    return done


def test_slurm_array_tasks_then_the_merge_job_give_the_local_gradebook(small, tmp_path):
    klass, local = small
    export("slurm", tmp_path / "files", "--submissions", str(klass), "--tasks", "3")
    seen = []
    for task in (1, 2, 3):  # --array=1-3, as the exported script asks
        done = run_body(["bash", "grade-array.sbatch"], {**slurm(task, 1, 3), "SLURM_CPUS_PER_TASK": "2"},
                        tmp_path / "files")
        seen.append(" ".join(done.stderr.split()))
    assert [f"shard {k}/3 (Slurm: SLURM_ARRAY_TASK_ID={k})" in s for k, s in enumerate(seen, 1)] == [True] * 3
    shards = tmp_path / "files" / "results" / "shards"
    assert sorted(p.name for p in shards.iterdir()) == ["1", "2", "3"]
    assert all(list(p.glob("*.json")) for p in shards.iterdir())  # every task graded someone
    run_body(["bash", "merge.sbatch"], {}, tmp_path / "files")
    assert_same_output(local, tmp_path / "files" / "results" / "final", from_ray=False)


def test_kubernetes_indexed_job_pods_then_the_merge_job_give_the_local_gradebook(small, tmp_path):
    klass, local = small
    export("k8s", tmp_path / "files", "--submissions", "/data/submissions", "--tasks", "2")
    mounted = {"NLP_GRADER_SUBMISSIONS": str(klass), "NLP_GRADER_RESULTS": str(tmp_path / "data" / "results")}

    def pod(manifest: str) -> tuple[list[str], dict[str, str]]:
        container = yaml.safe_load((tmp_path / "files" / manifest).read_text())["spec"]["template"]["spec"]["containers"][0]
        env = {e["name"]: e["value"] for e in container["env"]}
        assert env["NLP_GRADER_SUBMISSIONS"] == "/data/submissions"  # what the pod would see on its volume
        return container["command"], {**env, **mounted}  # the volume's folders, here

    command, env = pod("job.yaml")
    assert command[:2] == ["sh", "-c"]
    for index in range(2):  # what the Job controller sets in each pod of an Indexed Job
        run_body(command, {**env, "JOB_COMPLETION_INDEX": str(index)}, tmp_path)
    assert sorted(p.name for p in (tmp_path / "data" / "results" / "shards").iterdir()) == ["0", "1"]
    command, env = pod("merge.yaml")
    run_body(command, env, tmp_path)
    assert_same_output(local, tmp_path / "data" / "results" / "final", from_ray=False)


def test_the_merge_step_refuses_when_a_task_left_nothing(small, tmp_path):
    klass, _ = small
    export("slurm", tmp_path / "files", "--submissions", str(klass), "--tasks", "3")
    (tmp_path / "files" / "results" / "shards" / "1").mkdir(parents=True)
    full = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"}
    done = subprocess.run(["bash", "merge.sbatch"], cwd=tmp_path / "files", env=full, capture_output=True, text=True)
    assert done.returncode == 1 and "expected 3 folders" in done.stderr
    assert not (tmp_path / "files" / "results" / "final").exists()
    assert render("export.sched.count_wrong", "en", tasks=3) in done.stderr
