"""The grader's version: what results record, bundles pin and Ray workers compare (read from the installed
package's metadata; a source tree that is not installed says so)."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("nlp-grader")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0+source"
