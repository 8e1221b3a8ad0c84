"""The training run's figures: what the grader measures while a loop trains (grader.sandbox.learning), what the
judge keeps (grader.builtin.training.judges.figures) and how the reports draw it (grader.report.figures): SVG that
parses, text within 80 columns in both languages, a stored result that keeps them, the files a batch writes.

Fast: small models and a few dozen steps; the real assignment's figures are checked in tests/test_meta_training.py."""

from __future__ import annotations

import io
import math
import xml.etree.ElementTree as ET

import pytest
import torch
from rich.cells import cell_len
from rich.console import Console

from grader.builtin.training import judges
from grader.report import feedback, figures, stored
from grader.report import html as html_report
from grader.report.options import Options
from grader.results import CaseResult, CheckResult, ExerciseResult, GradeResult, Message, Status
from grader.sandbox import drivers, learning

SVG = "{http://www.w3.org/2000/svg}"


class Tiny(torch.nn.Module):
    """An encoder–decoder of the assignment's interface with its own attention (a softmax, no torch.nn layer): the
    decoder's positions attend to the source's, and ``weights`` keeps what they did."""

    def __init__(self, vocab: int = 11, d: int = 8) -> None:
        super().__init__()
        self.embed = torch.nn.Embedding(vocab, d)
        self.pos = torch.nn.Parameter(torch.randn(16, d))
        self.generator = torch.nn.Sequential(torch.nn.Linear(d, vocab), torch.nn.LogSoftmax(-1))
        self.weights = torch.zeros(0)

    def encode(self, src, src_mask):
        return self.embed(src) + self.pos[: src.size(1)]

    def decode(self, memory, src_mask, tgt, tgt_mask):
        q = self.embed(tgt) + self.pos[1: tgt.size(1) + 1]
        scores = (q @ memory.transpose(-2, -1)).masked_fill(~src_mask, -1e9)
        self.weights = torch.softmax(scores, dim=-1)
        return self.weights @ memory


def _loop(steps: int):
    def train(seed: int, steps: int = steps) -> Tiny:
        torch.manual_seed(seed)
        model = Tiny()
        optimizer = torch.optim.Adam(model.parameters(), lr=0.05)
        gen = torch.Generator().manual_seed(seed)
        for _ in range(steps):
            src = torch.randint(2, 11, (16, 6), generator=gen)
            out = model.generator(model.decode(model.encode(src, src != 0), (src != 0).unsqueeze(-2), src[:, :-1], None))
            loss = torch.nn.functional.nll_loss(out.reshape(-1, 11), src[:, 1:].reshape(-1))
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        return model
    return train


def _held_out() -> torch.Tensor:
    return torch.randint(2, 11, (20, 6), generator=torch.Generator().manual_seed(7))


def test_snapshots_keep_at_most_max_points_evenly_spaced():
    snapshots = learning.Snapshots()
    p = torch.nn.Parameter(torch.zeros(3))
    optimizer = torch.optim.SGD([p], lr=1.0)
    for step in range(2000):
        snapshots.before(optimizer, step)
        with torch.no_grad():
            p += 1
    kept = sorted(snapshots.kept)
    assert len(kept) <= learning.MAX_POINTS and kept[0] == 0 and kept[-1] >= 2000 - snapshots.stride
    assert {b - a for a, b in zip(kept, kept[1:], strict=False)} == {snapshots.stride}
    assert all(float(v[id(p)][0]) == s for s, v in snapshots.kept.items())  # the values after `s` steps


def test_the_driver_measures_the_held_out_loss_along_training_and_the_attention():
    held_out = _held_out()
    out = drivers.train(_loop(40), {"held_out": held_out}, {"call": [["v", 3]], "draws": 2}, drivers.Ctx("cpu"))
    steps, loss = out["loss_steps"], out["loss"]
    assert steps.shape == loss.shape == (2, 5) and steps[0].tolist() == [0, 10, 20, 30, 40]
    assert all(row[-1] < row[0] for row in loss.tolist())  # it learned: the grader's own measurement says so
    # the first point is the fresh model's loss, the last the returned model's, measured again here
    torch.manual_seed(3)
    fresh = Tiny()
    model = _loop(40)(3)
    with torch.no_grad():
        assert math.isclose(float(loss[0, 0]), learning.held_out_loss(fresh, held_out), rel_tol=1e-6)
        assert math.isclose(float(loss[0, -1]), learning.held_out_loss(model, held_out), rel_tol=1e-5)
        # the attention is the last softmax of the decoder's shape, of the first held-out sequence, as decoded
        attention = out["attention"]
        decoded = drivers.greedy(model, held_out[:1])
        model.decode(model.encode(held_out[:1], None), (held_out[:1] != 0).unsqueeze(-2), decoded[:, :-1], None)
    assert attention.shape == (5, 6) and torch.allclose(attention, model.weights[0].double(), atol=1e-6)


def test_a_loop_that_never_steps_has_one_point_and_the_returned_weights_are_kept():
    out = drivers.train(_loop(0), {"held_out": _held_out()}, {"call": [["v", 1]], "draws": 1}, drivers.Ctx("cpu"))
    assert out["loss_steps"].tolist() == [[0]] and math.isfinite(float(out["loss"][0, 0]))


