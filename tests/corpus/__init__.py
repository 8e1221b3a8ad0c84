"""Submissions for measuring the grader itself: correct-but-different implementations and mutants.

Each variant file patches the reference solution. It starts with header comments:

    # exercise: <the exercise this variant is about>
    # mistake: <catalogued mistake id the report should name>   (mutants only, optional)
    # diagnosis: <diagnosis id a probe should report>           (mutants only, optional; see grader/diagnose.py)
    # source: <where the bug was reported>                       (mined mutants: the issue, PR or file)
    # kind: homework                                              (mined from a student's or a course's homework
                                                                   repository, not from an issue tracker's report)
    # visible: no (<why>)                                         (a mistake only hidden or GPU cases can show)
    # file: <file in the submission>                             (starts a section; may repeat)

and each section holds imports and top-level definitions that replace the definitions of the same
name in that file (or are appended when the file has none of that name).
"""

from __future__ import annotations

import ast
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SOLUTIONS = ROOT / "solutions" / "transformer"
CORPUS = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Variant:
    name: str
    exercise: str
    mistake: str | None
    sections: dict[str, str]
    diagnosis: str | None = None
    source: str | None = None
    visible: bool = True
    """Whether the visible cases alone can show the mistake (``# visible: no (why)`` says they cannot)."""
    kind: str | None = None
    """``homework`` for a mistake mined from course homework (a student's or a course's repository); None else."""

    @property
    def mined(self) -> bool:
        """Taken from a public source (its ``# source:`` is an address); invented ones say why instead."""
        return bool(self.source and self.source.startswith("https://"))

    @property
    def homework(self) -> bool:
        return self.kind == "homework"

    @property
    def names(self) -> set[str]:
        """What the report may name for this variant: its catalogued mistake and its diagnosis."""
        return {n for n in (self.mistake, self.diagnosis) if n}


def load(path: Path) -> Variant:
    text = path.read_text(encoding="utf-8")
    header = dict(re.findall(r"^# (exercise|mistake|diagnosis|visible|kind): (\S+)", text, flags=re.M))
    source = re.search(r"^# source: (.+)$", text, flags=re.M)
    sections: dict[str, str] = {}
    current = None
    for line in text.splitlines(keepends=True):
        m = re.match(r"^# file: (\S+)$", line)
        if m:
            current = m.group(1)
            sections[current] = ""
        elif current is not None:
            sections[current] += line
    if "exercise" not in header or not sections:
        raise ValueError(f"{path.name}: needs '# exercise:' and at least one '# file:' section")
    return Variant(path.stem, header["exercise"], header.get("mistake"), sections, header.get("diagnosis"),
                   source.group(1).strip() if source else None, header.get("visible", "yes") != "no",
                   header.get("kind"))


def _patch(source: str, patch: str) -> str:
    target = ast.parse(source)
    new = ast.parse(patch)
    lines = source.splitlines(keepends=True)
    patch_lines = patch.splitlines(keepends=True)
    defs = {n.name: n for n in target.body if isinstance(n, (ast.FunctionDef, ast.ClassDef))}
    imports, appended, replacements = [], [], []
    for node in new.body:
        start = min([node.lineno, *[d.lineno for d in getattr(node, "decorator_list", [])]])
        text = "".join(patch_lines[start - 1:node.end_lineno])
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            imports.append(text)
        elif isinstance(node, (ast.FunctionDef, ast.ClassDef)) and node.name in defs:
            old = defs[node.name]
            old_start = min([old.lineno, *[d.lineno for d in old.decorator_list]])
            replacements.append((old_start, old.end_lineno, text))
        else:
            appended.append(text)
    for start, end, text in sorted(replacements, reverse=True):
        lines[start - 1:end] = [text]
    body = "".join(lines)
    future = "from __future__ import annotations\n"
    head, sep, tail = body.partition(future)
    body = head + sep + "".join(imports) + tail if sep else "".join(imports) + body
    return body + "\n\n" + "\n\n".join(appended) if appended else body


def build(variant: Variant, dest: Path, solutions: Path = SOLUTIONS) -> Path:
    """Write the patched submission (``solutions`` with the variant's definitions) into ``dest`` and return it."""
    shutil.copytree(solutions, dest, ignore=shutil.ignore_patterns("__pycache__", "assignment.toml"))
    for file, patch in variant.sections.items():
        path = dest / file
        path.write_text(_patch(path.read_text(encoding="utf-8"), patch), encoding="utf-8")
    return dest


def variants(kind: str) -> list[Variant]:
    return [load(p) for p in sorted((CORPUS / kind).glob("*.py"))]
