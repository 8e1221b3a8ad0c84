"""The class dashboard, ``OUT/index.html``: one self-contained page (no server, no network, no file beside it needed)
for the instructor's morning after a deadline.

The class at a glance (the score distribution and the pass rate per exercise as inline SVG, with the median and
quartiles), the gradebook as a real table that sorts and filters in the page (a few lines of script, keyboard
operable: every column heading is a button), a flag per student for what needs a look (did not parse, timed out,
crashed, invalid, grader error, similar to someone, late, regraded), per-exercise statistics with the named
mistakes in words, the similar pairs, the regrades and a link from each student to their feedback page.

Everything shown comes from stored records, summaries and history entries, which a submission can fill with text
of its choosing: every piece of it is escaped here (``_e``), links are percent-encoded, the script reads only the
page's own attributes, and the page is the same for the same inputs (no clock, no random ids).
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from grader import clean, stats
from grader.messages import plain, render

if TYPE_CHECKING:
    from grader.spec import Assignment

FLAGS = ("syntax", "timeout", "crashed", "invalid", "grader_error", "similar", "late", "regraded")
"""Every flag the gradebook can show, in the order they are listed (``dash.flag.<flag>``)."""
STATUS = {s: f"dash.status.{s}" for s in stats.GRADEBOOK_STATUSES}
"""The status column: the gradebook's (grader.stats.gradebook_status), in words."""


@dataclass(frozen=True)
class Student:
    """One gradebook row: the stored record, where its feedback page is, and what the batch knows about it."""

    record: dict[str, Any]
    link: str | None = None
    """The feedback page relative to the dashboard (``<stem>.html`` or ``<stem>.md``), None when there is none."""
    similar: tuple[str, ...] = ()
    late: bool = False
    history: tuple[Mapping[str, Any], ...] = field(default=())


def _e(value: Any, limit: int = 2000) -> str:
    """Any text from a record, cleaned and escaped for HTML text and attribute values alike."""
    return html.escape(clean.text(value, limit), quote=True)


def _href(path: str) -> str:
    return html.escape(quote(clean.name(path, 1000), safe="/"), quote=True)


def _t(lang: str, key: str, **params: Any) -> str:
    return _e(render(key, lang, **params))


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _dv(value: float | None) -> str:
    """A number for sorting (``data-value``); empty sorts first."""
    return "" if value is None else repr(value)


def _fmt(value: Any) -> str:
    number = _number(value)
    return "–" if number is None else f"{number:g}"


def words(key: str, fallback: str, lang: str) -> str:
    """A catalogued mistake's or diagnosis's words for a table (a row per kind, so no observed values to fill in):
    its short name (``<key>.name``) where it has one, else its sentence where that needs no values, else
    ``fallback`` (its id). A judge's diagnosis carries its variant in its id (``dropout_dependent.rows``): the
    variant's name, else the kind's, else the variant's sentence, else the kind's."""
    parts = key.split(".")
    kinds = [".".join(parts[:n]) for n in range(len(parts), 1, -1)]
    for candidate in [f"{k}.name" for k in kinds] + kinds:
        text = plain(candidate, lang)
        if text:
            return text
    return fallback


def flags_of(student: Student) -> list[str]:
    """What needs a look in this student's record, in :data:`FLAGS` order."""
    record = student.record
    status = stats.status_of(record)
    found: set[str] = set()
    if status in ("invalid", "grader_error"):
        found.add(status)
    if status == "graded":  # what stopped the code, as the gradebook's status tells it (the first of them there)
        found |= {"syntax" if p == "syntax_error" else p for p in stats.problems_of(record)}
    if student.similar:
        found.add("similar")
    if student.late:
        found.add("late")
    if student.history:
        found.add("regraded")
    return [f for f in FLAGS if f in found]


# --- pictures -------------------------------------------------------------------------------------

