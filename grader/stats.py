"""Class statistics from a batch's stored results, and their plots (readable in grayscale).

Per exercise, the share of graded submissions that pass it; per case, how many failed it and on which check
(submissions that did not attempt the exercise are counted apart); catalogued mistakes and diagnoses counted
on their own exercise only (a mistake in one exercise also breaks the exercises whose code calls it, but it is
counted once, where it was made); the score distribution with its median and quartiles.
"""

from __future__ import annotations

import io
import os
import statistics
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from grader.messages import render

if TYPE_CHECKING:
    from grader.spec import Assignment


def status_of(d: dict[str, Any]) -> str:
    """What the batch did with a submission: ``graded`` (its code was run), ``invalid`` or ``grader_error``."""
    record = d.get("batch")
    return str(record.get("status", "graded")) if isinstance(record, dict) else "graded"


GRADEBOOK_STATUSES = ("graded", "syntax_error", "timeout", "crashed", "invalid", "grader_error")
"""The gradebook's status column: a graded submission is told apart by what stopped its code, the first that
applies of ``syntax_error`` (a file did not parse), ``timeout`` (a case ran past its limit), ``crashed`` (the process
running it died: exit, signal, memory); ``graded`` is a submission whose code ran."""
_PROBLEMS = {"check.syntax": "syntax_error", "check.timeout": "timeout", "check.timeout_at": "timeout",
             "check.submission_timeout": "timeout", "check.submission_timeout_at": "timeout",
             "check.cpu_time": "timeout", "check.crashed": "crashed", "check.signal": "crashed",
             "check.memory": "crashed"}


def problems_of(d: dict[str, Any]) -> set[str]:
    """What stopped a graded submission's code (``syntax_error``, ``timeout``, ``crashed``), from its failed checks."""
    found: set[str] = set()
    for x in _exercises(d):
        if x.get("status") == "timeout":
            found.add("timeout")
        for c in x.get("cases", []) if isinstance(x.get("cases"), list) else []:
            for ch in c.get("checks", []) if isinstance(c, dict) and isinstance(c.get("checks"), list) else []:
                if isinstance(ch, dict) and not ch.get("passed") and ch.get("code") in _PROBLEMS:
                    found.add(_PROBLEMS[str(ch["code"])])
    return found


def gradebook_status(d: dict[str, Any]) -> str:
    """The gradebook's status (:data:`GRADEBOOK_STATUSES`); the dashboard shows the same."""
    status = status_of(d)
    if status != "graded":
        return status
    found = problems_of(d)
    return next((s for s in GRADEBOOK_STATUSES[1:4] if s in found), "graded")


def gradebook_score(d: dict[str, Any]) -> float | None:
    """The score the gradebook gives: an invalid submission 0, a grader error none (it is graded again)."""
    if status_of(d) == "grader_error":
        return None
    score = d.get("score", 0)
    return float(score) if isinstance(score, (int, float)) and not isinstance(score, bool) else 0.0


def _quartiles(scores: Sequence[float]) -> dict[str, float] | None:
    if not scores:
        return None
    ordered = sorted(scores)
    if len(ordered) == 1:
        q1 = q3 = ordered[0]
    else:
        q1, _, q3 = statistics.quantiles(ordered, n=4, method="inclusive")
    return {"min": ordered[0], "q1": round(q1, 2), "median": round(statistics.median(ordered), 2),
            "q3": round(q3, 2), "max": ordered[-1]}


def _exercises(d: dict[str, Any]) -> list[dict[str, Any]]:
    return [x for x in d.get("exercises", []) if isinstance(x, dict)]


def _ids(items: Any) -> list[str]:
    """Ids of a result's mistakes or diagnoses (dicts with an ``id`` or a ``code``, or plain strings)."""
    out = []
    for item in items if isinstance(items, list) else []:
        value = item.get("id") or item.get("code") if isinstance(item, dict) else item
        if isinstance(value, str):
            out.append(value)
    return out


