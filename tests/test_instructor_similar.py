"""The similarity report's calibration: no pair of independent correct solutions is listed, every disguised copy is.

No grading here: the report reads code only. The correct-but-different corpus (tests/corpus/correct, each built
on the reference solution) stands for independent correct work that shares the stub's structure; a copy is a
submission with every local name renamed, the functions and methods in another order, comments and formatting
gone (``ast.unparse``).
"""

from __future__ import annotations

import ast
import itertools

import pytest
from conftest import ROOT
from corpus import build, variants

from grader import similar, specs

SPEC = specs.get("transformer")


class _Rename(ast.NodeTransformer):
    def __init__(self, mapping: dict[str, str]) -> None:
        self.mapping = mapping

    def visit_Name(self, node: ast.Name) -> ast.Name:
        node.id = self.mapping.get(node.id, node.id)
        return node

    def visit_arg(self, node: ast.arg) -> ast.arg:
        node.arg = self.mapping.get(node.arg, node.arg)
        return node


def disguise(source: str) -> str:
    """``source`` with every local variable and argument renamed (but keyword parameters callers name, and
    ``self``) and the top-level definitions and the methods of each class in reverse order."""
    tree = ast.parse(source)
    top = {n.name for n in tree.body if isinstance(n, (ast.FunctionDef, ast.ClassDef))}
    for n in tree.body:
        if isinstance(n, (ast.Import, ast.ImportFrom)):
            top |= {(a.asname or a.name).split(".")[0] for a in n.names}
        elif isinstance(n, ast.Assign):
            top |= {t.id for t in n.targets if isinstance(t, ast.Name)}
    local = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.arg):
            local.add(node.arg)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store) and node.id not in top:
            local.add(node.id)
    keywords = {k.arg for node in ast.walk(tree) if isinstance(node, ast.Call) for k in node.keywords}
    mapping = {name: f"v{i}_{name[::-1]}" for i, name in enumerate(sorted(local - keywords - {"self"}))}
    tree = _Rename(mapping).visit(tree)
    defs = [n for n in tree.body if isinstance(n, (ast.FunctionDef, ast.ClassDef))]
    tree.body = [n for n in tree.body if n not in defs] + defs[::-1]
    for n in defs:
        if isinstance(n, ast.ClassDef):
            n.body = n.body[::-1]
    return ast.unparse(tree)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    root = tmp_path_factory.mktemp("corpus")
    return {v.name: similar.read_folder(build(v, root / v.name), SPEC.files) for v in variants("correct")}


def test_disguise_really_changes_the_text(corpus):
    original = corpus["mha_loop_over_heads"]["multihead.py"]
    copy = disguise(original)
    assert copy != original and "v0_" in copy
    assert original.index("def split_heads") < original.index("class MultiHeadAttention")
    assert copy.index("def split_heads") > copy.index("class MultiHeadAttention")  # reordered


def test_no_pair_of_independent_correct_solutions_is_listed(corpus):
    assert len(corpus) >= 15
    assert similar.compare(corpus, SPEC) == []

def test_no_pair_comes_near_the_threshold(corpus, monkeypatch):
    monkeypatch.setattr(similar, "MIN_SHARED", 0)
    pairs = similar.compare(corpus, SPEC, threshold=0.0)
    assert len(pairs) == len(corpus) * (len(corpus) - 1) // 2
    assert max(p.score for p in pairs) < similar.THRESHOLD / 4


def test_every_disguised_copy_is_listed_and_nothing_else(corpus):
    klass = dict(corpus)
    for name, files in corpus.items():
        klass[f"{name}~copy"] = {f: disguise(src) for f, src in files.items()}
    pairs = similar.compare(klass, SPEC)
    assert {(p.a, p.b) for p in pairs} == {(name, f"{name}~copy") for name in corpus}
    for p in pairs:
        variant = next(v for v in variants("correct") if v.name == p.a)
        assert variant.exercise in p.exercises, p  # the shared code is named where it lies
        assert p.score >= similar.THRESHOLD


def test_shared_stubs_and_shared_reference_code_are_not_evidence(corpus):
    from conftest import SOLUTIONS, STUBS

    stubs = similar.read_folder(STUBS, SPEC.files)
    reference = similar.read_folder(SOLUTIONS, SPEC.files)
    klass = {"a": stubs, "b": dict(stubs), "c": reference, "d": dict(reference)}
    assert similar.compare(klass, SPEC, threshold=0.0) == []


def test_code_that_cannot_be_parsed_is_compared_as_nothing(corpus):
    klass = {"a": {"attention.py": "def masked_softmax(:\n"}, "b": {"attention.py": "(" * 10000},
             "c": corpus["sdpa_einsum"]}
    assert similar.compare(klass, SPEC, threshold=0.0) == []


@pytest.mark.parametrize("a,b", list(itertools.combinations(["sdpa_einsum", "sdpa_float32_scale",
                                                             "sdpa_float64_inside"], 2)))