_SVG_STYLE = ('<pattern id="hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">'
              '<rect width="6" height="6" fill="#d9d9d9"/><line x1="0" y1="0" x2="0" y2="6" stroke="#555" '
              'stroke-width="1.5"/></pattern>')


def histogram_svg(summary: Mapping[str, Any], lang: str) -> str:
    """The score distribution: hatched gray bars, the median as a solid line, the quartiles dashed."""
    counts = [int(c) for c in summary.get("histogram", {}).get("counts", [])] or [0] * 10
    max_score = _number(summary.get("max_score")) or 1.0
    w, h, left, bottom, top = 560, 240, 44, 40, 14
    plot_w, plot_h = w - left - 12, h - bottom - top
    peak = max(max(counts), 1)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" width="100%" role="img" '
             f'aria-labelledby="hist-title hist-desc"><title id="hist-title">{_t(lang, "dash.hist_title")}</title>',
             f'<desc id="hist-desc">{_hist_desc(summary, lang)}</desc><defs>{_SVG_STYLE}</defs>']
    bar = plot_w / len(counts)
    for i, n in enumerate(counts):
        bh = plot_h * n / peak
        x, y = left + i * bar, top + plot_h - bh
        parts.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar - 2:.1f}" height="{bh:.1f}" fill="url(#hatch)" '
                     f'stroke="#000" stroke-width="0.8"><title>{_fmt(max_score * i / 10)}–'
                     f'{_fmt(max_score * (i + 1) / 10)}: {n}</title></rect>')
        if n:
            parts.append(f'<text x="{x + bar / 2 - 1:.1f}" y="{y - 3:.1f}" text-anchor="middle" font-size="11">{n}</text>')
    for i in range(11):
        x = left + i * bar
        parts.append(f'<line x1="{x:.1f}" y1="{top + plot_h}" x2="{x:.1f}" y2="{top + plot_h + 4}" stroke="#000"/>')
        if i % 2 == 0:
            parts.append(f'<text x="{x:.1f}" y="{top + plot_h + 16}" text-anchor="middle" font-size="11">'
                         f'{_fmt(round(max_score * i / 10, 2))}</text>')
    parts.append(f'<line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" y2="{top + plot_h}" stroke="#000"/>')
    parts.append(f'<text x="{left + plot_w / 2}" y="{h - 4}" text-anchor="middle" font-size="12">'
                 f'{_t(lang, "dash.axis_score", max_score=max_score)}</text>')
    parts.append(f'<text x="12" y="{top + plot_h / 2}" text-anchor="middle" font-size="12" '
                 f'transform="rotate(-90 12 {top + plot_h / 2})">{_t(lang, "dash.axis_count")}</text>')
    q = summary.get("quartiles")
    if isinstance(q, dict):
        for key, dash, width in (("q1", "6 4", 1.4), ("median", "", 2.6), ("q3", "6 4", 1.4)):
            value = _number(q.get(key))
            if value is None:
                continue
            x = left + plot_w * min(max(value / max_score, 0), 1)
            style = f' stroke-dasharray="{dash}"' if dash else ""
            parts.append(f'<line class="{key}" x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{top + plot_h}" stroke="#000" '
                         f'stroke-width="{width}"{style}><title>{_e(key)} {_fmt(value)}</title></line>')
    parts.append("</svg>")
    return "".join(parts)


def _hist_desc(summary: Mapping[str, Any], lang: str) -> str:
    q = summary.get("quartiles")
    if not isinstance(q, dict):
        return _t(lang, "dash.hist_empty")
    width = (_number(summary.get("max_score")) or 1.0) / 10
    return _t(lang, "dash.hist_desc", graded=summary.get("graded", 0), width=width, median=q["median"], q1=q["q1"],
              q3=q["q3"])


