from __future__ import annotations

import pytest
import torch
from conftest import TESTS
from hypothesis import given, settings
from hypothesis import strategies as st

from grader import compare
from grader.spec import Tolerance

TOL = Tolerance(atol=1e-4, rtol=1e-4)


def test_equal_tensors_have_no_diff():
    x = torch.randn(3, 4)
    assert compare.diff(x, x.double(), TOL) is None


def test_diff_points_at_the_worst_element():
    expected = torch.zeros(2, 3, 4, dtype=torch.float64)
    got = expected.clone().float()
    got[1, 2, 3] = 0.5
    got[0, 0, 0] = 0.01
    d = compare.diff(got, expected, TOL)
    assert d is not None
    assert d.mismatched == 2 and d.total == 24
    assert d.max_abs_index == (1, 2, 3) and abs(d.max_abs - 0.5) < 1e-12
    assert d.expected_at == 0.0 and d.got_at == 0.5
    assert d.grid.slice_index == (1,)
    bad = [(r, c) for r, row in enumerate(d.grid.cells) for c, cell in enumerate(row) if not cell.ok]
    assert bad == [(2 - d.grid.row_start, 3 - d.grid.col_start)]


def test_nan_counts_as_a_mismatch_unless_expected():
    expected = torch.tensor([1.0, float("nan")], dtype=torch.float64)
    assert compare.diff(torch.tensor([1.0, float("nan")]), expected, TOL) is None
    d = compare.diff(torch.tensor([float("nan"), float("nan")]), expected, TOL)
    assert d is not None and d.mismatched == 1 and d.max_abs_index == (0,)


def test_tolerance_is_relative_and_absolute():
    expected = torch.tensor([1000.0], dtype=torch.float64)
    assert compare.diff(torch.tensor([1000.05]), expected, TOL) is None
    assert compare.diff(torch.tensor([1000.2]), expected, TOL) is not None


@settings(max_examples=30, deadline=None)
@given(shape=st.lists(st.integers(1, 9), min_size=0, max_size=4), seed=st.integers(0, 1000))
def test_grid_always_holds_the_worst_element(shape, seed):
    g = torch.Generator().manual_seed(seed)
    expected = torch.randn(shape, generator=g, dtype=torch.float64)
    got = expected.clone()
    flat = got.view(-1)
    worst = int(torch.randint(0, flat.numel(), (1,), generator=g))
    flat[worst] += 10.0
    d = compare.diff(got, expected, TOL)
    assert d is not None and d.mismatched == 1
    assert sum(not c.ok for row in d.grid.cells for c in row) == 1
    assert len(d.grid.cells) <= compare.GRID_ROWS and all(len(r) <= compare.GRID_COLS for r in d.grid.cells)


def test_an_infinity_matches_only_the_same_infinity():
    expected = torch.tensor([float("inf"), float("-inf"), 1.0], dtype=torch.float64)
    assert compare.diff(expected.clone(), expected, TOL) is None
    for wrong in ([float("-inf"), float("-inf"), 1.0], [5.0, float("-inf"), 1.0], [float("inf"), float("inf"), 1.0]):
        d = compare.diff(torch.tensor(wrong, dtype=torch.float64), expected, TOL)
        assert d is not None and d.mismatched == 1, wrong
        assert not compare.close(torch.tensor(wrong, dtype=torch.float64), expected, TOL)


def test_a_float32_constant_passes_the_float64_cases_under_any_salt(reference, tmp_path):
    """Ported from public implementations: √d_k as a float32 constant. It is correct, but moves every
    element of the float64 output by ~1e-8 of the output's size, so the elements near zero used to fail
    a bound relative to themselves (11 of 12 salts). Judged against the output's scale, it passes, while
    the mistakes still fail (tests/test_meta.py)."""
    from corpus import build, load

    from grader import api
    from grader.results import Status

    sub = build(load(TESTS / "corpus" / "correct" / "sdpa_float32_scale.py"), tmp_path / "sub")
    for salt in range(12):
        result = api.check(sub, exercises=["scaled_dot_product_attention"], hidden=True, salt=str(salt))
        failed = [c.id for c in result.exercises[0].cases if c.status is not Status.PASSED]
        assert not failed, (salt, failed)


def test_the_scale_of_an_output_widens_only_its_absolute_part():
    tol = Tolerance(atol=1e-9, rtol=1e-7, scale=1e-7).for_output(torch.tensor([0.0, -3.0, float("inf")],
                                                                           dtype=torch.float64))
    assert tol.atol == pytest.approx(1e-9 + 3e-7) and tol.rtol == 1e-7
    assert Tolerance(1e-4, 1e-4).for_output(torch.ones(3)) == Tolerance(1e-4, 1e-4)


def test_the_diff_prints_digits_enough_to_show_the_difference():
    """0.0583555 vs 0.0583555 hid the difference it reported: the values get the digits they need."""
    from grader.report.plain import diff_text

    expected = torch.full((3, 4), 0.05835551234, dtype=torch.float64)
    got = expected.clone()
    got[1, 2] += 3e-9
    d = compare.diff(got, expected, Tolerance(1e-12, 1e-12))
    text = diff_text(d, "en")
    worst = next(line for line in text.splitlines() if line.startswith("largest difference"))
    shown = worst.split("expected ")[1].split(", got ")
    assert shown[0] != shown[1].strip(), worst
    grid = [line for line in text.splitlines() if " | " in line]
    bad = next(line for line in grid if "*" in line)
    left, right = bad.split(" | ")
    assert [v for v in left.split()] != [v.rstrip("*") for v in right.split()], bad


def test_no_relative_difference_where_the_expected_values_are_zero():
    """"largest relative difference 0 at [0, 0, 0]" pointed at an element that does not differ."""
    from grader.report.plain import diff_text

    expected = torch.zeros(2, 3, dtype=torch.float64)
    got = expected.clone()
    got[1, 1] = 0.5
    text = diff_text(compare.diff(got, expected, Tolerance(1e-9, 1e-7)), "en")
    assert "relative difference" not in text
    expected[0, 0] = 2.0
    got[0, 0] = 3.0
    assert "largest relative difference" in diff_text(compare.diff(got, expected, Tolerance(1e-9, 1e-7)), "en")
