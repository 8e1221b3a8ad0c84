"""The grader's version: what results record, bundles pin and Ray workers compare (read from the installed
package's metadata: the course repository is ``nlp-grader``, a student bundle ``nlp-grader-<assignment>``, so that
one course's bundles install side by side; a source tree that is not installed says so)."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, packages_distributions, version


def _installed() -> str:
    try:
        return version("nlp-grader")
    except PackageNotFoundError:
        pass
    for dist in sorted(packages_distributions().get("grader", [])):  # the bundles that installed this package
        if dist.startswith("nlp-grader-"):
            return version(dist)
    return "0.0.0+source"  # running from a source tree that is not installed


__version__ = _installed()