def pass_rates_svg(summary: Mapping[str, Any], lang: str) -> str:
    """The pass rate per exercise: one horizontal bar each, its percentage written beside it."""
    rows = [e for e in summary.get("exercises", []) if isinstance(e, dict)]
    w, label, row_h = 560, 220, 22
    h = row_h * max(len(rows), 1) + 10
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" width="100%" role="img" '
             f'aria-labelledby="rates-title rates-desc"><title id="rates-title">{_t(lang, "batch.pass_rates")}</title>'
             f'<desc id="rates-desc">{_t(lang, "dash.rates_desc")}</desc>']
    span = w - label - 50
    for i, e in enumerate(rows):
        y = 5 + i * row_h
        rate = _number(e.get("pass_rate"))
        parts.append(f'<text x="{label - 6}" y="{y + 15}" text-anchor="end" font-size="12">{_e(e.get("id"), 80)}</text>')
        parts.append(f'<rect x="{label}" y="{y + 3}" width="{span}" height="{row_h - 6}" fill="none" stroke="#999" '
                     'stroke-width="0.6"/>')
        if rate is not None:
            parts.append(f'<rect x="{label}" y="{y + 3}" width="{span * rate:.1f}" height="{row_h - 6}" fill="#8c8c8c" '
                         f'stroke="#000" stroke-width="0.8"/><text x="{label + span + 6}" y="{y + 15}" font-size="12">'
                         f'{100 * rate:.0f}%</text>')
        else:
            parts.append(f'<text x="{label + span + 6}" y="{y + 15}" font-size="12">–</text>')
    parts.append("</svg>")
    return "".join(parts)


# --- the page -------------------------------------------------------------------------------------

_CSS = """
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI","Noto Sans KR","Noto Sans CJK KR",sans-serif;margin:0 auto;
max-width:1280px;padding:0 1rem 3rem;color:#111;background:#fff}
h1{font-size:1.5rem;margin:1rem 0 .2rem}h2{font-size:1.2rem;margin:2rem 0 .5rem;border-bottom:1px solid #ccc}
nav a{margin-right:1rem}.glance{display:grid;grid-template-columns:repeat(auto-fit,minmax(420px,1fr));gap:1.5rem}
figure{margin:0}figcaption{font-size:.85rem;color:#333}
table{border-collapse:collapse;width:100%;font-variant-numeric:tabular-nums}
th,td{border-bottom:1px solid #ddd;padding:.25rem .45rem;text-align:left;vertical-align:top}
td.num{text-align:right}thead th{background:#f3f3f3;position:sticky;top:0}
thead th button{font:inherit;font-weight:600;border:0;background:none;padding:0;cursor:pointer;text-align:left}
thead th button:focus-visible{outline:3px solid #1a5fb4;outline-offset:2px}
th[aria-sort=ascending] button::after{content:" ▲"}th[aria-sort=descending] button::after{content:" ▼"}
.flag{display:inline-block;border:1px solid #555;border-radius:3px;padding:0 .3rem;margin:0 .2rem .1rem 0;font-size:.8rem}
.flag-invalid,.flag-grader_error,.flag-syntax{border-width:2px}.flag-similar{border-style:dashed}
.controls{display:flex;flex-wrap:wrap;gap:1rem;align-items:end;margin:.5rem 0}
.controls label{display:flex;flex-direction:column;font-size:.85rem}
.controls input,.controls select{font:inherit;padding:.2rem .3rem}.hint{font-size:.85rem;color:#333}
.wide{overflow-x:auto}td.num,.flag,td.nowrap{white-space:nowrap}:lang(ko){word-break:keep-all}
th.ex{max-width:7.5rem;font-size:.8rem}
.sr-only{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
"""

