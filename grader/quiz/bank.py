"""The question bank (``quiz.toml``): loading, validation, parameter draws and canonical answers.

An instructor's bank holds ``answer`` for every question. A student's bank (``grade quiz
--export-student``) holds none: practice questions carry ``answer_hash`` (salted per release and per
question), graded questions carry nothing and are "recorded, graded later".

A numeric question's Korean prompt writes a particle after a placeholder in both forms (``{d}와(과)``,
``{n}을(를)``, ``{k}(으)로``): the drawn value picks one as it is read (1과, 2와, 3과); one form that does not fit
every value (``{d}와`` with d = 1) is refused when the bank is loaded.
"""

from __future__ import annotations

import hashlib
import itertools
import math
import random
import re
import string
import sys
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from grader.messages import particles
from grader.quiz.safe_eval import UnsafeExpression, evaluate, names_in

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

TYPES = ("single", "multiple", "numeric", "text", "order")
TOPIC = re.compile(r"^[a-z][a-z0-9_-]{0,31}$")
LANGS = ("en", "ko")
ID = re.compile(r"^[a-z0-9][a-z0-9-]{1,60}$")
MAX_COMBINATIONS = 512


class QuizError(ValueError):
    """The bank (or an answers file) is malformed; the message names the question and the field."""


@dataclass(frozen=True)
class Choice:
    id: str
    text: Mapping[str, str]


@dataclass(frozen=True)
class Question:
    id: str
    topic: str
    type: str
    points: float
    prompt: Mapping[str, str]
    explanation: Mapping[str, str]
    choices: tuple[Choice, ...] = ()
    answer: Any = None
    """Instructor banks: a choice id, a list of ids, a formula or number, or a list of accepted texts."""
    graded: bool = False
    """Graded questions are never hashed into a student bank; practice questions are."""
    params: Mapping[str, tuple[float, ...]] = field(default_factory=dict)
    """Parameter names and the values drawn from, per student."""
    where: str | None = None
    """A condition the drawn parameters must satisfy (e.g. ``d_model % h == 0``)."""
    decimals: int = 0
    """Numeric answers are compared (and hashed) rounded to this many decimals."""
    answer_hash: tuple[str, ...] = ()
    """Student banks: salted hashes of the accepted canonical answers (practice questions)."""
    answer_hash_by_params: Mapping[str, str] = field(default_factory=dict)
    """Student banks, parameterised practice questions: a hash per parameter combination."""

    def choice_ids(self) -> list[str]:
        return [c.id for c in self.choices]

    def render(self, lang: str, values: Mapping[str, float]) -> str:
        """The prompt with the drawn values; in Korean a particle written in both forms after a placeholder
        (``{d}와(과)``, ``{n}을(를)``, ``{k}(으)로``) takes the form the value is read with (1과, 2와, 3과)."""
        shown = {k: _show(v) for k, v in values.items()}
        template = self.prompt[lang]
        if lang == "ko":
            template = particles.choose_particles(template, shown)
        return template.format(**shown)


@dataclass(frozen=True)
class Bank:
    assignment: str
    questions: tuple[Question, ...]
    salt: str = ""
    """Student banks: the release's salt for answer hashes."""
    topics: tuple[str, ...] = ()
    """The topics the assignment declares (``[meta] topics``); every question belongs to one of them."""

    @property
    def has_answers(self) -> bool:
        return all(q.answer is not None for q in self.questions)

    @property
    def max_score(self) -> float:
        return sum(q.points for q in self.questions)

    def question(self, qid: str) -> Question:
        for q in self.questions:
            if q.id == qid:
                return q
        raise KeyError(qid)


