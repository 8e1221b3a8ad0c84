"""``python -m grader`` is the same as the ``grade`` command (handy in notebooks)."""

from grader.cli import main

main()