_SCRIPT = """
(function(){
  var table=document.getElementById('gradebook-table');if(!table)return;
  var body=table.tBodies[0],rows=Array.prototype.slice.call(body.rows);
  var filter=document.getElementById('filter'),show=document.getElementById('flag-filter');
  var count=document.getElementById('shown'),template=count.getAttribute('data-template');
  function apply(){
    var q=filter.value.trim().toLowerCase(),f=show.value,n=0;
    rows.forEach(function(r){
      var flags=' '+r.getAttribute('data-flags')+' ';
      var ok=(!q||r.getAttribute('data-name').toLowerCase().indexOf(q)>=0)&&
             (!f||(f==='*'?flags.trim()!=='':flags.indexOf(' '+f+' ')>=0));
      r.hidden=!ok;if(ok)n++;
    });
    count.textContent=template.replace('{shown}',n).replace('{total}',rows.length);
  }
  filter.addEventListener('input',apply);show.addEventListener('change',apply);
  var heads=table.tHead.rows[0].cells;
  function key(r,i){var c=r.cells[i],v=c.getAttribute('data-value');return v===null?c.textContent.trim():v;}
  Array.prototype.forEach.call(heads,function(th,i){
    var b=th.querySelector('button');if(!b)return;
    b.addEventListener('click',function(){
      var asc=th.getAttribute('aria-sort')!=='ascending',numeric=th.getAttribute('data-type')==='number';
      Array.prototype.forEach.call(heads,function(h){if(h.hasAttribute('aria-sort'))h.setAttribute('aria-sort','none');});
      th.setAttribute('aria-sort',asc?'ascending':'descending');
      rows.sort(function(a,b){
        var x=key(a,i),y=key(b,i),d;
        if(numeric){x=x===''?-Infinity:parseFloat(x);y=y===''?-Infinity:parseFloat(y);d=x-y;}
        else{d=x.localeCompare(y);}
        if(d===0)d=key(a,0).localeCompare(key(b,0));
        return asc?d:-d;
      });
      rows.forEach(function(r){body.appendChild(r);});
    });
  });
  apply();
})();
"""


def page(spec: Assignment, title: str, summary: Mapping[str, Any], students: Sequence[Student],
         history: Sequence[Mapping[str, Any]], lang: str, *, due: str | None = None) -> str:
    """``index.html`` for a batch: the summary of grader.stats, one :class:`Student` per record, the regrade
    history (oldest first) in ``lang``."""
    ordered = sorted(students, key=lambda s: str(s.record.get("submission", "")))
    head = (f'<!DOCTYPE html>\n<html lang="{_e(lang, 5)}"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; "
            "script-src 'unsafe-inline'; img-src data:\">"
            f'<title>{_t(lang, "dash.title", title=title)}</title><style>{_CSS}</style></head><body>')
    mean = summary.get("mean")
    counts = _t(lang, "dash.summary", submissions=summary.get("submissions", 0), graded=summary.get("graded", 0),
                mean="–" if mean is None else mean, max_score=_number(summary.get("max_score")) or 0)
    intro = [f'<h1>{_t(lang, "dash.title", title=title)}</h1>', f'<p>{counts}',
             f' · {_t(lang, "dash.due", due=due)}' if due else "", "</p>"]
    q = summary.get("quartiles")
    if isinstance(q, dict):
        intro.append(f'<p id="quartiles">{_t(lang, "batch.quartiles", **q)}</p>')
    nav = ('<nav aria-label="sections">' + "".join(
        f'<a href="#{anchor}">{_t(lang, key)}</a>' for anchor, key in (
            ("glance", "dash.glance"), ("gradebook", "dash.gradebook"), ("exercises", "dash.exercises"),
            ("similar", "dash.similar"), ("regrades", "dash.regrades"))) + "</nav>")
    glance = (f'<section id="glance" aria-labelledby="glance-h"><h2 id="glance-h">{_t(lang, "dash.glance")}</h2>'
              f'<div class="glance"><figure>{histogram_svg(summary, lang)}<figcaption>{_hist_desc(summary, lang)}'
              f'</figcaption></figure><figure>{pass_rates_svg(summary, lang)}<figcaption>'
              f'{_t(lang, "dash.rates_desc")}</figcaption></figure></div></section>')
    parts = [head, "<main>", *intro, nav, glance, _gradebook(spec, ordered, lang), _exercises(spec, summary, lang),
             _similar(summary, lang), _regrades(history, lang), _rejected(summary, lang), "</main>",
             f"<script>{_SCRIPT}</script></body></html>\n"]
    return "".join(parts)


