"""Pictures of a failing case (grader/report/pictures.py): what is drawn is the expected and the student's values,
masked cells are marked, the bytes are deterministic, and every report that shows a case's values draws it."""

from __future__ import annotations

import base64
import dataclasses
import io
import json
import math
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import torch
from rich.cells import cell_len
from rich.console import Console

from grader import compare, report
from grader.report import gradescope, pictures, stored
from grader.report.text import render_report
from grader.results import CaseResult, CheckResult, ExerciseResult, GradeResult, Heatmap, Message, Status
from grader.spec import Tolerance

SNAPSHOTS = Path(__file__).resolve().parent / "snapshots"
SVG = "{http://www.w3.org/2000/svg}"
TOL = Tolerance(1e-4, 1e-4)


def _pe(max_len: int, d_model: int, swapped: bool = False) -> torch.Tensor:
    position = torch.arange(max_len, dtype=torch.float64).unsqueeze(1)
    angle = position / (10000.0 ** (torch.arange(0, d_model, 2, dtype=torch.float64) / d_model))
    pe = torch.zeros(max_len, d_model, dtype=torch.float64)
    pe[:, 0::2], pe[:, 1::2] = (torch.cos(angle), torch.sin(angle)) if swapped else (torch.sin(angle), torch.cos(angle))
    return pe


def _weights_case() -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Causal attention weights (2 heads of 5 x 5), and a student's that leak: softmax before the mask."""
    scores = torch.randn(2, 5, 5, generator=torch.Generator().manual_seed(0), dtype=torch.float64)
    mask = torch.tril(torch.ones(5, 5, dtype=torch.bool))
    expected = torch.softmax(scores.masked_fill(~mask, -math.inf), dim=-1)
    leaking = torch.softmax(scores, dim=-1)
    return expected, leaking, mask


def _heatmap(got: torch.Tensor, expected: torch.Tensor, mask: torch.Tensor | None = None, key: str = "output") -> Heatmap:
    d = compare.diff(got, expected, TOL, mask=mask)
    assert d is not None and d.heatmap is not None
    return dataclasses.replace(d.heatmap, key=key)


def _panels(document: str) -> dict[str, list[str]]:
    """Each panel's cell colours, row-major, and the masked cells' positions, read back from the SVG."""
    root = ET.fromstring(document)
    out: dict[str, list[str]] = {}
    for g in root.iter(f"{SVG}g"):
        kind = g.get("class")
        out.setdefault(kind, [])
        out[kind] += [r.get("fill") if kind != "masked" else f"{r.get('x')},{r.get('y')}" for r in g.iter(f"{SVG}rect")]
    return out


def _result(exercise: str, heatmap: Heatmap, hidden: bool = False, case: str = "causal") -> GradeResult:
    check = CheckResult("values", False, Message("check.values", {"key": "output", "mismatched": 1, "total": 2, "share": 50.0}))
    d = compare.diff(torch.tensor([[1.0, 2.0]]), torch.tensor([[1.0, 3.0]]), TOL)
    check = dataclasses.replace(check, diff=dataclasses.replace(d, heatmap=heatmap))
    cases = (CaseResult(case, hidden, Status.FAILED, (CheckResult("runs", True), check)),)
    e = ExerciseResult(exercise, "attention.py", 0, 10, Status.FAILED, cases)
    return GradeResult("transformer", 0, 10, (e,), hidden, "cpu", "process", "0")


# --- each kind: what is drawn is the values -----------------------------------------------------------

def test_attention_weights_with_a_mask_draw_both_tensors_and_mark_the_masked_cells():
    expected, leaking, mask = _weights_case()
    h = _heatmap(leaking, expected, mask, key="weights")
    assert h.rows == h.cols == 5 and not h.boolean
    forbidden = [i * 5 + j for i in range(5) for j in range(5) if j > i]
    assert list(h.masked) == forbidden  # the masked positions are those the mask forbids
    document = pictures.svg("scaled_dot_product_attention", "causal_4d", h, "en")
    panels = _panels(document)
    lo, hi = pictures.scale(h)
    worst_slice = expected[h.slice_index]
    assert [pictures.hex_color(pictures.value_rgb(round(v, 4), lo, hi)) for v in worst_slice.flatten().tolist()] == \
        panels["expected"]
    yours = leaking[h.slice_index].flatten().tolist()
    assert [pictures.hex_color(pictures.value_rgb(v, lo, hi)) for v in h.got] == panels["yours"]
    assert all(abs(a - b) < 1e-3 for a, b in zip(h.got, yours, strict=True))  # the student's values, not the expected
    assert panels["expected"] != panels["yours"]
    # masked cells hatched on expected and yours (not on the difference), at the forbidden positions
    assert len(panels["masked"]) == 2 * len(forbidden)
    # the difference is white within the tolerance and coloured beyond it
    assert all((f == "#ffffff") == (k not in h.bad) for k, f in enumerate(panels["difference"]))
    # one shared scale with its legend, labels from the assignment, alt text in the report's language
    assert "query position" in document and "key position" in document and "expected and yours (one scale)" in document
    korean = pictures.svg("scaled_dot_product_attention", "causal_4d", h, "ko")
    assert "쿼리 위치" in korean and "마스크된 위치" in korean and "<title" in korean
    assert re.search(r"<title[^>]*>케이스 causal_4d에서 나온 가중치의 히트맵", korean)