def _upstream(spec: Assignment) -> dict[str, set[str]]:
    """Every exercise each one depends on, directly or through others."""
    direct = {e.id: set(e.depends_on) for e in spec.exercises}
    out: dict[str, set[str]] = {}
    for e in spec.exercises:
        seen: set[str] = set()
        todo = list(direct[e.id])
        while todo:
            u = todo.pop()
            if u not in seen and u != e.id:
                seen.add(u)
                todo += direct.get(u, set())
        out[e.id] = seen
    return out


def summarize(rows: Sequence[dict[str, Any]], spec: Assignment,
              rejected: Sequence[dict[str, Any]] | None = None) -> dict[str, Any]:
    graded = [d for d in rows if status_of(d) == "graded"]
    # the distribution, the mean and the quartiles count what the gradebook counts: every row with a score
    # (an invalid submission as 0), not a grader error
    scores = [s for s in (gradebook_score(d) for d in rows) if s is not None]
    # a batch restricted to some exercises is out of their points, not the assignment's
    maxima = {float(d.get("max_score", spec.max_score)) for d in graded}
    max_score = maxima.pop() if len(maxima) == 1 and maxima != {float(spec.max_score)} else spec.max_score
    bins = [0] * 10
    for s in scores:
        bins[min(max(int(10 * s / max_score), 0), 9) if max_score else 0] += 1
    catalog = {e.id: {m.id for m in e.mistakes} for e in spec.exercises}
    owner = {m: ex for ex, ids in catalog.items() for m in ids}
    pass_rates: dict[str, float | None] = {}
    exercises = []
    cases: dict[tuple[str, str], dict[str, Any]] = {}
    mistakes: Counter[tuple[str, str]] = Counter()
    diagnoses: Counter[tuple[str, str]] = Counter()
    for e in spec.exercises:
        results = [x for d in graded for x in _exercises(d) if x.get("id") == e.id]
        passed = sum(x.get("status") == "passed" for x in results)
        pass_rates[e.id] = round(passed / len(results), 3) if results else None
        exercises.append({"id": e.id, "passed": passed, "graded": len(results),
                          "not_attempted": sum(x.get("status") == "not_attempted" for x in results),
                          "pass_rate": pass_rates[e.id]})
        order = {c.id: i for i, c in enumerate(e.cases)}
        for x in results:
            # a mistake counts on the exercise whose catalog holds it, not on those downstream that show it too
            mistakes.update((e.id, m) for m in set(_ids(x.get("mistakes"))) if m in catalog[e.id])
            for c in x.get("cases", []):
                if not isinstance(c, dict) or not isinstance(c.get("id"), str):
                    continue
                entry = cases.setdefault((e.id, c["id"]), {
                    "exercise": e.id, "case": c["id"], "hidden": bool(c.get("hidden")), "runs": 0, "failed": 0,
                    "not_attempted": 0, "checks": Counter(), "_order": order.get(c["id"].split("@")[0], 999)})
                entry["runs"] += 1
                if c.get("status") == "passed":
                    continue
                if x.get("status") == "not_attempted" or c.get("status") == "not_attempted":
                    entry["not_attempted"] += 1
                    continue
                entry["failed"] += 1
                failure = next((ch for ch in c.get("checks", []) if isinstance(ch, dict) and not ch.get("passed")), None)
                entry["checks"][str(failure.get("name")) if failure else "?"] += 1
    # a diagnosis counts where it arises: not on an exercise when one it depends on (directly or not) shows it
    # too in the same submission, nor when it names a catalogued mistake of another exercise
    upstream = _upstream(spec)
    for d in graded:
        found = {x.get("id"): set(_ids(x.get("diagnoses"))) for x in _exercises(d)}
        for e in spec.exercises:
            for m in found.get(e.id, set()):
                if owner.get(m, e.id) == e.id and not any(m in found.get(u, set()) for u in upstream[e.id]):
                    diagnoses[(e.id, m)] += 1
    index = {e.id: i for i, e in enumerate(spec.exercises)}
    for entry in exercises:  # every named mistake and diagnosis of each exercise, the most frequent first
        entry["mistakes"] = [{"mistake": mk, "students": n} for (ex, mk), n in
                             sorted(mistakes.items(), key=lambda kv: (-kv[1], kv[0][1])) if ex == entry["id"]]
        entry["diagnoses"] = [{"diagnosis": dg, "students": n} for (ex, dg), n in
                              sorted(diagnoses.items(), key=lambda kv: (-kv[1], kv[0][1])) if ex == entry["id"]]
    case_rows = []
    for entry in sorted(cases.values(), key=lambda c: (index[c["exercise"]], c["_order"], c["case"])):
        if entry["failed"] or entry["not_attempted"]:
            entry.pop("_order")
            entry["checks"] = dict(sorted(entry["checks"].items(), key=lambda kv: (-kv[1], kv[0])))
            case_rows.append(entry)
    quartiles = _quartiles(scores)
    return {
        "submissions": len(rows), "graded": len(graded), "scored": len(scores),
        "statuses": {s: n for s in GRADEBOOK_STATUSES if (n := sum(gradebook_status(d) == s for d in rows))},
        "invalid": sorted(d["submission"] for d in rows if status_of(d) == "invalid"),
        "grader_errors": sorted(d["submission"] for d in rows if status_of(d) == "grader_error"),
        "rejected": sorted(rejected or [], key=lambda r: (r["submission"], r["reason"])),
        "mean": round(sum(scores) / len(scores), 2) if scores else None,
        "median": quartiles["median"] if quartiles else None,
        "quartiles": quartiles,
        "max_score": max_score,
        "histogram": {"bins": [f"{10 * i}-{10 * (i + 1)}%" for i in range(10)], "counts": bins},
        "pass_rates": pass_rates,
        "exercises": exercises,
        "cases": case_rows,
        "top_mistakes": [{"exercise": ex, "mistake": mk, "students": n}
                         for (ex, mk), n in sorted(mistakes.items(), key=lambda kv: (-kv[1], index[kv[0][0]], kv[0][1]))[:10]],
        "diagnoses": [{"exercise": ex, "diagnosis": dg, "students": n}
                      for (ex, dg), n in sorted(diagnoses.items(), key=lambda kv: (-kv[1], index[kv[0][0]], kv[0][1]))[:10]],
    }