def _breakable(escaped: str) -> str:
    """An escaped identifier that may wrap after an underscore or between camel-case words, not mid-word."""
    return re.sub(r"([a-z])(?=[A-Z])", r"\1<wbr>", escaped.replace("_", "_<wbr>"))


def _gradebook(spec: Assignment, students: Sequence[Student], lang: str) -> str:
    ids = [e.id for e in spec.exercises]
    options = "".join(f'<option value="{f}">{_t(lang, f"dash.flag.{f}")}</option>' for f in FLAGS)
    out = [f'<section id="gradebook" aria-labelledby="gradebook-h"><h2 id="gradebook-h">{_t(lang, "dash.gradebook")}</h2>',
           '<div class="controls">',
           f'<label for="filter">{_t(lang, "dash.filter")}<input id="filter" type="search" autocomplete="off"></label>',
           f'<label for="flag-filter">{_t(lang, "dash.flag_filter")}<select id="flag-filter">'
           f'<option value="">{_t(lang, "dash.all")}</option><option value="*">{_t(lang, "dash.flagged")}</option>'
           f'{options}</select></label>',
           f'<p id="shown" role="status" aria-live="polite" '
           f'data-template="{_t(lang, "dash.shown", shown="{shown}", total="{total}")}">'
           f'{_t(lang, "dash.shown", shown=len(students), total=len(students))}</p></div>',
           f'<p class="hint">{_t(lang, "dash.sort_hint")}</p><div class="wide">',
           f'<table id="gradebook-table"><caption class="sr-only">{_t(lang, "dash.gradebook")}</caption><thead><tr>']
    columns: list[tuple[str, str, str | None]] = [
        ("dash.col.student", "text", None), ("ui.col.score", "number", None), ("ui.col.status", "text", None),
               ("dash.col.flags", "text", None), *[("", "number", i) for i in ids], ("dash.col.quiz", "number", None)]
    for key, kind, ex in columns:
        label = _breakable(_e(ex, 80)) if ex is not None else _t(lang, key)
        css = ' class="ex"' if ex is not None else ""
        out.append(f'<th scope="col"{css} aria-sort="none" data-type="{kind}"><button type="button">{label}</button></th>')
    out.append(f'<th scope="col">{_t(lang, "dash.col.feedback")}</th></tr></thead><tbody>')
    for s in students:
        out.append(_row(s, ids, lang))
    out.append("</tbody></table></div></section>")
    return "".join(out)


def _row(s: Student, ids: Sequence[str], lang: str) -> str:
    record = s.record
    name = clean.name(record.get("submission", ""))
    flags = flags_of(s)
    status = stats.gradebook_status(record)
    per = {e.get("id"): e for e in record.get("exercises", []) if isinstance(e, dict)}
    chips = []
    for f in flags:
        text = render("dash.similar_to", lang, names=", ".join(s.similar)) if f == "similar" else render(f"dash.flag.{f}", lang)
        chips.append(f'<span class="flag flag-{f}">{_e(text)}</span>')
    score = _number(record.get("score"))
    cells = [f'<tr data-name="{_e(name)}" data-flags="{" ".join(flags)}"><th scope="row">{_e(name)}</th>',
             f'<td class="num" data-value="{_dv(score)}">{_fmt(score)} / '
             f'{_fmt(record.get("max_score"))}</td>' if score is not None else '<td class="num" data-value="">–</td>',
             f'<td class="nowrap">{_t(lang, STATUS[status]) if status in STATUS else _e(status)}</td>',
             f'<td data-value="{" ".join(flags)}">{"".join(chips)}</td>']
    for i in ids:
        e = per.get(i)
        value = _number(e.get("score")) if e else None
        title = f' title="{_t(lang, "status." + e["status"])}"' if e and e.get("status") in (
            "passed", "failed", "error", "not_attempted", "timeout", "missing") else ""
        cells.append(f'<td class="num" data-value="{_dv(value)}"{title}>{_fmt(value)}</td>')
    quiz = record.get("quiz") if isinstance(record.get("quiz"), dict) else {}
    quiz_score = _number(quiz.get("score")) if quiz else None
    cells.append(f'<td class="num" data-value="{_dv(quiz_score)}">{_fmt(quiz_score)}</td>')
    link = f'<a href="{_href(s.link)}">{_t(lang, "dash.feedback")}</a>' if s.link else "–"
    cells.append(f'<td class="nowrap">{link}</td></tr>')
    return "".join(cells)


