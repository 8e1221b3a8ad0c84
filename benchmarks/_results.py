"""How every benchmark here reports: the figures on stdout, and in ``--out`` (JSON) when asked."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any


def emit(result: dict[str, Any], out: Path | None) -> None:
    """Print ``result`` and write it to ``out``, with the command that produced it (a figure without one cannot be
    checked)."""
    script = Path(sys.argv[0])
    command = " ".join(["python", f"benchmarks/{script.name}" if script.parent.name == "benchmarks" else str(script),
                        *sys.argv[1:]])
    result = {"benchmark": result.get("benchmark"), "command": command, **result}
    text = json.dumps(result, indent=2, ensure_ascii=False)
    print(text)
    if out:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text + "\n")