def _show(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


KOREAN_PROMPT = "prompt.ko"
PAIR_OF = {"은": "은(는)", "는": "은(는)", "이": "이(가)", "가": "이(가)", "을": "을(를)", "를": "을(를)",
           "와": "와(과)", "과": "와(과)", "으로": "(으)로", "로": "(으)로"}
"""A particle's one form → the two-form spelling that lets the value choose (grader.messages.particles.PAIRS)."""
ONE_FORM = re.compile(r"\{(\w+)\}(" + "|".join(sorted(PAIR_OF, key=len, reverse=True)) + r")(?![가-힣(])")
"""A particle written in one form right after a placeholder (``{d}와``): right for some values, wrong for others."""


# --- loading and validation -----------------------------------------------------------------------

def _fail(qid: str, field_name: str, problem: str) -> QuizError:
    return QuizError(f"question {qid!r}, field {field_name!r}: {problem}")


def _texts(raw: Any, qid: str, name: str) -> dict[str, str]:
    if not isinstance(raw, Mapping) or any(not isinstance(raw.get(lang), str) or not raw[lang].strip() for lang in LANGS):
        raise _fail(qid, name, "needs non-empty text in both 'en' and 'ko'")
    return {lang: raw[lang].strip() for lang in LANGS}


MAX_UNTRUSTED_BYTES = 1024 * 1024
"""The largest answers file read (a student's file: read without following links, regular files only)."""


def read_toml(path: Path, what: str, *, untrusted: bool = False) -> dict[str, Any]:
    """A TOML file's contents; QuizError saying which file (``what``) could not be read, and why.

    ``untrusted`` (a student's answers file): a link or a special file is refused, never opened; the size is
    capped; numbers too long to convert and arrays nested too deep are a QuizError, not a crash."""
    from grader import clean, safefs

    shown = clean.name(path.name if untrusted else str(path))
    try:
        raw = safefs.read_bytes(path, MAX_UNTRUSTED_BYTES) if untrusted else path.read_bytes()
        content = raw.decode("utf-8")
    except safefs.UnsafeFile as exc:
        raise QuizError(f"the {what} is refused: {exc}") from None
    except OSError as exc:
        raise QuizError(f"cannot read the {what} {shown}: {clean.text(exc.strerror or str(exc), 300)}") from None
    except UnicodeDecodeError as exc:
        raise QuizError(f"the {what} {shown} is not UTF-8 text (byte {exc.start})") from None
    try:
        return tomllib.loads(content)
    except tomllib.TOMLDecodeError as exc:
        raise QuizError(f"{shown} is not valid TOML: {clean.text(str(exc), 300)}") from None
    except RecursionError:
        raise QuizError(f"{shown} nests arrays or tables too deeply to be read") from None
    except (ValueError, OverflowError, MemoryError) as exc:
        if "digits" in str(exc):  # Python's limit on converting a long run of digits to an integer
            raise QuizError(f"{shown} cannot be read: a number has too many digits") from None
        raise QuizError(f"{shown} cannot be read: {clean.text(str(exc), 300)}") from None


def load(path: Path) -> Bank:
    """Load and validate a bank; QuizError names the question and field that are wrong."""
    return parse(read_toml(path, "quiz bank"))


def parse(data: Mapping[str, Any]) -> Bank:
    meta = data.get("meta", {})
    if not isinstance(meta, Mapping) or not isinstance(meta.get("assignment"), str):
        raise QuizError("the bank needs [meta] with assignment = \"NAME\"")
    topics = meta.get("topics")
    if (not isinstance(topics, list) or not topics
            or not all(isinstance(t, str) and TOPIC.match(t) for t in topics) or len(set(topics)) != len(topics)):
        raise QuizError("the bank needs [meta] topics = [\"name\", ...]: the assignment's topics, distinct, each "
                        "lowercase letters, digits, '-' or '_' (1 to 32 characters)")
    raw_questions = data.get("questions")
    if not isinstance(raw_questions, list) or not raw_questions:
        raise QuizError("the bank needs at least one [[questions]] entry")
    questions, seen = [], set()
    for i, raw in enumerate(raw_questions):
        q = _question(raw, i, tuple(topics))
        if q.id in seen:
            raise _fail(q.id, "id", "used by more than one question")
        seen.add(q.id)
        questions.append(q)
    return Bank(assignment=meta["assignment"], questions=tuple(questions), salt=str(meta.get("salt", "")),
                topics=tuple(topics))


def _question(raw: Any, index: int, topics: tuple[str, ...]) -> Question:
    if not isinstance(raw, Mapping):
        raise QuizError(f"question #{index + 1} is not a table")
    qid = raw.get("id")
    if not isinstance(qid, str) or not ID.match(qid):
        raise _fail(str(qid) if qid else f"#{index + 1}", "id", "needs lowercase letters, digits and '-' (2 to 61 characters)")
    topic, qtype = raw.get("topic"), raw.get("type")
    if topic not in topics:
        raise _fail(qid, "topic", f"{topic!r} is not one of the bank's topics ({', '.join(topics)})")
    if qtype not in TYPES:
        raise _fail(qid, "type", f"{qtype!r} is not one of {', '.join(TYPES)}")
    points = raw.get("points", 1)
    if not isinstance(points, (int, float)) or isinstance(points, bool) or points <= 0:
        raise _fail(qid, "points", "must be a positive number")
    choices: list[Choice] = []
    if qtype in ("single", "multiple", "order"):
        raw_choices = raw.get("choices")
        if not isinstance(raw_choices, list) or len(raw_choices) < 2:
            raise _fail(qid, "choices", "needs at least two choices")
        for c in raw_choices:
            cid = c.get("id") if isinstance(c, Mapping) else None
            if not isinstance(cid, str) or not re.match(r"^[a-z0-9]{1,8}$", cid):
                raise _fail(qid, "choices", f"choice id {cid!r} must be 1-8 lowercase letters or digits")
            choices.append(Choice(cid, _texts(c, qid, f"choices.{cid}")))
        if len({c.id for c in choices}) != len(choices):
            raise _fail(qid, "choices", "choice ids repeat")
    elif "choices" in raw:
        raise _fail(qid, "choices", f"a {qtype} question has no choices")
    params = {}
    raw_params = raw.get("params", {})
    if qtype != "numeric" and raw_params:
        raise _fail(qid, "params", "only numeric questions take parameters")
    for name, values in (raw_params or {}).items():
        if (not isinstance(values, list) or not values
                or not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values)):
            raise _fail(qid, f"params.{name}", "needs a non-empty list of numbers")
        params[name] = tuple(values)
    decimals = raw.get("decimals", 0)
    if not isinstance(decimals, int) or not 0 <= decimals <= 6:
        raise _fail(qid, "decimals", "must be an integer from 0 to 6")
    q = Question(
        id=qid, topic=topic, type=qtype, points=float(points),
        prompt=_texts(raw.get("prompt"), qid, "prompt"), explanation=_texts(raw.get("explanation"), qid, "explanation"),
        choices=tuple(choices), answer=raw.get("answer"), graded=bool(raw.get("graded", False)), params=params,
        where=raw.get("where"), decimals=decimals,
        answer_hash=tuple(raw.get("answer_hash", ())), answer_hash_by_params=dict(raw.get("answer_hash_by_params", {})),
    )
    _check_prompt(q)
    if q.answer is not None:
        _check_answer(q)
    elif not q.graded and not q.answer_hash and not q.answer_hash_by_params:
        raise _fail(qid, "answer", "missing (a practice question needs an answer or an answer_hash)")
    return q