def _exercises(spec: Assignment, summary: Mapping[str, Any], lang: str) -> str:
    by_id = {e.get("id"): e for e in summary.get("exercises", []) if isinstance(e, dict)}
    out = [f'<section id="exercises" aria-labelledby="exercises-h"><h2 id="exercises-h">{_t(lang, "dash.exercises")}</h2>'
           '<div class="wide"><table><thead><tr>']
    for key in ("ui.col.exercise", "ui.col.points", "dash.col.pass_rate", "dash.col.passed", "dash.col.not_attempted",
                "dash.col.mistakes", "dash.col.diagnoses"):
        out.append(f'<th scope="col">{_t(lang, key)}</th>')
    out.append("</tr></thead><tbody>")
    for ex in spec.exercises:
        e = by_id.get(ex.id, {})
        rate = _number(e.get("pass_rate"))
        mistakes = _named(e.get("mistakes"), "mistake", lang)
        diagnoses = _named(e.get("diagnoses"), "diagnosis", lang)
        out.append(f'<tr><th scope="row">{_e(ex.id, 80)}</th><td class="num">{ex.points:g}</td>'
                   f'<td class="num">{"–" if rate is None else f"{100 * rate:.0f}%"}</td>'
                   f'<td class="num">{_fmt(e.get("passed"))} / {_fmt(e.get("graded"))}</td>'
                   f'<td class="num">{_fmt(e.get("not_attempted"))}</td><td>{mistakes}</td><td>{diagnoses}</td></tr>')
    out.append("</tbody></table></div></section>")
    return "".join(out)


def _named(items: Any, kind: str, lang: str) -> str:
    found = [m for m in items if isinstance(m, dict) and isinstance(m.get(kind), str)] if isinstance(items, list) else []
    if not found:
        return f'<span class="hint">{_t(lang, "dash.none")}</span>'
    lines = []
    for m in found:
        said = words(f"{kind}.{m[kind]}", m[kind], lang)
        ident = f' <span class="hint">({_e(m[kind], 80)})</span>' if said != m[kind] else ""
        lines.append(f'<li>{_e(said)}{ident}: <strong>{_fmt(m.get("students"))}</strong></li>')
    return "<ul>" + "".join(lines) + "</ul>"


