"""The page of one similar pair (issue 27, part 2): what the two submissions have alike, not what differs.

Two students fill the transformer's starter ``attention.py``: the second copied the first, renamed every local name,
left out one line the first has, and kept the docstrings and (for one function) the signature as the starter code
has them. The shared code is marked in both panes with the same fragment number, the line only one of them has is
not; the docstrings and the untouched starter code are folded away; hostile names, file names and code stay text;
in headless Chromium the two panes sit side by side and nothing runs past a laptop's width. Screenshots in English
and Korean go to $NLP_GRADER_SHOTS when it is set.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from browser import CHROMIUM, Browser
from conftest import STUBS

from grader import similar, specs
from grader.batch import render, result_stem
from grader.report import dashboard
from grader.report import similarity as page

SPEC = specs.get("transformer")
STUB = (STUBS / "attention.py").read_text()
TODO_2 = '    # TODO: implement (Task 2)\n    raise NotImplementedError("Task 2: masked_softmax")\n'
TODO_3 = '    # TODO: implement (Task 3)\n    raise NotImplementedError("Task 3: scaled_dot_product_attention")\n'
SIGNATURE = "def masked_softmax(scores: torch.Tensor, mask: torch.Tensor | None = None, dim: int = -1) -> torch.Tensor:"
DOCSTRING = "Softmax of ``scores`` over ``dim``, with masked positions set to exactly 0."
ONLY_A = "    audit = torch.logsumexp(expo.double(), dim=0).nan_to_num().sum()\n"
HOSTILE_CODE = "    # </code></pre><script>window.__pwned=1</script> & \"quoted\" 'too' " + "=" * 300 + "\n"
LONG = ("    weights = masked_softmax(torch.matmul(q, k.transpose(-2, -1)) * (1.0 / float(q.shape[-1]) ** 0.5)"
        " + torch.zeros((), dtype=q.dtype, device=q.device) * float(q.shape[-1] == q.shape[-1]) + 0.0 * q.new_zeros(()),"
        " mask)\n")


def _filled(softmax: str, attention: str) -> str:
    assert TODO_2 in STUB and TODO_3 in STUB and SIGNATURE in STUB
    return STUB.replace(TODO_2, softmax).replace(TODO_3, attention)


SOFTMAX_A = (
    "    big = torch.finfo(scores.dtype).min\n"
    "    keep = torch.ones_like(scores, dtype=torch.bool) if mask is None else mask.expand_as(scores)\n"
    "    shifted = scores.masked_fill(~keep, big)\n"
    "    shifted = shifted - shifted.amax(dim=dim, keepdim=True)\n"
    "    expo = shifted.exp() * keep\n"
    + ONLY_A +
    "    total = expo.sum(dim=dim, keepdim=True).clamp_min(1e-30)\n"
    "    return expo / total\n")
SOFTMAX_B = (  # A's with every local name changed, and without A's audit line
    "    lowest = torch.finfo(scores.dtype).min\n"
    "    allowed = torch.ones_like(scores, dtype=torch.bool) if mask is None else mask.expand_as(scores)\n"
    "    moved = scores.masked_fill(~allowed, lowest)\n"
    "    moved = moved - moved.amax(dim=dim, keepdim=True)\n"
    "    e = moved.exp() * allowed\n"
    "    denominator = e.sum(dim=dim, keepdim=True).clamp_min(1e-30)\n"
    "    return e / denominator\n")
A = _filled(SOFTMAX_A, HOSTILE_CODE + LONG +
            "    output = torch.matmul(weights, v)\n"
            "    return output.contiguous(), weights.contiguous()\n")
B = _filled(SOFTMAX_B, LONG.replace("weights", "w") +
            "    out = torch.matmul(w, v)\n"
            "    return out.contiguous(), w.contiguous()\n")
NAME_A = "ann"
NAME_B = "zoe <script>window.__pwned=2</script>\"'&amp;"  # after NAME_A: the right pane
HOSTILE_FILE = "<img src=x onerror=window.__pwned=3>&'\".py"


def views(files_a=None, files_b=None):
    files_a = files_a or {"attention.py": A}
    files_b = files_b or {"attention.py": B}
    submissions = {NAME_A: files_a, NAME_B: files_b}
    prints = similar.distinctive(submissions, SPEC)
    [pair] = similar.compare(submissions, SPEC, prints=prints)
    assert (pair.a, pair.b) == (NAME_A, NAME_B)
    return pair, similar.side_by_side(submissions[pair.a], submissions[pair.b], SPEC, prints[pair.a], prints[pair.b],
                                      pair.exercises)


def lines_of(parts):
    return [(block.fold, line) for part in parts for block in part.blocks for line in block.lines]


def line_with(parts, text):
    [(fold, line)] = [(f, ln) for f, ln in lines_of(parts) if text in ln.text]
    return fold, line


def marked(line):
    return "".join(line.text[s:e] for s, e, _ in line.marks)


def test_the_pair_is_listed_where_the_copy_lies():
    pair, alike = views()
    assert {"masked_softmax", "scaled_dot_product_attention"} <= set(pair.exercises)
    assert [v.exercise for v in alike] == list(pair.exercises)
    assert all(0 < v.shared <= v.total for v in alike)


def test_shared_code_is_marked_on_both_sides_with_the_same_fragment_and_the_rest_is_not():
    _, alike = views()
    softmax = next(v for v in alike if v.exercise == "masked_softmax")
    fold_a, line_a = line_with(softmax.a, "shifted = scores.masked_fill(~keep, big)")
    fold_b, line_b = line_with(softmax.b, "moved = scores.masked_fill(~allowed, lowest)")
    assert not fold_a and not fold_b
    assert ".masked_fill(~keep, big)" in marked(line_a) and ".masked_fill(~allowed, lowest)" in marked(line_b)
    assert {n for *_, n in line_a.marks} == {n for *_, n in line_b.marks}  # one fragment, one number, both sides
    _, audit = line_with(softmax.a, "audit = torch.logsumexp")
    assert audit.marks == ()  # only A has it
    _, dim = line_with(softmax.a, "shifted = shifted - shifted.amax")
    assert marked(dim).strip() == dim.text.strip()  # a whole line: what lies between the tokens too


def test_docstrings_and_untouched_starter_code_are_folded_and_the_students_code_is_not():
    _, alike = views()
    softmax = next(v for v in alike if v.exercise == "masked_softmax")
    for parts, body in ((softmax.a, SOFTMAX_A), (softmax.b, SOFTMAX_B)):
        fold, _ = line_with(parts, DOCSTRING)
        assert fold in ("doc", "both")
        fold, signature = line_with(parts, SIGNATURE)
        assert fold == "both" and signature.marks == ()  # the starter's signature, left as it was
        assert all(line_with(parts, line)[0] == "" for line in body.splitlines())  # the student's own code shows
    attention = next(v for v in alike if v.exercise == "scaled_dot_product_attention")
    fold, _ = line_with(attention.a, "    q: torch.Tensor,")  # the starter's multi-line signature
    assert fold == "both"


def test_the_page_marks_folds_and_escapes():
    pair, alike = views({HOSTILE_FILE: A})
    text = page.page(pair, alike, "Transformer", "en")
    assert "<script" not in text and "<img" not in text
    assert "&lt;/code&gt;&lt;/pre&gt;&lt;script&gt;window.__pwned=1&lt;/script&gt; &amp; &quot;quoted&quot; &#x27;too&#x27;" in text
    assert html_name(NAME_B) in text and html_name(HOSTILE_FILE) in text
    assert text.count('<details class="fold') >= 4 and "<details open" not in text
    assert 'title="shared fragment 1"' in text
    assert not re.search(r"https?://", text)  # nothing to fetch


def html_name(name: str) -> str:
    import html

    return html.escape(name, quote=True)


def write_class(out: Path) -> dict[str, str]:
    """A batch's stored code (OUT/code/<stem>.json) for the pair and one student who wrote the task alone."""
    (out / "code").mkdir(parents=True)
    alone = STUB.replace(TODO_2, "    return torch.softmax(scores.masked_fill(mask == 0, -1e9) if mask is not None "
                                 "else scores, dim=dim)\n")
    stems = {}
    for name, files in ((NAME_A, {"attention.py": A}), (NAME_B, {"attention.py": B}), ("cy", {"attention.py": alone})):
        stems[name] = result_stem(name)
        (out / "code" / f"{stems[name]}.json").write_text(render.code_record(SPEC, name, files))
    return stems