def test_cross_attention_reads_torch_nn_layers_weights():
    layer = torch.nn.TransformerDecoderLayer(8, 2, 16, 0.0, batch_first=True)

    class NN(Tiny):
        def __init__(self) -> None:
            super().__init__()
            self.layer = layer

        def decode(self, memory, src_mask, tgt, tgt_mask):
            return self.layer(self.embed(tgt), memory, memory_key_padding_mask=~src_mask[:, 0])

    model = NN().eval()
    src, out = _held_out()[:1], _held_out()[1:2]
    with torch.no_grad():
        attention = learning.cross_attention(model, src, out)
        x = layer.norm1(model.embed(out[:, :-1]) + layer._sa_block(model.embed(out[:, :-1]), None, None))
        _, expected = layer.multihead_attn(x, model.encode(src, None), model.encode(src, None), need_weights=True)
    assert attention.shape == (5, 6) and torch.allclose(attention, expected[0].double(), atol=1e-6)
    assert torch.allclose(attention.sum(-1), torch.ones(5, dtype=torch.float64))


def _figures() -> dict:
    held_out = _held_out()
    outputs = drivers.train(_loop(30), {"held_out": held_out}, {"call": [["v", 0]], "draws": 3}, drivers.Ctx("cpu"))
    return judges.figures({"held_out": held_out}, outputs)


@pytest.fixture(scope="module")
def drawn() -> dict:
    return _figures()


def _result(drawn: dict, status: Status = Status.PASSED) -> GradeResult:
    check = CheckResult("copy_task", status is Status.PASSED, Message("check.measured", {"figures": drawn}))
    case = CaseResult("copy_task", False, status, (CheckResult("signature", True), check))
    score = 20.0 if status is Status.PASSED else 0.0
    exercise = ExerciseResult("train_copy_task", "train.py", score, 20.0, status, (case,))
    return GradeResult("training", score, 20.0, (exercise,), hidden=False, device="cpu", isolation="process",
                       grader_version="0.1.0")


def test_the_judge_keeps_every_run_and_the_reference_band(drawn):
    loss = drawn["loss"]
    assert len(loss["runs"]) == 3 and [p[0] for p in loss["runs"][0]] == [0, 10, 20, 30]
    band = loss["band"]
    assert len(band["steps"]) == len(band["low"]) == len(band["high"]) and band["steps"][-1] == 300
    assert all(lo <= mid <= hi for lo, mid, hi in zip(band["low"], band["median"], band["high"], strict=True))
    assert set(drawn["attention"]) == {"values", "src", "out"} and len(drawn["attention"]["values"]) == 5


def test_the_judge_drops_what_a_child_could_have_forged():
    held_out = _held_out()
    bad = {"loss_steps": torch.zeros(1, 10_000, dtype=torch.long), "loss": torch.zeros(1, 10_000),
           "attention": torch.full((5, 6), float("nan")), "out": held_out[None]}
    assert judges.figures({"held_out": held_out}, bad) == {}
    bad["attention"] = torch.zeros(50, 50)
    assert "attention" not in judges.figures({"held_out": held_out}, bad)


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_the_svgs_parse_and_draw_the_band_the_runs_and_every_weight(drawn, lang):
    loss = ET.fromstring(figures.loss_svg(drawn["loss"], lang))
    assert loss.find(f"{SVG}title").text == figures.loss_summary(drawn["loss"], lang)
    assert len(loss.findall(f".//{SVG}polygon[@class='band']")) == 1
    assert len(loss.findall(f".//{SVG}polyline[@class='run']")) == 3
    attention = ET.fromstring(figures.attention_svg(drawn["attention"], lang))
    cells = [r for r in attention.iter(f"{SVG}rect") if r.find(f"{SVG}title") is not None]
    assert len(cells) == 5 * 6
    assert float(cells[0].find(f"{SVG}title").text) == pytest.approx(drawn["attention"]["values"][0][0], abs=1e-3)


@pytest.mark.parametrize("lang", ["en", "ko"])
@pytest.mark.parametrize("color", [True, False])
def test_the_terminal_figures_fit_80_columns(drawn, lang, color):
    from grader.report.text import render_report

    buffer = io.StringIO()
    console = Console(file=buffer, width=80, force_terminal=color, color_system="truecolor" if color else None,
                      highlight=False)
    render_report(_result(drawn), console, lang)
    text = buffer.getvalue()
    lines = _strip(text).splitlines()
    assert any(figures.loss_summary(drawn["loss"], lang).split()[0] in line for line in lines)
    assert max(cell_len(line) for line in lines) <= 80
    assert all(any(mark in line for line in lines) for mark in "■░·")  # the last run, the band and its median
    assert sum("░" in line for line in lines) >= 3


def _strip(text: str) -> str:
    import re

    return re.sub(r"\x1b\[[0-9;]*m", "", text)


def test_a_stored_result_keeps_the_figures_for_the_html_page_and_the_markdown(drawn, tmp_path):
    result = stored.decode(stored.encode(_result(drawn, Status.FAILED)))
    assert [e.id for e, _, _ in figures.found(result)] == ["train_copy_task"]
    page = html_report.render(result, "ko", Options())
    assert page.count("<svg") == 2 and "인코더–디코더 attention" in page
    names = figures.files(result, "en")
    assert sorted(names) == ["train_copy_task.attention.svg", "train_copy_task.loss.svg"]
    md = feedback.markdown(result, "s1", "en", pictures="s1.pictures")
    assert "](s1.pictures/train_copy_task.loss.svg)" in md and "](s1.pictures/train_copy_task.attention.svg)" in md