def _similar(summary: Mapping[str, Any], lang: str) -> str:
    pairs = [p for p in summary.get("similar", []) if isinstance(p, dict)]
    out = [f'<section id="similar" aria-labelledby="similar-h"><h2 id="similar-h">{_t(lang, "dash.similar")}</h2>']
    if not pairs:
        out.append(f'<p>{_t(lang, "batch.similar_none")}</p></section>')
        return "".join(out)
    out.append(f'<p class="hint">{_t(lang, "dash.similar_note")}</p><table><thead><tr>')
    for key in ("batch.col.a", "batch.col.b", "batch.col.similarity", "batch.col.exercises", "dash.side_by_side"):
        out.append(f'<th scope="col">{_t(lang, key)}</th>')
    out.append("</tr></thead><tbody>")
    for p in pairs:
        link = f'<a href="{_href(p["diff"])}">{_t(lang, "dash.side_by_side")}</a>' if isinstance(p.get("diff"), str) else "–"
        out.append(f'<tr><td>{_e(clean.name(p.get("a")))}</td><td>{_e(clean.name(p.get("b")))}</td>'
                   f'<td class="num">{_fmt(p.get("score"))}</td><td>{_e(", ".join(map(str, p.get("exercises", []))))}</td>'
                   f"<td>{link}</td></tr>")
    out.append("</tbody></table></section>")
    return "".join(out)


def change_text(entry: Mapping[str, Any]) -> tuple[str, str, str]:
    """An entry's old score, new score and signed difference, as shown."""
    old, new = _number(entry.get("old", {}).get("score")), _number(entry.get("new", {}).get("score"))
    delta = "–" if old is None or new is None else f"{new - old:+.2f}".rstrip("0").rstrip(".")
    return _fmt(old), _fmt(new), "±0" if delta in ("+", "-", "+0", "-0") else delta


def changed_exercises(entry: Mapping[str, Any], lang: str) -> str:
    old = entry.get("old", {}).get("exercises", {}) if isinstance(entry.get("old"), dict) else {}
    new = entry.get("new", {}).get("exercises", {}) if isinstance(entry.get("new"), dict) else {}
    parts = []
    for ex in new if isinstance(new, dict) else {}:
        a, b = _number(old.get(ex)) if isinstance(old, dict) else None, _number(new.get(ex))
        if b is not None and a != b:
            parts.append(render("history.exercise", lang, exercise=ex, old=a if a is not None else 0, new=b))
    return ", ".join(parts)


def _regrades(history: Sequence[Mapping[str, Any]], lang: str) -> str:
    out = [f'<section id="regrades" aria-labelledby="regrades-h"><h2 id="regrades-h">{_t(lang, "dash.regrades")}</h2>']
    if not history:
        out.append(f'<p>{_t(lang, "dash.regrades_none")}</p></section>')
        return "".join(out)
    out.append("<table><thead><tr>")
    for key in ("dash.col.student", "dash.col.when", "dash.col.change", "dash.col.exercises_changed", "dash.col.reason",
                "dash.col.version"):
        out.append(f'<th scope="col">{_t(lang, key)}</th>')
    out.append("</tr></thead><tbody>")
    for entry in reversed(history):  # the latest first
        old, new, delta = change_text(entry)
        reason = entry.get("reason") or render("history.no_reason", lang)
        out.append(f'<tr><th scope="row">{_e(clean.name(entry.get("student")))}</th><td>{_e(entry.get("when"), 40)}</td>'
                   f'<td class="num">{_e(old)} → {_e(new)} ({_e(delta)})</td><td>{_e(changed_exercises(entry, lang))}</td>'
                   f'<td>{_e(reason)}</td><td>{_e(entry.get("grader_version"), 40)}</td></tr>')
    out.append("</tbody></table></section>")
    return "".join(out)


def _rejected(summary: Mapping[str, Any], lang: str) -> str:
    rejected = [r for r in summary.get("rejected", []) if isinstance(r, dict)]
    if not rejected:
        return ""
    items = []
    for r in rejected:
        reason = render(f"batch.reason.{r.get('reason')}", lang, entries=", ".join(clean.name(e) for e in r.get("entries", [])))
        items.append(f"<li>{_e(render('batch.rejected', lang, name=clean.name(r.get('submission')), reason=reason))}</li>")
    return (f'<section id="not-graded" aria-labelledby="not-graded-h"><h2 id="not-graded-h">{_t(lang, "dash.not_graded")}'
            f'</h2><ul>{"".join(items)}</ul></section>')