def test_the_batch_writes_the_page_where_the_dashboard_links_it(tmp_path):
    out = tmp_path / "out"
    stems = write_class(out)
    (out / render.SIMILARITY).mkdir()
    (out / render.SIMILARITY / "gone--away.html").write_text("stale")
    [pair] = render.write_similarity(out, SPEC, lang="ko")
    assert (pair["a"], pair["b"]) == (NAME_A, NAME_B)
    assert sorted(p.name for p in (out / render.SIMILARITY).iterdir()) == [Path(pair["diff"]).name]
    index = dashboard.page(SPEC, "Transformer", {"similar": [pair]}, [], [], "en")
    [href] = re.findall(r'<a href="([^"]+)">side by side</a>', index)
    target = out / href.replace("%7E", "~")
    assert target.is_file() and stems[NAME_A] in target.name
    text = target.read_text()
    assert '<html lang="ko">' in text and "비슷한 코드" in text and "뼈대 코드와 docstring" in text
    assert f'href="../{render.DASHBOARD}"' in text


def test_grade_similar_writes_the_pages_in_the_language_asked_for(tmp_path):
    from click.testing import CliRunner

    from grader import cli

    out = tmp_path / "out"
    stems = write_class(out)
    for name, stem in stems.items():  # the batch's records: grade similar reads the assignment from them
        (out / f"{stem}.json").write_text(json.dumps({"submission": name, "assignment": "transformer"}))
    for lang, words in (("ko", "비슷한 코드"), ("en", "Code alike")):
        result = CliRunner().invoke(cli.main, ["similar", str(out), "--lang", lang])
        assert result.exit_code == 0, result.output
        [written] = (out / render.SIMILARITY).iterdir()
        text = written.read_text()
        assert f'<html lang="{lang}">' in text and words in text