def _check_prompt(q: Question) -> None:
    for lang in LANGS:
        fields = {f for _, f, _, _ in string.Formatter().parse(q.prompt[lang]) if f}
        if fields != set(q.params):
            raise _fail(q.id, f"prompt.{lang}", f"placeholders {sorted(fields)} must be exactly the params {sorted(q.params)}")
    for match in ONE_FORM.finditer(q.prompt["ko"]):
        name, written = match.groups()
        pair = PAIR_OF[written]
        misread = [_show(v) for v in q.params[name] if particles.particle(_show(v), pair) not in (written, pair)]
        if misread:
            raise _fail(q.id, KOREAN_PROMPT, f"{{{name}}}{written} does not follow {', '.join(misread)}: write "
                        f"{{{name}}}{pair} and the particle takes the form each value is read with")
    if q.where is not None:
        try:
            unknown = names_in(q.where) - set(q.params)
        except UnsafeExpression as exc:
            raise _fail(q.id, "where", str(exc)) from None
        if unknown:
            raise _fail(q.id, "where", f"unknown names {sorted(unknown)}")
        if not combinations(q):
            raise _fail(q.id, "where", "no combination of the params satisfies it")


def _check_answer(q: Question) -> None:
    ids = q.choice_ids()
    a = q.answer
    if q.type == "single" and a not in ids:
        raise _fail(q.id, "answer", f"{a!r} is not one of the choices {ids}")
    if q.type == "multiple" and (not isinstance(a, list) or not a or len(set(a)) != len(a) or not set(a) <= set(ids)):
        raise _fail(q.id, "answer", f"must be a non-empty list of distinct choice ids from {ids}")
    if q.type == "order" and (not isinstance(a, list) or sorted(a) != sorted(ids)):
        raise _fail(q.id, "answer", f"must list every choice id once, in order: {ids}")
    if q.type == "text" and (not isinstance(a, list) or not a or not all(isinstance(t, str) and normalize_text(t) for t in a)):
        raise _fail(q.id, "answer", "must be a non-empty list of accepted answers")
    if q.type == "numeric":
        if not isinstance(a, (str, int, float)) or isinstance(a, bool):
            raise _fail(q.id, "answer", "must be a number or a formula of the params")
        try:
            if isinstance(a, str) and names_in(a) - set(q.params):
                raise _fail(q.id, "answer", f"uses names that are not params: {sorted(names_in(a) - set(q.params))}")
            for values in combinations(q):
                value = expected_number(q, values)
                if not math.isfinite(value):
                    raise _fail(q.id, "answer", f"is not finite for {values}")
        except UnsafeExpression as exc:
            raise _fail(q.id, "answer", str(exc)) from None


