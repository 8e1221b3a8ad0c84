"""The page of one similar pair, ``OUT/similarity/<a>--<b>.html``: what the two submissions have alike.

The code of the exercises where the pair was flagged, side by side, with the shared fragments highlighted: the
fingerprints the two have in common (grader.similar: normalised tokens, the reference's, the stubs' and the class's
common ones set aside) marked on the source they come from, one colour per fragment on both sides, wherever each side
put it. Docstrings and untouched starter code are folded away (``<details>``, closed). Two panes that share the
width of a laptop screen, long lines wrapped inside their pane.

One self-contained page (no script, no network, nothing beside it needed); everything a submission wrote (its name,
its file names, its code) is escaped here, and the page is the same for the same inputs.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import Any

from grader import clean, similar
from grader.messages import render

COLOURS = ("#ffe08a", "#b8e3ff", "#c9f2c0", "#ffc9de", "#e0d1ff", "#ffd4b0")
"""One background per fragment, in turn (dark text on each stays readable)."""
MAX_CODE = 200_000
"""Characters of one line of code shown at most (a cut is marked)."""

_CSS = """
*{box-sizing:border-box}
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI","Noto Sans KR","Noto Sans CJK KR",sans-serif;margin:0;
padding:0 1rem 2rem;color:#111;background:#fff}:lang(ko){word-break:keep-all}
h1{font-size:1.4rem;margin:.6rem 0 .2rem;overflow-wrap:anywhere}h2{font-size:1.15rem;margin:1.6rem 0 .3rem;
border-bottom:1px solid #ccc;overflow-wrap:anywhere}.hint{font-size:.85rem;color:#333;max-width:75rem}
.pair{display:grid;grid-template-columns:repeat(2,minmax(0,1fr));gap:.75rem;align-items:start}
@media (max-width:760px){.pair{grid-template-columns:minmax(0,1fr)}}
.pane{min-width:0;border:1px solid #bbb;border-radius:4px}
.who{position:sticky;top:0;z-index:1;margin:0;padding:.3rem .5rem;font-size:.95rem;background:#f3f3f3;
border-bottom:1px solid #bbb;overflow-wrap:anywhere}
.part{margin:0}.part figcaption{font-size:.8rem;color:#333;padding:.2rem .5rem;background:#fafafa;
border-bottom:1px solid #eee;overflow-wrap:anywhere}
.code{font:12.5px/1.45 ui-monospace,"DejaVu Sans Mono",Menlo,Consolas,"Noto Sans Mono CJK KR",monospace;
padding:.2rem 0}
.l{display:grid;grid-template-columns:3.2em minmax(0,1fr)}
.n{color:#666;text-align:right;padding-right:.6em;user-select:none}
.l code{font:inherit;white-space:pre-wrap;padding-left:4ch;text-indent:-4ch;overflow-wrap:anywhere;tab-size:4;min-width:0}
mark{color:#111;border-radius:2px;box-shadow:0 0 0 1px rgba(0,0,0,.12)}
details.fold{margin:.1rem .3rem;border-left:3px solid #ccc;background:#f7f7f7}
details.fold summary{cursor:pointer;font:.8rem system-ui,sans-serif;color:#333;padding:.1rem .4rem}
details.fold summary:focus-visible,a:focus-visible{outline:3px solid #1a5fb4;outline-offset:2px}
.missing{padding:.5rem;font-style:italic}
"""


def _e(value: Any, limit: int = 2000) -> str:
    return html.escape(clean.text(value, limit), quote=True)


def _t(lang: str, key: str, **params: Any) -> str:
    return _e(render(key, lang, **params))


def _css() -> str:
    colours = "".join(f"mark.f{i}{{background:{c}}}" for i, c in enumerate(COLOURS))
    return _CSS + colours + "\n"


def page(pair: similar.Pair, views: Sequence[similar.Alike], assignment: str, lang: str, *,
         back: str | None = "../index.html") -> str:
    """The page of ``pair`` in ``lang``: one section per :class:`grader.similar.Alike` of ``views``; ``back``: the
    class page, relative to this one (None: no link)."""
    a, b = clean.name(pair.a), clean.name(pair.b)
    title = _t(lang, "alike.title", a=a, b=b)
    out = [f'<!DOCTYPE html>\n<html lang="{_e(lang, 5)}"><head><meta charset="utf-8">'
           '<meta name="viewport" content="width=device-width, initial-scale=1">'
           "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">"
           f"<title>{title}</title><style>{_css()}</style></head><body><header>"]
    if back:
        out.append(f'<p><a href="{_e(back)}">← {_t(lang, "alike.back")}</a></p>')
    summary = _t(lang, "alike.summary", assignment=assignment, score=f"{pair.score:.2f}", shared=pair.shared,
                 k=similar.K)
    out += [f"<h1>{title}</h1>", f"<p>{summary}</p>",
            f'<p class="hint">{_t(lang, "alike.note")}</p></header><main>']
    for index, view in enumerate(views):
        out.append(f'<section id="ex-{index}" aria-labelledby="ex-{index}-h"><h2 id="ex-{index}-h">{_e(view.exercise)}</h2>'
                   f'<p class="hint">{_t(lang, "alike.exercise", shared=view.shared, total=view.total)}</p>'
                   '<div class="pair">')
        for name, parts, side in ((a, view.a, "a"), (b, view.b, "b")):
            out.append(f'<div class="pane pane-{side}" role="region" aria-label="{_e(name)}">'
                       f'<h3 class="who">{_e(name)}</h3>')
            if not parts:
                out.append(f'<p class="missing">{_t(lang, "alike.missing", name=name, exercise=view.exercise)}</p>')
            out += [_part(part, lang) for part in parts]
            out.append("</div>")
        out.append("</div></section>")
    out.append("</main></body></html>\n")
    return "".join(out)


def _part(part: similar.Part, lang: str) -> str:
    lines = [line for block in part.blocks for line in block.lines]
    where = (_t(lang, "alike.lines", file=clean.name(part.file), first=lines[0].number, last=lines[-1].number)
             if lines else _e(clean.name(part.file)))
    out = [f'<figure class="part"><figcaption>{where}</figcaption><div class="code">']
    for block in part.blocks:
        shown = "".join(_line(line, lang) for line in block.lines)
        if block.fold:
            out.append(f'<details class="fold fold-{_e(block.fold, 10)}"><summary>'
                       f'{_t(lang, f"alike.fold.{block.fold}", lines=len(block.lines))}</summary>{shown}</details>')
        else:
            out.append(shown)
    out.append("</div></figure>")
    return "".join(out)


def _line(line: similar.Line, lang: str) -> str:
    text, pieces, at = line.text, [], 0
    for start, end, number in line.marks:
        pieces.append(_code(text[at:start]))
        pieces.append(f'<mark class="f{(number - 1) % len(COLOURS)}" data-f="{number}" '
                      f'title="{_t(lang, "alike.fragment", number=number)}">{_code(text[start:end])}</mark>')
        at = end
    pieces.append(_code(text[at:]))
    return f'<div class="l"><span class="n" aria-hidden="true">{line.number}</span><code>{"".join(pieces)}</code></div>'


def _code(text: str) -> str:
    return html.escape(clean.text(text, MAX_CODE), quote=True)