# --- in a browser ----------------------------------------------------------------------------------------------------

chromium = pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (apt-get install chromium)")


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    root = tmp_path_factory.mktemp("pages")
    pair, alike = views({HOSTILE_FILE: A})
    out = {}
    for lang in ("en", "ko"):
        out[lang] = root / f"pair-{lang}.html"
        out[lang].write_text(page.page(pair, alike, "Transformer", lang))
    return out


@pytest.fixture(scope="module")
def browser():
    if CHROMIUM is None:
        pytest.skip("chromium is not installed (apt-get install chromium)")
    with Browser(1366, 800) as b:
        yield b


MARKS_ON = ("(function(side, text){var line=Array.from(document.querySelectorAll('#ex-0 .pane-'+side+' .l code'))"
            ".find(function(c){return c.textContent.indexOf(text)>=0;});"
            "return Array.from(line.querySelectorAll('mark')).map(function(m){return m.textContent;});})")


@chromium
def test_in_the_browser_shared_code_is_highlighted_in_both_panes(pages, browser):
    browser.open(pages["en"])
    assert browser.js("document.querySelector('#ex-0 h2').textContent") == "masked_softmax"
    assert ".masked_fill(~keep, big)" in "".join(browser.js(f"{MARKS_ON}('a', 'scores.masked_fill(~keep')"))
    assert ".masked_fill(~allowed, lowest)" in "".join(browser.js(f"{MARKS_ON}('b', 'scores.masked_fill(~allowed')"))
    assert browser.js(f"{MARKS_ON}('a', 'audit = torch.logsumexp')") == []
    colour = ("(function(side){return getComputedStyle(document.querySelector('#ex-0 .pane-'+side+' mark[data-f=\"1\"]'))"
              ".backgroundColor;})")
    assert browser.js(f"{colour}('a')") == browser.js(f"{colour}('b')") != "rgba(0, 0, 0, 0)"