# --- parameters -----------------------------------------------------------------------------------

def combinations(q: Question) -> list[dict[str, float]]:
    """Every parameter combination that satisfies ``where`` (bounded)."""
    names = sorted(q.params)
    out = []
    for values in itertools.islice(itertools.product(*(q.params[n] for n in names)), MAX_COMBINATIONS):
        combo = dict(zip(names, values, strict=True))
        if q.where is None or evaluate(q.where, combo):
            out.append(combo)
    return out


def draw(q: Question, student: str) -> dict[str, float]:
    """The parameters of ``q`` for ``student``: the same student always gets the same values."""
    if not q.params:
        return {}
    options = combinations(q)
    seed = int.from_bytes(hashlib.sha256(f"{student}/{q.id}".encode("utf-8", "surrogatepass")).digest()[:8], "big")
    return random.Random(seed).choice(options)


def params_key(values: Mapping[str, float]) -> str:
    return ",".join(f"{k}={_show(v)}" for k, v in sorted(values.items()))


# --- canonical answers ----------------------------------------------------------------------------

def normalize_text(text: str) -> str:
    """Case, width, spaces and punctuation do not matter: 'Soft-Max' == 'softmax' == 'ＳｏｆｔＭａｘ'."""
    text = unicodedata.normalize("NFKC", text).casefold()
    return re.sub(r"[\s\-_.,'\"`()\[\]]+", "", text)


def expected_number(q: Question, values: Mapping[str, float]) -> float:
    a = q.answer
    return float(evaluate(a, values) if isinstance(a, str) else a)


def canonical_number(value: float, decimals: int) -> str:
    return f"{round(value, decimals):.{decimals}f}".replace("-0.", "0.") if decimals else str(int(round(value)))


def canonical_choices(ids: Sequence[str], ordered: bool) -> str:
    return ",".join(ids if ordered else sorted(ids))


def accepted(q: Question, values: Mapping[str, float]) -> list[str]:
    """The canonical forms of the right answer (several for text with synonyms)."""
    if q.type == "single":
        return [str(q.answer)]
    if q.type in ("multiple", "order"):
        return [canonical_choices(q.answer, ordered=q.type == "order")]
    if q.type == "numeric":
        return [canonical_number(expected_number(q, values), q.decimals)]
    return sorted({normalize_text(t) for t in q.answer})


def canonical_given(q: Question, given: Any) -> str | None:
    """The student's answer in canonical form; None when it is empty or cannot be read as this type."""
    if given is None or given == "" or given == []:
        return None
    if q.type == "single":
        return str(given).strip().lower()
    if q.type in ("multiple", "order"):
        items = given if isinstance(given, list) else re.split(r"[\s,]+", str(given).strip())
        items = [str(i).strip().lower() for i in items if str(i).strip()]
        return canonical_choices(items, ordered=q.type == "order") if items else None
    if q.type == "numeric":
        number = _number(given)
        if number is None or isinstance(given, bool) or not math.isfinite(number):
            return None
        return canonical_number(number, q.decimals)
    return normalize_text(str(given)) or None


def _number(given: Any) -> float | None:
    """A number as typed: ``64``, ``1,024``, or arithmetic such as ``2*sqrt(64)`` (the safe evaluator, no names)."""
    if isinstance(given, (int, float)):
        return float(given)
    text = str(given).strip()
    try:
        return float(text.replace(",", ""))
    except ValueError:
        pass
    try:
        value = evaluate(text)
    except (UnsafeExpression, RecursionError, OverflowError):
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    try:
        return float(value)
    except OverflowError:
        return None


def answer_hash(salt: str, qid: str, canonical: str) -> str:
    return hashlib.sha256(f"{salt}\x00{qid}\x00{canonical}".encode()).hexdigest()[:32]
