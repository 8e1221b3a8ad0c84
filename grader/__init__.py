"""nlp-grader: grades students' attention and Transformer code against hidden references."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("nlp-grader")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0+source"