def test_a_boolean_mask_is_drawn_in_two_colours():
    expected = torch.tril(torch.ones(4, 4, dtype=torch.bool))
    upper = torch.triu(torch.ones(4, 4, dtype=torch.bool))
    h = _heatmap(upper, expected)
    assert h.boolean
    panels = _panels(pictures.svg("causal_mask", "size_4", h, "en"))
    assert panels["expected"] == [pictures.BOOLEAN[bool(v)] for v in expected.flatten().tolist()]
    assert panels["yours"] == [pictures.BOOLEAN[bool(v)] for v in upper.flatten().tolist()]
    assert set(panels["difference"]) == {pictures.DIFFERS, "#ffffff"}
    assert [f == pictures.DIFFERS for f in panels["difference"]] == (expected != upper).flatten().tolist()
    assert "Two-colour" in pictures.alt("causal_mask", "size_4", h, "en")


def test_the_positional_encoding_table_is_drawn_whole():
    expected, swapped = _pe(50, 16), _pe(50, 16, swapped=True)
    h = _heatmap(swapped.float(), expected)
    assert (h.rows, h.cols, h.row_start, h.col_start) == (50, 16, 0, 0)  # the whole table, not a window
    document = pictures.svg("sinusoidal_positional_encoding", "small", h, "en")
    panels = _panels(document)
    lo, hi = pictures.scale(h)
    assert len(panels["expected"]) == 50 * 16
    assert panels["expected"] == [pictures.hex_color(pictures.value_rgb(float(f"{v:.4g}"), lo, hi))
                                  for v in expected.flatten().tolist()]
    assert "position" in document and "dimension" in document
    assert pictures.axes("sinusoidal_positional_encoding", h, "ko") == ("위치", "차원")


def test_a_head_layout_draws_the_worst_head():
    x = torch.randn(2, 5, 8, generator=torch.Generator().manual_seed(1), dtype=torch.float64)
    expected = x.view(2, 5, 2, 4).transpose(1, 2)  # (B, h, L, d_k)
    interleaved = x.view(2, 5, 4, 2).permute(0, 3, 1, 2)
    h = _heatmap(interleaved, expected)
    assert len(h.slice_index) == 2 and (h.rows, h.cols) == (5, 4)
    panels = _panels(pictures.svg("split_heads", "two_heads", h, "en"))
    lo, hi = pictures.scale(h)
    assert panels["yours"] == [pictures.hex_color(pictures.value_rgb(float(f"{v:.4g}"), lo, hi))
                               for v in interleaved[h.slice_index].flatten().tolist()]
    assert pictures.axes("split_heads", h, "en") == ("position", "dimension in the head")


def test_pictures_are_capped_in_size():
    big = torch.zeros(200, 300, dtype=torch.float64)
    got = big.clone()
    got[150, 250] = 1.0
    h = _heatmap(got, big)
    assert h.rows * h.cols <= compare.HEATMAP_CELLS and h.cols <= compare.HEATMAP_SIDE
    assert h.row_start <= 150 < h.row_start + h.rows and h.col_start <= 250 < h.col_start + h.cols  # around the worst
    assert len(pictures.svg("x", "y", h, "en")) < 200_000


# --- deterministic, stored, shown only where the values may be ------------------------------------------