def test_three_ways_to_write_one_exercise_are_told_apart(corpus, a, b, monkeypatch):
    """The closest calls of the corpus: three attentions, each built on the same reference."""
    monkeypatch.setattr(similar, "MIN_SHARED", 0)
    (pair,) = similar.compare({a: corpus[a], b: corpus[b]}, SPEC, threshold=0.0)
    assert pair.score < 0.1, pair


SCAFFOLD = """import torch


def layer_norm(x, eps=1e-5):
    if x.dim() < 1:
        raise ValueError(f"x needs a last dimension, got shape {tuple(x.shape)}")
    if not torch.is_floating_point(x):
        raise TypeError(f"x must hold floating-point numbers, not {x.dtype}")
    if eps <= 0:
        raise ValueError(f"eps must be positive, got {eps}")
    if x.numel() == 0:
        return x.clone()
    width = x.shape[-1]
    rows = x.reshape(-1, width)
    # TODO: normalise each row of `rows` into `out`
    raise NotImplementedError("Task 1: layer_norm")
    return out.reshape(x.shape)
"""


def test_a_plug_ins_starter_code_is_no_evidence_wherever_it_is_installed(monkeypatch, tmp_path):
    """A third-party assignment keeps its stubs in its own package (spec.stubs), not in this repository's
    assignments/: two students who filled the same scaffold each their own way are not listed, whatever the
    scaffold's size; the same filling is."""
    import dataclasses

    monkeypatch.syspath_prepend(str(ROOT / "examples" / "plugin-assignment"))
    from nlp_grader_layernorm.spec import ASSIGNMENT

    stubs = tmp_path / "site-packages" / "some_plugin" / "stubs"
    stubs.mkdir(parents=True)
    (stubs / "norm.py").write_text(SCAFFOLD)
    spec = dataclasses.replace(ASSIGNMENT, stubs=stubs)
    todo = '    # TODO: normalise each row of `rows` into `out`\n    raise NotImplementedError("Task 1: layer_norm")\n'
    mine = SCAFFOLD.replace(todo, "    centred = rows - rows.mean(1, keepdim=True)\n"
                                  "    out = centred * torch.rsqrt(centred.pow(2).mean(1, keepdim=True) + eps)\n")
    theirs = SCAFFOLD.replace(todo, "    out = torch.nn.functional.layer_norm(rows, (width,), eps=eps)\n")
    assert mine != SCAFFOLD and theirs != SCAFFOLD
    assert similar.compare({"a": {"norm.py": mine}, "b": {"norm.py": theirs}}, spec) == []
    assert [(p.a, p.b) for p in similar.compare({"a": {"norm.py": mine}, "b": {"norm.py": mine}}, spec)] == [("a", "b")]


@pytest.mark.parametrize("threshold", [0.3, 0.5, 0.75])
def test_the_candidate_filter_lists_what_scoring_every_pair_lists(threshold):
    """similar._candidates (one sparse product for every pair's shared count, issue 23) keeps every pair that an
    exact score of all pairs lists, on a class where every pair shares something, some pairs sit exactly on the
    threshold (Jaccard a whole fraction) and some share just under MIN_SHARED."""
    import random

    rng = random.Random(7)
    exercises = [e.id for e in SPEC.exercises][:4]
    pool = list(range(400))  # few fingerprints: idioms everybody shares
    prints: dict[str, dict[str, set[int]]] = {}
    for i in range(60):
        prints[f"s{i:02d}"] = {ex: set(rng.sample(pool, rng.randrange(5, 40))) for ex in exercises}
    for i in range(0, 20, 2):  # pairs built around the threshold: shared / union exactly, above and below
        a, b = f"s{i:02d}", f"s{i + 1:02d}"
        shared = set(range(1000 + 100 * i, 1000 + 100 * i + 24))
        only = 24 * (1 - threshold) / threshold
        extra = int(only) + (i % 6 == 2) - (i % 6 == 4)
        prints[a] = {exercises[0]: shared | set(range(5000 + 100 * i, 5000 + 100 * i + extra // 2))}
        prints[b] = {exercises[0]: shared | set(range(7000 + 100 * i, 7000 + 100 * i + extra - extra // 2))}
    prints["t0"] = {exercises[1]: set(range(9000, 9000 + similar.MIN_SHARED - 1))}
    prints["t1"] = {exercises[1]: set(range(9000, 9000 + similar.MIN_SHARED - 1))}
    names = sorted(prints)
    exact = set()
    for i, a in enumerate(names):
        for b in names[i + 1:]:
            shared = sum(len(prints[a].get(e, set()) & prints[b].get(e, set())) for e in exercises)
            total = sum(len(prints[a].get(e, set()) | prints[b].get(e, set())) for e in exercises)
            if total and shared / total >= threshold and shared >= similar.MIN_SHARED:
                exact.add((a, b))
    assert any(a.startswith("s0") for a, _ in exact)  # the built pairs are there to be found
    listed = {(p.a, p.b) for p in similar.compare({}, SPEC, threshold=threshold, prints=prints)}
    assert listed == exact
    assert ("t0", "t1") not in similar._candidates(prints, threshold)
