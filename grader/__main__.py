"""The ``grade`` command and ``python -m grader`` (handy in notebooks): the same thing.

A command that grades starts the fork server first, before anything else is imported: the server's torch import
(about 1.7 s) then runs beside everything this process does before it needs the server (its own imports, click
parsing the options, its own torch, preparing the cases), not after the first part of it.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

NOT_GRADING = frozenset({"list", "merge", "release", "export", "report", "similar", "quiz", "help"})
"""Commands that run no student code: no fork server for them."""


def grades(args: Sequence[str]) -> bool:
    """Whether the command line runs student code here: ``grade check``, ``grade batch`` and ``grade`` alone or
    with a folder (which mean ``grade check``), but not ``--help`` or ``--version``."""
    if any(a in ("-h", "--help", "--version") for a in args):
        return False
    words = [a for a in args if not a.startswith("-")]
    return not words or words[0] not in NOT_GRADING


def main() -> None:
    if grades(sys.argv[1:]):
        from grader.sandbox.forkserver import warm_up  # the standard library only, and this one module

        warm_up()
    from grader.cli import main as cli

    cli()


if __name__ == "__main__":
    main()