def test_axes_are_named_only_as_the_assignment_declares_them():
    """A mask alone does not make rows queries: seq2seq's attention weights are (batch, source), and its picture
    once said "query position down, key position across" for a softmax over the batch. Undeclared: row and column."""
    torch.manual_seed(0)
    scores = torch.randn(3, 4, dtype=torch.float64)
    src_mask = torch.tensor([[True] * 4, [True, True, False, False], [True, False, False, False]])
    filled = scores.masked_fill(~src_mask, -math.inf)
    h = _heatmap(torch.softmax(filled, dim=0).nan_to_num(), torch.softmax(filled, dim=-1), src_mask)
    assert h.masked  # the case has a mask
    assert pictures.axes("attention_weights", h, "en") == ("sequence in the batch", "source position")
    assert pictures.axes("attention_weights", h, "ko") == ("배치 안의 시퀀스", "소스 위치")
    said = pictures.svg("attention_weights", "padded", h, "en")
    assert "sequence in the batch" in said and "query" not in said
    assert pictures.axes("an_undeclared_exercise", h, "en") == ("row", "column")


def test_a_two_dimensional_output_is_not_said_to_be_a_slice():
    """A (batch, source) output is shown whole: no "slice —" in the grid's line, the picture's heading or its alt
    text, in either language; a 4-d output still names the slice it shows."""
    from grader.report.plain import diff_text

    torch.manual_seed(0)
    expected = torch.softmax(torch.randn(3, 4, dtype=torch.float64), dim=-1)
    got = torch.softmax(expected, dim=0)
    d = compare.diff(got, expected, TOL)
    assert d is not None and d.heatmap is not None and not d.grid.slice_index
    for lang in ("en", "ko"):
        said = diff_text(d, lang) + pictures.svg("attention_weights", "padding", d.heatmap, lang)
        assert "—" not in said and "slice" not in said and "슬라이스" not in said, said
    four = _heatmap(*_weights_case()[1::-1], _weights_case()[2], key="weights")
    assert "(slice [0], 5 × 5)" in pictures.svg("scaled_dot_product_attention", "causal_4d", four, "en")
    assert "(슬라이스 [0], 5 × 5)" in pictures.svg("scaled_dot_product_attention", "causal_4d", four, "ko")


def test_a_scalar_is_reported_by_its_two_values_in_every_report():
    """A loss is 0-dimensional: no index ("at —"), no 1 x 1 neighbourhood grid, no picture; expected and got."""
    from grader.report import html as html_report
    from grader.report.options import Options
    from grader.report.plain import case_text

    d = compare.diff(torch.tensor(2.76302), torch.tensor(3.01561), TOL)
    assert d is not None and d.shape == () and d.heatmap is None
    check = CheckResult("values", False, Message("check.values", {"key": "output", "mismatched": 1, "total": 1,
                                                                  "share": 100.0}), diff=d)
    case = CaseResult("length_one", False, Status.FAILED, (CheckResult("runs", True), check))
    e = ExerciseResult("causal_lm_loss", "objectives.py", 0, 10, Status.FAILED, (case,))
    result = GradeResult("pretraining", 0, 10, (e,), False, "cpu", "process", "0")
    console = Console(width=80, record=True, color_system=None)
    render_report(result, console, "en")
    for said in (console.export_text(), case_text(case, "en"), html_report.render(result, "en", Options())):
        said = " ".join(said.split())
        assert "expected 3.01561, got 2.76302: a difference of 0.253" in said, said
        assert "—" not in said and "around the worst element" not in said
    korean = Console(width=80, record=True, color_system=None)
    render_report(result, korean, "ko")
    assert "실제값 2.76302" in korean.export_text() and "—" not in korean.export_text()


def test_the_same_heatmap_gives_the_same_bytes_and_matches_the_snapshot():
    expected, leaking, mask = _weights_case()
    h = _heatmap(leaking, expected, mask, key="weights")
    first = pictures.svg("scaled_dot_product_attention", "causal_4d", h, "en")
    assert first == pictures.svg("scaled_dot_product_attention", "causal_4d", h, "en")
    snapshot = SNAPSHOTS / "weights_with_mask.svg"
    assert first == snapshot.read_text(encoding="utf-8"), "regenerate tests/snapshots/weights_with_mask.svg on purpose"


def test_the_heatmap_survives_the_stored_round_trip():
    expected, leaking, mask = _weights_case()
    result = _result("scaled_dot_product_attention", _heatmap(leaking, expected, mask, key="weights"))
    again = stored.decode(json.loads(json.dumps(stored.encode(result))))
    assert again == result


