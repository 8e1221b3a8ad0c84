"""A diagnosis is said only when it is true (issue 24): a counterfactual change is reported only when it explains
the student's output on every probed case it was drawn from and no other change explains as much; messages never
explain what they do not show; a check's message says what it observed without guessing a cause."""

from __future__ import annotations

import torch
from corpus import CORPUS, build, load

from grader import api, diagnose
from grader.messages import render


def _own(name, reference, tmp_path, hidden=True):
    variant = load(CORPUS / "mutants" / f"{name}.py")
    result = api.check(build(variant, tmp_path / "sub"), assignment="transformer", hidden=hidden,
                       reference=reference, exercises=[variant.exercise])
    return result.exercises[0]


def test_a_decoder_without_tgt_mask_is_not_said_to_use_memory_mask(reference, tmp_path):
    own = _own("decoder_unmasked_self_attention", reference, tmp_path)
    masks = [d.params for d in own.diagnoses if d.id == "decoder_masks"]
    assert masks == [{"self": "None", "cross": "memory_mask"}]
    assert "memory_mask" not in render(next(d for d in own.diagnoses if d.id == "decoder_masks").message, "en") \
        .split("cross-attention")[0]


def test_a_decoder_without_memory_mask_is_said_so(reference, tmp_path):
    own = _own("decoder_cross_not_masked", reference, tmp_path)
    assert [d.params for d in own.diagnoses if d.id == "decoder_masks"] == [{"self": "tgt_mask", "cross": "None"}]


def test_dropout_before_w_o_is_named_and_no_cause_is_guessed(reference, tmp_path):
    own = _own("mha_dropout_on_heads", reference, tmp_path, hidden=False)
    assert [d.id for d in own.diagnoses] == ["dropout_before_projection"]
    said = [render(c.message, lang) for case in own.cases for c in case.checks if not c.passed and c.message
            for lang in ("en", "ko")]
    assert said and not any(w in s for s in said for w in ("noise", "scaling?", "잡음", "배율을 빠뜨"))


def test_the_pe_message_explains_only_what_it_shows(reference, tmp_path):
    seen = set()
    for name in ("pe_swapped", "pe_dimension_index", "real_pe_2j_every_column", "pe_halves", "real_pe_rows_alternate",
                 "real_pe_exponent_base_swapped"):
        for d in _own(name, reference, tmp_path / name).diagnoses:
            if d.id != "pe_columns":
                continue
            for lang, j, q in (("en", "j is the column index", "? marks"), ("ko", "j는 열 번호", "?는")):
                text = render(d.message, lang)
                assert (j in text) == ("j/d" in d.params["even"] + d.params["odd"]), text
                assert (q in text) == ("?" in (d.params["even"], d.params["odd"])), text
            seen.add(d.params["variant"])
    assert seen  # the probe spoke on some of them


def test_a_change_is_said_only_where_it_explains_every_case_and_nothing_else_does(assignment):
    """Two cases: change a explains both, b only the first, c ties with a on the first only; a tie on every case
    leaves the cause open."""
    from grader.sandbox.transfer import roundtrip

    ex = assignment.exercise("MultiHeadAttention")
    got = {"c1": torch.ones(3), "c2": torch.full((3,), 2.0)}
    views = [(cid, diagnose.View(ex, next(iter(ex.cases)), {}, {}, roundtrip({"out": t}),
                                 roundtrip({"out": t}), roundtrip({"out": t}))) for cid, t in got.items()]

    def listing(outputs):
        def candidates(view):
            return [(diagnose.Finding("x", {"variant": name}), (lambda v=v: v(view))) for name, v in outputs.items()]
        return diagnose.Counterfactual(candidates)

    def case_of(view):
        return 1.0 if float(view.tensor("out")[0]) == 1.0 else 2.0

    fits = listing({"a": lambda v: torch.full((3,), case_of(v)), "b": lambda v: torch.ones(3),
                    "c": lambda v: torch.ones(3) if case_of(v) == 1.0 else torch.zeros(3)})
    found = diagnose.diagnose(ex, (fits,), views)
    assert [(d.params["variant"], d.cases) for d in found] == [("a", ("c1", "c2"))]
    tie = listing({"a": lambda v: torch.full((3,), case_of(v)), "a2": lambda v: torch.full((3,), case_of(v))})
    assert diagnose.diagnose(ex, (tie,), views) == ()
    broken = listing({"a": lambda v: torch.full((3,), case_of(v)), "d": lambda v: torch.ones(3) @ torch.ones(2)})
    assert [d.params["variant"] for d in diagnose.diagnose(ex, (broken,), views)] == ["a"]


def test_a_refusal_that_never_comes_says_so_with_the_arguments(reference, tmp_path):
    """A module that accepts indivisible sizes is built, so loading the case's (empty) weights fails: that is
    still "nothing was raised", shown with the arguments, never a list of unexpected parameters."""
    own = _own("mha_accepts_indivisible", reference, tmp_path, hidden=False)
    case = next(c for c in own.cases if c.id == "indivisible")
    assert [c.name for c in case.checks] == ["raises"]
    en, ko = (render(case.checks[0].message, lang) for lang in ("en", "ko"))
    assert en == "expected ValueError (d_model=10, num_heads=3, dropout=0.0), but nothing was raised"
    assert "d_model=10, num_heads=3" in ko and "w_k" not in en + ko
