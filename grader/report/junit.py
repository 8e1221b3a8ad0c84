"""JUnit XML: one testsuite per exercise, one testcase per case, failures carrying the diff text.

Readable by GitHub Actions and GitLab test reports (and any JUnit reader). Every attribute and text goes
through :func:`grader.clean.xml` here, whatever the caller cleaned: a control character or a lone surrogate
in a message would make the whole file unparseable.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from grader import clean
from grader.messages import render
from grader.report.plain import case_text, exercise_notes
from grader.results import GradeResult, Status

_x = clean.xml


def dumps(result: GradeResult, lang: str) -> str:
    root = ET.Element("testsuites", name=_x(f"nlp-grader {result.assignment}"))
    total = failures = errors = skipped = 0
    for e in result.exercises:
        suite = ET.SubElement(root, "testsuite", name=_x(e.id))
        counts = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
        ET.SubElement(ET.SubElement(suite, "properties"), "property", name="score", value=f"{e.score:g}/{e.max_score:g}")
        notes = exercise_notes(e, lang)
        for c in e.cases:
            counts["tests"] += 1
            case = ET.SubElement(suite, "testcase", classname=_x(f"{result.assignment}.{e.id}"), name=_x(c.id),
                                 file=_x(e.file))
            if c.status is Status.PASSED:
                continue
            text = _x("\n".join([*notes, case_text(c, lang)]).strip())
            message = _x(render(c.failure.message, lang) if c.failure and c.failure.message else c.status.value)
            if c.status is Status.NOT_ATTEMPTED:
                counts["skipped"] += 1
                ET.SubElement(case, "skipped", message=message)
            elif c.status in (Status.ERROR, Status.TIMEOUT, Status.MISSING):
                counts["errors"] += 1
                ET.SubElement(case, "error", message=message, type=c.status.value).text = text
            else:
                counts["failures"] += 1
                kind = _x(c.failure.name) if c.failure else "failed"
                ET.SubElement(case, "failure", message=message, type=kind).text = text
        for key, value in counts.items():
            suite.set(key, str(value))
        total, failures = total + counts["tests"], failures + counts["failures"]
        errors, skipped = errors + counts["errors"], skipped + counts["skipped"]
    root.set("tests", str(total))
    root.set("failures", str(failures))
    root.set("errors", str(errors))
    root.set("skipped", str(skipped))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
