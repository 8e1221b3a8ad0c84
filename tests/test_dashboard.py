"""results/index.html, the class on one page, opened and used in headless Chromium as an instructor would.

A batch with every kind of submission (folders, a zip, a notebook-free zip-slip, an endless loop, a syntax error,
stubs, a mutant, a disguised copy of a classmate and a hostile name), then a regrade with a hostile reason: every
student is listed with the right flag, the headings sort by keyboard and by mouse, the filters filter, each
feedback link leads to a file, the regrade is shown, and nothing a student wrote becomes markup. Screenshots in
English and Korean go to $NLP_GRADER_SHOTS when it is set.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

import pytest
from browser import CHROMIUM, Browser
from conftest import SOLUTIONS
from corpus import build, variants
from test_batch import make_class
from test_instructor_similar import disguise

from grader import batch
from grader.batch import history, render
from grader.sandbox.limits import Limits

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (apt-get install chromium)")

HOSTILE_NAME = "=HYPERLINK(\"x\")[reverse]\x1b[2J<img src=x onerror=window.__pwned=1>\"'&amp;"
SHOWN_NAME = "=HYPERLINK(\"x\")[reverse][2J<img src=x onerror=window.__pwned=1>\"'&amp;"  # the escape character gone
REASON = "appeal <script>window.__pwned=2</script> & \"fixed\""
EXPECTED_FLAGS = {"alice": "", "bob": "", "carol": "regraded", "dan": "", "erin": "syntax", "frank": "timeout",
                  "gina": "", "mallory": "invalid", "ivan": "similar", "judy": "similar", SHOWN_NAME: ""}


@pytest.fixture(scope="module")
def dashboard(tmp_path_factory):
    root = tmp_path_factory.mktemp("dash")
    klass = make_class(root / "class")
    original = next(v for v in variants("correct") if v.name == "mha_loop_over_heads")
    build(original, klass / "ivan")
    judy = klass / "judy"
    shutil.copytree(klass / "ivan", judy)
    for path in judy.glob("*.py"):
        path.write_text(disguise(path.read_text()))
    shutil.copytree(SOLUTIONS, klass / HOSTILE_NAME, ignore=shutil.ignore_patterns("__pycache__"))
    out = root / "out"
    batch.run(klass, assignment="transformer", output=out, workers=2, limits=Limits(exercise_seconds=5))
    shutil.copy(SOLUTIONS / "attention.py", klass / "carol" / "attention.py")  # carol's appeal, granted
    report = batch.run(klass, assignment="transformer", output=out, workers=2, only=["carol"], reason=REASON,
                       limits=Limits(exercise_seconds=5))
    return out, report


@pytest.fixture(scope="module")
def browser():
    with Browser(1366, 900) as b:
        yield b


def rows(b: Browser) -> list[dict]:
    return b.js("Array.from(document.querySelectorAll('#gradebook-table tbody tr')).filter(r => !r.hidden).map(r => "
                "({name: r.querySelector('th').textContent, flags: r.dataset.flags, score: r.cells[1].dataset.value,"
                " link: (r.querySelector('a') || {}).getAttribute ? r.querySelector('a').getAttribute('href') : null}))")


def test_the_regrade_is_recorded_and_printed(dashboard):
    out, report = dashboard
    [entry] = report.regrades
    assert entry["student"] == "carol" and entry["reason"] == REASON
    assert entry["old"]["exercises"]["scaled_dot_product_attention"] < entry["new"]["exercises"]["scaled_dot_product_attention"]
    assert entry["new"]["score"] == 100 and entry["old"]["score"] < 100
    assert history.read(out) == [entry]
    md = (out / "carol.md").read_text()
    assert "## Regrade history" in md and "→ 100" in md and "&lt;script&gt;" in md and "<script>" not in md
    assert "Regrade history" not in (out / "alice.md").read_text()


def test_every_student_is_listed_with_the_right_flag(dashboard, browser):
    out, _ = dashboard
    browser.open(out / render.DASHBOARD)
    listed = {r["name"]: r for r in rows(browser)}
    assert set(listed) == set(EXPECTED_FLAGS)
    assert {n: r["flags"] for n, r in listed.items()} == EXPECTED_FLAGS
    for r in listed.values():  # every student leads to their feedback, which exists
        assert r["link"] and (out / r["link"].replace("%7E", "~")).is_file(), r
    assert browser.js("document.querySelector('#regrades tbody th').textContent") == "carol"
    assert REASON in browser.js("document.querySelector('#regrades tbody').textContent")
    pairs = browser.js("Array.from(document.querySelectorAll('#similar tbody tr')).map(r => r.cells[0].textContent + '/' + r.cells[1].textContent)")
    assert pairs == ["ivan/judy"]
    words = browser.js("document.querySelector('#exercises').textContent")
    assert "the concatenated heads are returned as they are" in words  # dan's mistake in words, not only its id


def test_nothing_a_student_wrote_becomes_markup(dashboard, browser):
    out, _ = dashboard
    browser.open(out / render.DASHBOARD)
    assert browser.js("document.scripts.length") == 1  # the page's own
    assert browser.js("document.querySelectorAll('img').length") == 0
    assert browser.js("typeof window.__pwned") == "undefined"
    text = (out / render.DASHBOARD).read_text()
    assert "<img" not in text and "\x1b" not in text and "<script>window" not in text
    assert set(re.findall(r"https?://[^\s\"'<>]+", text)) == {"http://www.w3.org/2000/svg"}  # nothing to fetch: no network


def test_headings_sort_by_keyboard_and_by_mouse(dashboard, browser):
    out, _ = dashboard
    browser.open(out / render.DASHBOARD)
    browser.js("document.querySelector('#gradebook-table thead th:nth-child(2) button').focus()")
    browser.enter()  # a real key press on the focused heading
    scores = [float(r["score"]) for r in rows(browser)]
    assert scores == sorted(scores) and scores[0] < scores[-1]
    assert browser.js("document.querySelector('#gradebook-table thead th:nth-child(2)').getAttribute('aria-sort')") == "ascending"
    browser.key(" ", code="Space", keycode=32, text=" ")  # Space on the same heading: the other way
    assert [float(r["score"]) for r in rows(browser)] == sorted(scores, reverse=True)
    browser.tab()  # the next heading's button takes the focus
    assert browser.js("document.activeElement.textContent") == "status"
    browser.click("#gradebook-table thead th:nth-child(1) button")
    names = [r["name"] for r in rows(browser)]
    assert names == browser.js("Array.from(document.querySelectorAll('#gradebook-table tbody th'))"
                               ".map(t => t.textContent).sort((a, b) => a.localeCompare(b))")
    assert names[0] != "alice" or names[-1] != SHOWN_NAME  # the order changed from the score order
    assert browser.js("document.querySelector('#gradebook-table thead th:nth-child(1)').getAttribute('aria-sort')") == "ascending"
    assert browser.js("document.querySelector('#gradebook-table thead th:nth-child(2)').getAttribute('aria-sort')") == "none"


def test_filters_filter(dashboard, browser):
    out, _ = dashboard
    browser.open(out / render.DASHBOARD)
    browser.click("#filter")
    browser.type("er")
    assert {r["name"] for r in rows(browser)} == {n for n in EXPECTED_FLAGS if "er" in n.lower()}
    assert browser.js("document.getElementById('shown').textContent") == f"{len([n for n in EXPECTED_FLAGS if 'er' in n.lower()])} of 11 shown"
    browser.js("var f=document.getElementById('filter'); f.value=''; f.dispatchEvent(new Event('input'))")
    for flag in ("timeout", "syntax", "invalid", "similar", "regraded"):
        browser.js(f"var s=document.getElementById('flag-filter'); s.value='{flag}'; s.dispatchEvent(new Event('change'))")
        assert {r["name"] for r in rows(browser)} == {n for n, f in EXPECTED_FLAGS.items() if f == flag}, flag
    browser.js("var s=document.getElementById('flag-filter'); s.value='*'; s.dispatchEvent(new Event('change'))")
    assert {r["name"] for r in rows(browser)} == {n for n, f in EXPECTED_FLAGS.items() if f}


def test_screenshots_in_english_and_korean(dashboard, browser, tmp_path):
    out, _ = dashboard
    shots = Path(os.environ.get("NLP_GRADER_SHOTS") or tmp_path)
    copy = tmp_path / "out"
    shutil.copytree(out, copy)
    for lang, heading in (("en", "Gradebook"), ("ko", "성적표")):
        render.render_output(copy, lang=lang)
        browser.open(copy / render.DASHBOARD)
        assert browser.js("document.documentElement.lang") == lang
        assert browser.js("document.getElementById('gradebook-h').textContent") == heading
        assert len(rows(browser)) == 11
        path = browser.screenshot(shots / f"dashboard-{lang}.png")
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    summary = json.loads((copy / "summary.json").read_text())
    assert summary["graded"] == 10
