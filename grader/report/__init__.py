"""Renderers: one graded result, many formats, one signature.

Every renderer is ``render(result, lang, options) -> str``: the terminal report (``text``), the notebook's
``html``, ``json``, Gradescope's results.json, JUnit XML, the student's Markdown feedback, GitHub Classroom's
runner result and PrairieLearn's results.json. They are
chosen by name from :data:`RENDERERS` (``grade check --format`` offers exactly these names); each format's
module is imported only when it is used. What else a renderer may need is an :class:`Options`
(grader.report.options).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from grader.report.options import Options

__all__ = ["FORMATS", "RENDERERS", "Options", "render", "renderer"]

if TYPE_CHECKING:
    from grader.results import GradeResult


Renderer = Callable[["GradeResult", str, Options], str]


# the adapters: each format's own module is imported only when that format is asked for

def _text(result: GradeResult, lang: str, options: Options) -> str:
    import io

    from rich.console import Console

    from grader.report.text import render_report

    buffer = io.StringIO()
    console = Console(file=buffer, width=options.width or 80, force_terminal=options.color, force_jupyter=False,
                      highlight=False, soft_wrap=False, emoji=False)
    render_report(result, console, lang, title=options.title, feedback=options.feedback,
                  folder=options.pictures, every=options.every)
    return buffer.getvalue()


def _json(result: GradeResult, lang: str, options: Options) -> str:
    from grader.report import json

    return json.dumps(result, lang) + "\n"


def _gradescope(result: GradeResult, lang: str, options: Options) -> str:
    from grader.report import gradescope

    return gradescope.dumps(result, lang, execution_time=options.execution_time,
                            hidden_visibility=options.hidden_visibility, feedback=options.feedback) + "\n"


def _junit(result: GradeResult, lang: str, options: Options) -> str:
    from grader.report import junit

    return junit.dumps(result, lang)


def _markdown(result: GradeResult, lang: str, options: Options) -> str:
    from grader.report import feedback  # the per-student feedback a batch writes

    return feedback.markdown(result, options.name or result.assignment, lang, options.left_out, options.feedback,
                             pictures=options.pictures)


def _html(result: GradeResult, lang: str, options: Options) -> str:
    from grader.report import html

    return html.render(result, lang, options)


def _github_classroom(result: GradeResult, lang: str, options: Options) -> str:
    from grader.report import github_classroom

    return github_classroom.dumps(result, lang, feedback=options.feedback) + "\n"


def _prairielearn(result: GradeResult, lang: str, options: Options) -> str:
    from grader.report import prairielearn

    text = _text(result, lang, Options(title=options.title, width=options.width or 80, color=False))
    return prairielearn.dumps(result, lang, output=text, feedback=options.feedback) + "\n"


RENDERERS: dict[str, Renderer] = {
    "text": _text,
    "json": _json,
    "gradescope": _gradescope,
    "junit": _junit,
    "markdown": _markdown,
    "html": _html,
    "github-classroom": _github_classroom,
    "prairielearn": _prairielearn,
}
"""Format name -> its renderer. The first one is the default; ``grade check --format`` offers these names."""

FORMATS: tuple[str, ...] = tuple(RENDERERS)


def renderer(fmt: str) -> Renderer:
    """The renderer called ``fmt``; ValueError naming the known ones when there is none."""
    if fmt not in RENDERERS:
        raise ValueError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")
    return RENDERERS[fmt]


def render(fmt: str, result: GradeResult, lang: str, options: Options | None = None) -> str:
    """``result`` in the format ``fmt`` and the language ``lang``."""
    return renderer(fmt)(result, lang, options or Options())
