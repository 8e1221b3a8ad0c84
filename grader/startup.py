"""What a grading process does once, as it starts: import the heavy modules (torch) with the cyclic garbage
collector paused, then freeze what they made out of its way.

Importing torch creates a few hundred thousand objects that live as long as the process; with the collector
running, every full collection walks them again (about a tenth of a second during the import, as much again
while the reference's cases are prepared). Frozen, they are never walked, and a fork of the process (the sandbox's
children) does not copy the pages a walk would have written to. Only the ``grade`` command and the fork server do
this: a library caller's process (a notebook) keeps its collector as it was.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def heavy_imports() -> Iterator[None]:
    """Run the block with the collector paused; freeze every object alive at its end, then resume."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if enabled:
            gc.enable()