def test_a_hidden_case_is_drawn_only_at_full_feedback():
    expected, leaking, mask = _weights_case()
    result = _result("scaled_dot_product_attention", _heatmap(leaking, expected, mask), hidden=True)
    for level in ("visible", "summary"):
        assert list(pictures.chosen(result, level)) == []
        assert "<svg" not in report.render("html", result, "en", report.Options(feedback=level))
        data = gradescope.to_dict(result, "en", execution_time=0, feedback=level)
        assert all(t.get("output_format", "text") == "text" for t in data["tests"])
        assert ".svg" not in report.render("markdown", result, "en", report.Options(feedback=level, pictures="p"))
    assert "<svg" in report.render("html", result, "en", report.Options(feedback="full"))


def test_every_report_draws_a_visible_failure():
    expected, leaking, mask = _weights_case()
    result = _result("scaled_dot_product_attention", _heatmap(leaking, expected, mask, key="weights"))
    page = report.render("html", result, "ko")
    assert page.startswith('<meta charset="utf-8">') and page.count("<svg") == 1 and "쿼리 위치" in page
    test = gradescope.to_dict(result, "en", execution_time=0)["tests"][0]
    assert test["output_format"] == "html" and "differ beyond" not in test["output"] or "<pre>" in test["output"]
    image = re.search(r'<img alt="([^"]+)" src="data:image/svg\+xml;base64,([^"]+)">', test["output"])
    assert image and "Heatmaps of weights" in image.group(1)
    assert base64.b64decode(image.group(2)).decode() == pictures.svg("scaled_dot_product_attention", "causal",
                                                                     result.exercises[0].cases[0].failure.diff.heatmap,
                                                                     "en")
    md = report.render("markdown", result, "en", report.Options(name="alice", pictures="alice.pictures"))
    assert "](alice.pictures/scaled_dot_product_attention.svg)" in md and "![Heatmaps of weights" in md


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_the_terminal_heatmap_fits_80_columns(lang):
    expected, swapped = _pe(8, 16), _pe(8, 16, swapped=True)
    result = _result("sinusoidal_positional_encoding", _heatmap(swapped, expected), case="small")
    for color in (True, False):
        buffer = io.StringIO()
        console = Console(file=buffer, width=80, force_terminal=color, color_system="truecolor" if color else None,
                          highlight=False, emoji=False)
        render_report(result, console, lang, folder="pics")
        text = buffer.getvalue()
        plain = re.sub(r"\x1b\[[0-9;]*m", "", text)
        assert all(cell_len(line) <= 80 for line in plain.splitlines())
        assert "pics/sinusoidal_positional_encoding.svg" in plain
        assert ("48;2;" in text) == color  # colour blocks with colours, a character ramp without
        rows = [line for line in plain.splitlines() if re.match(r"│ \d .* │ .* │ ", line)]
        assert len(rows) == 8  # every position of the table


def test_grade_check_writes_each_failing_exercises_picture_where_asked(tmp_path):
    """`grade check --pictures DIR` (issue 25: "the path of the full picture when one was written"): a sin/cos swap
    writes DIR/sinusoidal_positional_encoding.svg with the two tables in it, and the terminal report prints its path;
    a passing exercise (causal_mask here) writes nothing."""
    import subprocess
    import sys

    from corpus import build, variants

    variant = next(v for v in variants("mutants") if v.name == "pe_swapped")
    sub = build(variant, tmp_path / "sub")
    folder = tmp_path / "pictures"
    done = subprocess.run([sys.executable, "-m", "grader", "check", str(sub), "--assignment", "transformer",
                           "--exercise", "sinusoidal_positional_encoding", "--exercise", "causal_mask",
                           "--pictures", str(folder), "--lang", "en"],
                          capture_output=True, text=True, env={**__import__("os").environ, "COLUMNS": "200"})
    assert done.returncode == 1, done.stderr[-2000:]
    assert sorted(p.name for p in folder.iterdir()) == ["sinusoidal_positional_encoding.svg"]
    written = folder / "sinusoidal_positional_encoding.svg"
    assert f"full picture: {written}" in done.stdout
    panels = _panels(written.read_text(encoding="utf-8"))
    assert panels["expected"] != panels["yours"] and len(panels["yours"]) == len(panels["expected"]) > 0
    # the same result gives the same bytes, whatever the report's format
    as_json = subprocess.run([sys.executable, "-m", "grader", "check", str(sub), "--assignment", "transformer",
                              "--exercise", "sinusoidal_positional_encoding", "--format", "json",
                              "--pictures", str(tmp_path / "again")], capture_output=True, text=True)
    assert json.loads(as_json.stdout)["score"] < 100
    assert (tmp_path / "again" / "sinusoidal_positional_encoding.svg").read_text(encoding="utf-8") == \
        written.read_text(encoding="utf-8")
