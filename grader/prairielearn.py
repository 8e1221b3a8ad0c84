"""A PrairieLearn question that grades an assignment: info.json, question.html, the grading command and its image.

PrairieLearn runs an externally graded question's ``externalGradingOptions.entrypoint`` in a container of
``externalGradingOptions.image``, with the student's files in /grade/student and the question's tests/ in
/grade/tests; the command must leave /grade/results/results.json (``grade check --format prairielearn``). The image
must hold torch and this grader with its reference: grader-image/Dockerfile builds one on PrairieLearn's Python
grader image.
"""

from __future__ import annotations

import html
import json
import os
import shutil
import stat
import uuid
from pathlib import Path

from grader import api
from grader.messages import LANGUAGES, render

BASE_IMAGE = "prairielearn/grader-python"
"""PrairieLearn's Python grader image: the default image, and the base of the one grader-image/Dockerfile builds."""

RUN_SH = """#!/usr/bin/env bash
# PrairieLearn runs this in the grading container (info.json: externalGradingOptions.entrypoint).
# /grade/student: the uploaded files; it writes /grade/results/results.json (written by grade export prairielearn).
set -uo pipefail
JOB="${{NLP_GRADER_JOB:-/grade}}"
GRADE="${{NLP_GRADER_GRADE:-grade}}"
mkdir -p "$JOB/results"
"$GRADE" check "$JOB/student" --assignment {name} --hidden --format prairielearn --feedback {feedback} \\
    --lang {lang} {salt}> "$JOB/results/results.json.tmp"
code=$?
if [ "$code" -le 1 ]; then
    mv "$JOB/results/results.json.tmp" "$JOB/results/results.json"
else  # a usage error or the grader's fault: not gradable, so no attempt is used and no points are lost
    printf '%s' '{failed}' | sed "s/@CODE@/$code/g" > "$JOB/results/results.json"
fi
exit 0
"""

DOCKERFILE = """# The grading image: PrairieLearn's Python grader image with CPU PyTorch and this grader, its reference included.
# Build it from the course repository's root, push it to Docker Hub, and name it in info.json (--image):
#   docker build -f {here}/grader-image/Dockerfile -t YOUR-NAME/nlp-grader-{name} . && docker push YOUR-NAME/nlp-grader-{name}
FROM {base}
COPY . /opt/nlp-grader
RUN /venv/bin/python -m pip install --no-cache-dir torch --index-url https://download.pytorch.org/whl/cpu \\
    && /venv/bin/python -m pip install --no-cache-dir -e /opt/nlp-grader
"""

QUESTION = """<pl-question-panel>
  <p>{prompt}</p>
</pl-question-panel>

<pl-file-upload file-names="{files}"></pl-file-upload>

<pl-submission-panel>
  <pl-external-grader-results></pl-external-grader-results>
  <pl-file-preview></pl-file-preview>
</pl-submission-panel>
"""


def failed_result(lang: str) -> str:
    """results.json when ``grade`` could not grade: not gradable, the reason in ``format_errors`` (``@CODE@``: the
    exit code, filled in by run.sh); one line the shell quotes in single quotes."""
    message = render("export.gradescope_failed", lang, code="@CODE@")
    return json.dumps({"gradable": False, "score": 0.0, "message": message, "format_errors": [message]},
                      ensure_ascii=False).replace("'", "")


def question(*, assignment: str, output: Path, image: str = BASE_IMAGE, lang: str = "en", salt: str = "",
             feedback: str = "visible", timeout: int = 600) -> Path:
    """Write the question folder ``output`` (new or empty): info.json, question.html, tests/run.sh and
    grader-image/Dockerfile."""
    from grader.report.feedback import check_level

    check_level(feedback)
    if lang not in LANGUAGES:
        raise ValueError(f"lang={lang!r}; expected one of {', '.join(LANGUAGES)}")
    spec = api.assignment_spec(assignment)
    if output.exists() and any(output.iterdir()):
        raise ValueError(f"{output} is not empty; give a new folder")
    staging = output.with_name(f".{output.name}.partial")
    shutil.rmtree(staging, ignore_errors=True)
    (staging / "tests").mkdir(parents=True)
    (staging / "grader-image").mkdir()
    info = {
        "uuid": str(uuid.uuid5(uuid.NAMESPACE_URL, f"nlp-grader:{spec.name}")),
        "type": "v3",
        "title": spec.title,
        "topic": "Transformers",
        "tags": ["nlp-grader", spec.name],
        "singleVariant": True,
        "gradingMethod": "External",
        "externalGradingOptions": {"image": image, "entrypoint": "/grade/tests/run.sh", "timeout": timeout},
    }
    (staging / "info.json").write_text(json.dumps(info, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    files = ", ".join(spec.files)
    prompt = render("export.prairielearn.prompt", lang, title=spec.title, files=files)
    (staging / "question.html").write_text(QUESTION.format(prompt=html.escape(prompt), files=html.escape(files)),
                                           encoding="utf-8")
    run = staging / "tests" / "run.sh"
    run.write_text(RUN_SH.format(name=spec.name, feedback=feedback, lang=lang, failed=failed_result(lang),
                                 salt=f'--salt "{salt}" ' if salt else ""), encoding="utf-8")
    run.chmod(run.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    (staging / "grader-image" / "Dockerfile").write_text(DOCKERFILE.format(here=output.name, name=spec.name,
                                                                           base=BASE_IMAGE), encoding="utf-8")
    if output.exists():
        output.rmdir()
    os.replace(staging, output)
    return output