# --- plots ----------------------------------------------------------------------------------------

def load_plotting() -> Any:
    """matplotlib's pyplot with a file-only backend, or None when matplotlib is not installed."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return None
    return plt


def _save(plt: Any, fig: Any, path: Path) -> str:
    """Write the figure where its bytes differ from the file's (the same class gives the same file: no version
    stamp, and an unchanged plot is left alone)."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", metadata={"Software": None})
    plt.close(fig)
    data = buffer.getvalue()
    try:
        if not path.is_symlink() and path.read_bytes() == data:
            return path.name
    except OSError:
        pass
    tmp = path.with_name(f".{path.name}.tmp.png")
    tmp.write_bytes(data)
    os.replace(tmp, path)
    return path.name


def _style(plt: Any) -> None:
    """Hangul where a Korean font is installed (matplotlib falls back font by font: DejaVu Sans for the rest)."""
    from matplotlib import font_manager

    def usable(name: str) -> bool:
        try:
            font_manager.findfont(font_manager.FontProperties(family=name), fallback_to_default=False)
        except ValueError:
            return False
        return True

    wanted = ("Noto Sans CJK KR", "Noto Sans CJK JP", "NanumGothic")
    if not any(usable(n) for n in wanted):  # .ttc collections are not always in matplotlib's own list
        for folder in (Path("/usr/share/fonts"), Path("/usr/local/share/fonts")):
            for path in sorted(folder.rglob("NotoSansCJK-Regular.ttc")) if folder.is_dir() else []:
                try:
                    font_manager.fontManager.addfont(str(path))
                except (OSError, RuntimeError, ValueError):
                    continue
    plt.rcParams["font.family"] = ["DejaVu Sans", *(n for n in wanted if usable(n))]


