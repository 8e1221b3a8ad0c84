"""Parity of the student bundle with the repository: every corpus mutant graded on the visible cases, once by the
repository (the reference at hand) and once by an installed bundle, must give the same status, score, named
mistakes and diagnoses per exercise.

    # in the repository's environment: build every mutant's submission, grade it with the repository
    python tools/parity.py build WORK
    # in a fresh environment where only the bundle of ASSIGNMENT is installed (run from outside the repository)
    python tools/parity.py grade WORK --assignment ASSIGNMENT --out WORK/bundle-ASSIGNMENT.json
    # anywhere: compare (exit 1 and the differences when they are not the same); prints the named shares
    python tools/parity.py compare WORK

`grade` imports nothing but the installed grader, so that it can run with a bundle's Python. Each side grades in
one process (one warm fork server), on the visible cases only.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

ASSIGNMENTS = {"transformer": "mutants", "pretraining": "pretraining/mutants", "seq2seq": "seq2seq/mutants",
               "training": "training/mutants"}
"""Each assignment and the folder of tests/corpus that holds its mutants."""


def grade(folders: list[Path], assignment: str) -> dict[str, Any]:
    """{submission: {exercise: {status, score, mistakes, diagnoses}}} on the visible cases."""
    from grader import api, specs

    # a training run is judged by behaviour on sequences drawn afresh: random by design, and minutes per
    # submission; parity is about the deterministic exercises
    exercises = [e.id for e in specs.get(assignment).exercises if all(c.driver.value != "train" for c in e.cases)]
    out: dict[str, Any] = {}
    for folder in folders:
        result = api.check(folder, assignment=assignment, hidden=False, exercises=exercises)
        out[folder.name] = {e.id: {"status": e.status.value, "score": e.score,
                                   "mistakes": sorted(m.id for m in e.mistakes),
                                   "diagnoses": sorted(d.id for d in e.diagnoses)} for e in result.exercises}
    return out


def build(work: Path) -> None:
    root = Path(__file__).resolve().parent.parent
    sys.path.insert(0, str(root / "tests"))
    from corpus import build as build_variant
    from corpus import variants

    meta: dict[str, Any] = {}
    for assignment, kind in ASSIGNMENTS.items():
        folders = []
        for variant in variants(kind):
            dest = work / assignment / variant.name
            build_variant(variant, dest, root / "solutions" / assignment)
            folders.append(dest)
            meta[f"{assignment}/{variant.name}"] = {"exercise": variant.exercise, "names": sorted(variant.names)}
        (work / f"repo-{assignment}.json").write_text(json.dumps(grade(folders, assignment), indent=1))
    (work / "variants.json").write_text(json.dumps(meta, indent=1))


def named_share(results: dict[str, Any], meta: dict[str, Any], assignment: str) -> tuple[int, int]:
    """Mutants whose own exercise names their catalogued mistake or diagnosis, of those that declare one."""
    named = total = 0
    for name, exercises in results.items():
        wanted = set(meta[f"{assignment}/{name}"]["names"])
        if not wanted:
            continue
        total += 1
        own = exercises.get(meta[f"{assignment}/{name}"]["exercise"], {})
        named += bool(wanted & set(own.get("mistakes", []) + own.get("diagnoses", [])))
    return named, total


def compare(work: Path) -> int:
    meta = json.loads((work / "variants.json").read_text())
    differences = []
    for assignment in ASSIGNMENTS:
        repo = json.loads((work / f"repo-{assignment}.json").read_text())
        bundle = json.loads((work / f"bundle-{assignment}.json").read_text())
        for name in sorted(set(repo) | set(bundle)):
            for exercise in sorted(set(repo.get(name, {})) | set(bundle.get(name, {}))):
                a, b = repo.get(name, {}).get(exercise), bundle.get(name, {}).get(exercise)
                if a != b:
                    differences.append(f"{assignment}/{name} {exercise}: repository {a} / bundle {b}")
        for side, results in (("repository", repo), ("bundle", bundle)):
            named, total = named_share(results, meta, assignment)
            print(f"{assignment}: {len(results)} mutants; named on the visible cases by the {side}: {named}/{total}")
    for line in differences:
        print("DIFFERS", line)
    print(f"parity: {len(differences)} difference(s)")
    return 1 if differences else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("build").add_argument("work", type=Path)
    g = sub.add_parser("grade")
    g.add_argument("work", type=Path)
    g.add_argument("--assignment", required=True, choices=sorted(ASSIGNMENTS))
    g.add_argument("--out", type=Path, required=True)
    sub.add_parser("compare").add_argument("work", type=Path)
    args = parser.parse_args()
    if args.command == "build":
        build(args.work)
        return 0
    if args.command == "grade":
        folders = sorted(p for p in (args.work / args.assignment).iterdir() if p.is_dir())
        args.out.write_text(json.dumps(grade(folders, args.assignment), indent=1))
        return 0
    return compare(args.work)


if __name__ == "__main__":
    sys.exit(main())
