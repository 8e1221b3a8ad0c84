"""The reference's prepared cases kept on disk between runs of `grade` (grader.reference.DiskCache, issue 23):
the same results as computing them, a new file whenever the code they come from changes, nothing damaged is
used, and the sandbox never sees the folder (it holds the hidden cases' outputs)."""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import torch
from corpus import build, variants

from grader import api, specs
from grader.reference import DiskCache, Reference, cache_folder

ROOT = Path(__file__).resolve().parents[1]
SOLUTIONS = ROOT / "solutions" / "transformer"
MUTANT = next(v for v in variants("mutants") if v.name == "pe_swapped")


def _grade(sub: Path, cache: str, *extra: str) -> dict:
    env = {**os.environ, "NLP_GRADER_CACHE": cache}
    done = subprocess.run([sys.executable, "-m", "grader", "check", str(sub), "--format", "json", *extra],
                          capture_output=True, text=True, env=env, cwd=ROOT)
    assert done.returncode in (0, 1), done.stderr[-2000:]
    result = json.loads(done.stdout)
    result.pop("isolation_details")  # the address-space limit follows what the fork server has mapped
    return result


def test_a_check_from_the_cache_reports_what_a_check_without_it_does(tmp_path):
    """Cold (the cache written), warm (read back) and off give the same report, for a mistake too (its diffs,
    names and diagnoses are computed from the kept expected outputs), visible and graded."""
    sub = build(MUTANT, tmp_path / "sub", SOLUTIONS)
    cache = tmp_path / "cache"
    for extra in ((), ("--hidden",)):
        cold = _grade(sub, str(cache), *extra)
        files = sorted(cache.glob("transformer-*.safetensors"))
        assert len(files) == 1
        written = files[0].stat().st_mtime_ns, files[0].read_bytes()
        warm = _grade(sub, str(cache), *extra)
        # read, not computed again: a case computed again would have been added and the file written anew
        assert (files[0].stat().st_mtime_ns, files[0].read_bytes()) == written
        off = _grade(sub, "off", *extra)
        assert cold == warm == off
        assert cold["score"] < 100 and any(e["mistakes"] for e in cold["exercises"])
    assert sorted(cache.glob("transformer-*.safetensors")) == files  # graded cases join the same file


def test_kept_cases_equal_the_computed_ones_and_any_change_to_the_code_is_another_file(tmp_path):
    spec = api.assignment_spec("transformer")
    copy = tmp_path / "solutions"
    shutil.copytree(SOLUTIONS, copy, ignore=shutil.ignore_patterns("__pycache__"))
    spec = dataclasses.replace(spec, solutions=copy)
    exercise = next(e for e in spec.exercises if e.id == "scaled_dot_product_attention")
    first = Reference(spec, cache=tmp_path / "c")
    computed = [first.prepare(exercise, c, graded=graded) for c in exercise.cases for graded in (False, True)]
    first.keep()
    again = Reference(spec, cache=tmp_path / "c")
    assert again.cache is not None and again.cache.path == first.cache.path and again.cache.path.is_file()
    for graded in (False, True):
        for case in exercise.cases:
            kept = again.cache.get((exercise.id, case.id, graded))
            fresh = next(p for p in computed if p.case.id == case.id and p.graded == graded)
            assert kept is not None and kept.args == fresh.args and kept.seconds == fresh.seconds
            assert kept.inputs.keys() == fresh.inputs.keys()
            assert all(torch.equal(kept.inputs[k], fresh.inputs[k]) for k in fresh.inputs)
            for name in ("expected", "truth"):
                a, b = getattr(kept, name), getattr(fresh, name)
                assert a.keys() == b.keys()
                for k in a:
                    assert (a[k].kind, a[k].shape, a[k].dtype) == (b[k].kind, b[k].shape, b[k].dtype)
                    assert a[k].tensor is None or torch.equal(a[k].tensor, b[k].tensor)
    attention = copy / "attention.py"
    attention.write_text(attention.read_text() + "\n# one comment more\n")
    assert DiskCache(tmp_path / "c", spec, "").path != first.cache.path  # the reference's code changed
    assert DiskCache(tmp_path / "c", spec, "salt").path != DiskCache(tmp_path / "c", spec, "").path