@chromium
def test_in_the_browser_docstrings_and_starter_code_are_folded(pages, browser):
    browser.open(pages["en"])
    hidden = ("(function(text){var c=Array.from(document.querySelectorAll('#ex-0 .pane-a .l code'))"
              ".find(function(c){return c.textContent.indexOf(text)>=0;});"
              "return [c.closest('details') !== null && !c.closest('details').open, !c.checkVisibility()];})")
    assert browser.js(f"{hidden}({json.dumps(DOCSTRING)})") == [True, True]
    assert browser.js(f"{hidden}({json.dumps(SIGNATURE)})") == [True, True]
    assert browser.js(f"{hidden}('audit = torch.logsumexp')") == [False, False]
    summary = browser.js("document.querySelector('#ex-0 .pane-a details summary').textContent")
    assert re.fullmatch(r"starter code and docstrings \(\d+ lines\)", summary)
    browser.click("#ex-0 .pane-a details summary")  # a person opens it
    assert browser.js(f"{hidden}({json.dumps(DOCSTRING)})") == [False, False]


@chromium
def test_in_the_browser_nothing_a_student_wrote_becomes_markup(pages, browser):
    browser.open(pages["en"])
    assert browser.js("document.scripts.length") == 0
    assert browser.js("document.querySelectorAll('img').length") == 0
    assert browser.js("typeof window.__pwned") == "undefined"
    assert browser.js("document.querySelector('.pane-b .who').textContent") == NAME_B
    assert browser.js("document.querySelector('.pane-a figcaption').textContent").startswith(HOSTILE_FILE)
    assert "<script>window.__pwned=1</script> & \"quoted\" 'too'" in browser.js("document.body.textContent")


@chromium
@pytest.mark.parametrize("width", [1366, 1280])
def test_in_the_browser_the_page_fits_a_laptop_screen(pages, browser, width):
    browser.page("Emulation.setDeviceMetricsOverride", width=width, height=800, deviceScaleFactor=1, mobile=False)
    try:
        for lang in ("en", "ko"):
            browser.open(pages[lang])
            assert browser.js("document.documentElement.scrollWidth <= innerWidth"), (lang, width)
            boxes = browser.js("Array.from(document.querySelectorAll('.pane')).map(function(p){var r=p.getBoundingClientRect();"
                               "return [r.left, r.right, r.top, p.scrollWidth <= p.clientWidth];})")
            assert boxes and all(right <= width and fits for _, right, _, fits in boxes), boxes
            (left_a, right_a, top_a, _), (left_b, _, top_b, _) = boxes[:2]
            assert left_b >= right_a and top_a == top_b  # side by side, not one under the other
            assert (right_a - left_a) > width / 2 - 80  # each takes about half
            long_line = ("(function(){var c=Array.from(document.querySelectorAll('#ex-1 .pane-a .l code')).find("
                         "function(c){return c.textContent.indexOf('q.new_zeros')>=0;});"
                         "return c.getBoundingClientRect().height / parseFloat(getComputedStyle(c).lineHeight);})()")
            assert browser.js(long_line) > 1.5  # wrapped inside its pane
    finally:
        browser.page("Emulation.setDeviceMetricsOverride", width=1366, height=800, deviceScaleFactor=1, mobile=False)


@chromium
def test_screenshots_in_english_and_korean(pages, browser, tmp_path):
    shots = Path(os.environ.get("NLP_GRADER_SHOTS") or tmp_path)
    for lang, heading in (("en", "Code alike: ann and "), ("ko", "비슷한 코드: ann과 ")):
        browser.open(pages[lang])
        assert browser.js("document.documentElement.lang") == lang
        assert browser.js("document.querySelector('h1').textContent").startswith(heading)
        path = browser.screenshot(shots / f"similar-{lang}.png", full=False)
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