def _integer_ticks(axis: Any) -> None:
    from matplotlib.ticker import MaxNLocator

    axis.set_major_locator(MaxNLocator(integer=True))


def plot_scores(summary: dict[str, Any], path: Path, lang: str = "en") -> str | None:
    """The score distribution: gray hatched bars, the median as a solid line and the quartiles as dashed
    lines (told apart by their style and their labels, not by colour); None without matplotlib. It counts what
    the gradebook counts (an invalid submission as 0), and its title says so."""
    plt = load_plotting()
    if plt is None:
        return None
    _style(plt)
    max_score = float(summary["max_score"]) or 1.0
    fig, ax = plt.subplots(figsize=(7, 3.8), dpi=100)
    edges = [max_score * i / 10 for i in range(11)]
    ax.bar(edges[:-1], summary["histogram"]["counts"], width=max_score / 10, align="edge", color="0.75",
           edgecolor="black", hatch="//", linewidth=0.8)
    q = summary.get("quartiles")
    if q:  # told apart by line style and named in the legend (lines that coincide stay readable)
        ax.axvline(q["median"], color="black", linestyle="-", linewidth=2.2,
                   label=render("plot.median", lang, value=q["median"]))
        ax.axvline(q["q1"], color="black", linestyle="--", linewidth=1.2,
                   label=render("plot.quartiles", lang, q1=q["q1"], q3=q["q3"]))
        ax.axvline(q["q3"], color="black", linestyle="--", linewidth=1.2)
        ax.legend(loc="upper left", fontsize=8, framealpha=1, edgecolor="black")
    ax.set_xlim(0, max_score)
    _integer_ticks(ax.yaxis)
    ax.set_xlabel(render("plot.score_axis", lang, max_score=max_score))
    ax.set_ylabel(render("plot.submissions", lang))
    invalid = len(summary.get("invalid", []))
    ax.set_title(render("plot.scores_title", lang, scored=summary.get("scored", summary["graded"]),
                        invalid=render("plot.scores_invalid", lang, count=invalid) if invalid else "",
                        mean=number(summary["mean"]), median=number(summary["median"])), fontsize=10)
    fig.tight_layout()
    return _save(plt, fig, path)


def plot_exercises(summary: dict[str, Any], path: Path, lang: str = "en") -> str | None:
    """Per-exercise pass rates as horizontal gray bars with their percentage written at the end."""
    plt = load_plotting()
    if plt is None:
        return None
    _style(plt)
    rows = [e for e in summary.get("exercises", []) if e["pass_rate"] is not None]
    fig, ax = plt.subplots(figsize=(7, 0.4 * max(len(rows), 1) + 1.2), dpi=100)
    names = [e["id"] for e in rows][::-1]
    rates = [100 * e["pass_rate"] for e in rows][::-1]
    ax.barh(names, rates, color="0.6", edgecolor="black", linewidth=0.8)
    for y, rate in enumerate(rates):
        ax.text(min(rate + 1, 88), y, f"{rate:.0f}%", va="center", fontsize=8)
    ax.set_xlim(0, 100)
    ax.set_xlabel(render("plot.pass_axis", lang))
    ax.set_title(render("plot.pass_title", lang, graded=summary["graded"]))
    fig.tight_layout()
    return _save(plt, fig, path)


def number(value: Any) -> str:
    """A score or a count written one way everywhere: ``0``, ``8``, ``97.89`` (never ``0.0``); ``-`` for none."""
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        return "-"
    return f"{round(float(value), 2):g}" if abs(value) < 1e6 else f"{float(value):.0f}"