def test_a_damaged_or_foreign_cache_file_is_computed_again_and_replaced(tmp_path):
    spec = api.assignment_spec("transformer")
    exercise = next(e for e in spec.exercises if e.id == "causal_mask")
    ref = Reference(spec, cache=tmp_path)
    assert ref.cache is not None
    ref.cache.path.parent.mkdir(parents=True, exist_ok=True)
    ref.cache.path.write_bytes(b"\x10\x00\x00\x00\x00\x00\x00\x00{not json at all}")
    prepared = ref.prepare(exercise, exercise.cases[0])
    assert prepared.expected  # computed, not taken from the damaged file
    ref.keep()
    again = Reference(spec, cache=tmp_path)
    assert again.cache is not None and again.cache.get((exercise.id, exercise.cases[0].id, False)) is not None
    assert not list(tmp_path.glob(".writing-*"))  # nothing half-written left behind


def test_a_bundle_and_a_library_caller_keep_nothing_on_disk(tmp_path, monkeypatch):
    """Only `grade` passes a cache folder: api.check from a notebook (whose spec may be changed in memory) and a
    student bundle (its stored fixtures are the cache) keep nothing."""
    monkeypatch.setenv("NLP_GRADER_CACHE", str(tmp_path / "c"))
    assert cache_folder() == tmp_path / "c"
    api.check(SOLUTIONS, exercises=["causal_mask"])
    assert not (tmp_path / "c").exists()
    monkeypatch.setenv("NLP_GRADER_CACHE", "off")
    assert cache_folder() is None


def test_the_sandbox_cannot_see_the_cache_folder(tmp_path):
    cache = tmp_path / "cache"
    _grade(SOLUTIONS, str(cache), "--exercise", "causal_mask")
    kept = next(cache.glob("transformer-*.safetensors"))
    sub = tmp_path / "sub"
    shutil.copytree(SOLUTIONS, sub, ignore=shutil.ignore_patterns("__pycache__"))
    peek = (f"\n\ndef causal_mask(seq_len, device=None):\n    import os\n"
            f"    raise RuntimeError('seen=' + str(os.path.exists({str(kept)!r}) or os.path.exists({str(cache)!r})))\n")
    (sub / "attention.py").write_text((sub / "attention.py").read_text() + peek)
    result = _grade(sub, str(cache), "--exercise", "causal_mask")
    text = json.dumps(result)
    if result["isolation"] != "namespaces":
        pytest.skip("the folder is hidden where namespaces are available")
    assert "seen=False" in text and "seen=True" not in text


def test_the_default_folder_follows_xdg(monkeypatch, tmp_path):
    monkeypatch.delenv("NLP_GRADER_CACHE", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert cache_folder() == tmp_path / "nlp-grader"
    assert specs.get("transformer").fixtures is None


def test_a_batch_reads_and_fills_the_same_cache(tmp_path):
    """`grade batch` prepares its cases through the cache too: the first batch writes it, the next reads it."""
    subs = tmp_path / "subs"
    shutil.copytree(SOLUTIONS, subs / "alice", ignore=shutil.ignore_patterns("__pycache__"))
    cache = tmp_path / "cache"
    env = {**os.environ, "NLP_GRADER_CACHE": str(cache)}

    def batch(out: str) -> None:
        done = subprocess.run([sys.executable, "-m", "grader", "batch", str(subs), "--assignment", "transformer",
                               "--output", str(tmp_path / out), "--exercise", "causal_mask"],
                              capture_output=True, text=True, env=env, cwd=ROOT)
        assert done.returncode == 0, done.stderr[-2000:]

    batch("first")
    kept = list(cache.glob("transformer-*.safetensors"))
    assert len(kept) == 1
    written = kept[0].stat().st_mtime_ns
    batch("second")
    assert kept[0].stat().st_mtime_ns == written
    assert json.loads((tmp_path / "second" / "alice.json").read_text())["batch"]["status"] == "graded"
