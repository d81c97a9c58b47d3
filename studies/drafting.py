"""Designing a study in the workspace: starting points, a suggested grid, and
the loader's problems attached to the fields they are about.

A study being designed is kept as its definition in dict form (the shape of
:meth:`StudyDefinition.to_dict`), which may not be valid yet. This module
makes such dicts (:func:`new_study_content` from statements read from a CSV
file, a PQMethod ``.STA`` file or nothing; :func:`content_from_yaml` from a
study file), tidies one for the editor (:func:`editable`) and lists its
problems by field (:func:`field_problems`, the messages of
:func:`studies.definition.validate_study_dict`, so the design page and the
file loader say the same thing).
"""
from __future__ import annotations

import csv
import io
import math
import os
import re
import tempfile
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import yaml

from qmethod.cells import unquote_cell

from .definition import StudyDefinition, field_path, validate_study_dict
from .errors import StudyError
from .loader import parse_study

MAX_STATEMENTS = 1000
MAX_FILE_BYTES = 5_000_000

DEFAULT_TEXTS = {
    "description": "",
    "welcome": ("Welcome, and thank you for your interest in this study.\n\n"
                "You will read a set of statements and sort them from what you most disagree "
                "with to what you most agree with. There are no right or wrong answers: we want "
                "your own view."),
    "consent": ("Please read this before you start.\n\n"
                "- Taking part is voluntary. You can stop at any time by closing the page.\n"
                "- Nothing is stored until you agree below. After that, your unfinished sort is "
                "saved as you go; an unfinished sort is deleted when the study closes.\n"
                "- You are anonymous: please do not write names or other identifying details in "
                "your answers.\n\n"
                "If you are happy to take part on these terms, please give your consent below."),
    "instruction": ("Sort the statements according to how much you agree with each, from what "
                    "you most disagree with to what you most agree with."),
    "thank_you": "Thank you for taking part. Your answers have been saved.",
}
DEFAULT_PILES = [{"id": "disagree", "label": "Disagree"},
                 {"id": "neutral", "label": "Neutral or unsure"},
                 {"id": "agree", "label": "Agree"}]
DEFAULT_POSTSORT = [
    {"id": "why_most_agree", "text": "Why did you place these statements at the most-agree end?",
     "kind": "textarea", "options": [], "required": False, "about": "agree_extreme"},
    {"id": "why_most_disagree",
     "text": "Why did you place these statements at the most-disagree end?",
     "kind": "textarea", "options": [], "required": False, "about": "disagree_extreme"},
]
TEXT_FIELDS = ("title", "description", "welcome", "consent", "instruction", "thank_you")


# ---------------------------------------------------------------------------
# the grid
# ---------------------------------------------------------------------------
def grid_half_width(n: int) -> int:
    """How many columns on each side of 0 a grid for ``n`` statements gets."""
    for limit, k in ((6, 1), (13, 2), (20, 3), (40, 4), (60, 5)):
        if n < limit:
            return k
    return 6


def column_labels(low: int, high: int) -> list[str]:
    """Default column captions: "Most disagree" ... "Neutral or unsure" ... "Most agree"."""
    def one(score: int) -> str:
        if score == 0:
            return "Neutral or unsure"
        side = "agree" if score > 0 else "disagree"
        if score in (low, high) and abs(score) > 1 or (score in (low, high) and low == -high == -1):
            return f"Most {side}"
        far = max(abs(low), abs(high))
        words = ["Slightly", "", "Strongly", "Very strongly", "Extremely"] if far > 2 else [""]
        word = words[min(abs(score), len(words)) - 1]
        return f"{word} {side}".strip().capitalize()
    return [one(s) for s in range(low, high + 1)]


def suggested_heights(n: int) -> list[int]:
    """A symmetric quasi-normal distribution of ``n`` statements (n >= 2): heights
    from the most-disagree column up, adding up to ``n``, never taller away from
    the middle, at least 1 at each end from 3 statements on.

    The ideal heights follow a normal curve whose standard deviation is 0.7 x
    the number of columns on each side (flatter than a bell, as Q grids are:
    for 36 statements this gives 2, 3, 5, 5, 6, 5, 5, 3, 2); they are rounded
    in pairs (one left, one right), the middle column taking what is left,
    then evened out so that no column is taller than one nearer the middle.
    """
    n = int(n)
    if n < 2:
        raise StudyError("a grid needs at least 2 statements")
    k = grid_half_width(n)
    sd = max(1.0, 0.7 * k)
    weights = [math.exp(-(d * d) / (2 * sd * sd)) for d in range(k + 1)]
    total = weights[0] + 2 * sum(weights[1:])
    ideal = [n * w / total for w in weights]           # [middle, 1 away, 2 away, ...]
    pairs = [max(1, math.floor(x)) for x in ideal[1:]]
    while 2 * sum(pairs) > n - (n % 2):                 # tiny n: the ends cannot all be 1
        pairs[pairs.index(max(pairs))] -= 1
    middle = n - 2 * sum(pairs)

    def can_grow(d: int) -> bool:       # keep heights falling away from the middle
        return (d == 0 or pairs[d] < pairs[d - 1]) and middle - 2 >= pairs[0] + (d == 0)
    while pairs and middle > pairs[0] + 1:
        growable = [d for d in range(len(pairs)) if can_grow(d)]
        if not growable:
            break
        d = max(growable, key=lambda j: (ideal[j + 1] - pairs[j], -j))
        pairs[d] += 1
        middle -= 2
    while pairs and middle < pairs[0]:                  # a dip in the middle: flatten outward
        d = max(j for j in range(len(pairs)) if pairs[j] == max(pairs))
        pairs[d] -= 1
        middle += 2
    side = list(reversed(pairs))
    return side + [middle] + pairs


def suggested_grid(n: int) -> dict:
    """A grid dict (``low``, ``high``, ``heights``, ``labels``) for ``n`` statements."""
    heights = suggested_heights(n)
    k = len(heights) // 2
    return {"low": -k, "high": k, "heights": heights, "labels": column_labels(-k, k)}


# ---------------------------------------------------------------------------
# starting points
# ---------------------------------------------------------------------------
def slug_from_title(title: str) -> str:
    """A short name for links from a title: ``"What's co-production?"`` -> ``whats-co-production``."""
    text = unicodedata.normalize("NFKD", str(title)).encode("ascii", "ignore").decode("ascii")
    text = re.sub(r"['’]", "", text.lower())
    slug = re.sub(r"[^a-z0-9]+", "-", text).strip("-")[:60].strip("-")
    return slug or "study"


def new_study_content(slug: str, title: str, statements: list[dict] | None = None) -> dict:
    """A new study's draft: default texts (to be edited), three pre-sort piles,
    two post-sort questions about the ends of the grid, ``statements``
    (``[{"id", "text", "tags"}]``) and the suggested grid for them."""
    statements = [dict(s) for s in (statements or [])]
    n = len(statements)
    grid = suggested_grid(n) if n >= 2 else {"low": -1, "high": 1, "heights": [0, max(n, 0), 0],
                                             "labels": column_labels(-1, 1)}
    return {"slug": slug, "title": " ".join(str(title).split()), **DEFAULT_TEXTS, "grid": grid,
            "statements": statements, "presort_piles": [dict(p) for p in DEFAULT_PILES],
            "postsort_questions": [dict(q) for q in DEFAULT_POSTSORT],
            "demographic_questions": []}


def _decode(data: bytes | str, name: str) -> str:
    if isinstance(data, str):
        return data
    if len(data) > MAX_FILE_BYTES:
        raise StudyError(f"{name}: the file is too large (at most {MAX_FILE_BYTES // 1_000_000} MB)")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise StudyError(f"{name}, line {line}: the file is not UTF-8 text (save it as "
                         "UTF-8 and try again)") from None


def statements_from_csv(data: bytes | str, name: str = "statements.csv") -> list[dict]:
    """Statements from a CSV file ``id,text[,tag...]`` (comma, semicolon or tab).

    A first row that starts ``id,text`` is a header: the names of the further
    columns are the tag names; without one, further columns are tags
    ``tag1``, ``tag2``... Empty rows are skipped; empty tag cells give no tag.
    Raises :class:`StudyError` (one line, naming the row) for a file that cannot
    be read this way; ids and texts are checked on the design page.
    """
    text = _decode(data, name)
    rows = [(k, r) for k, r in enumerate(_csv_rows(text), start=1) if any(c.strip() for c in r)]
    if not rows:
        raise StudyError(f"{name}: the file holds no statements")
    first = rows[0][1]
    if [c.strip().lower() for c in first[:2]] == ["id", "text"]:
        tag_names = [c.strip() or f"tag{i + 1}" for i, c in enumerate(first[2:])]
        rows = rows[1:]
    else:
        tag_names = [f"tag{i + 1}" for i in range(max(len(r) for _, r in rows) - 2)]
    if len(rows) > MAX_STATEMENTS:
        raise StudyError(f"{name}: {len(rows)} statements; a study may have at most {MAX_STATEMENTS}")
    out = []
    for number, row in rows:
        if len(row) < 2:
            raise StudyError(f"{name}, row {number}: expected an id and a text separated by a "
                             f"comma, found {row[0].strip()[:40]!r}")
        tags = {tag: value.strip() for tag, value in zip(tag_names, row[2:]) if value.strip()}
        # a text our exports protected from spreadsheets ('=...) comes back as written
        out.append({"id": unquote_cell(row[0].strip()), "text": " ".join(unquote_cell(row[1]).split()),
                    "tags": tags})
    return out


def _csv_rows(text: str) -> list[list[str]]:
    """The rows, split at the delimiter (comma, semicolon or tab) that gives
    most of the first lines at least two cells (comma on a tie)."""
    head = text.splitlines()[:20]

    def fit(delimiter: str) -> int:
        return sum(len(r) >= 2 for r in csv.reader(head, delimiter=delimiter))
    delimiter = max((",", ";", "\t"), key=fit)
    return list(csv.reader(io.StringIO(text), delimiter=delimiter))


def statements_from_sta(data: bytes, name: str = "study.sta") -> list[dict]:
    """Statements from a PQMethod ``.STA`` file (one text per line), read by
    :func:`qmethod.io.pqmethod.read_sta`; ids ``s01``, ``s02``, ... in file order."""
    from qmethod.errors import QMethodError
    from qmethod.io.pqmethod import read_sta

    if isinstance(data, str):
        data = data.encode("utf-8")
    if len(data) > MAX_FILE_BYTES:
        raise StudyError(f"{name}: the file is too large (at most {MAX_FILE_BYTES // 1_000_000} MB)")
    fd, path = tempfile.mkstemp(suffix=".sta")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        texts = read_sta(path)
    except QMethodError as exc:
        raise StudyError(f"{name}: {str(exc).split(': ', 1)[-1]}") from None
    finally:
        os.unlink(path)
    while texts and not texts[-1].strip():
        texts.pop()
    if not texts:
        raise StudyError(f"{name}: the file holds no statements")
    width = max(2, len(str(len(texts))))
    return [{"id": f"s{i:0{width}d}", "text": " ".join(t.split()), "tags": {}}
            for i, t in enumerate(texts, start=1)]


@dataclass(frozen=True)
class YamlImport:
    """A study file read for the workspace: ``content`` to start the draft from,
    ``problems`` the loader's messages (file and line) if it is not valid yet."""

    content: dict
    problems: tuple[str, ...] = ()


def content_from_yaml(data: bytes | str, name: str = "study.yaml") -> YamlImport:
    """A study file as a draft: valid files as the loader reads them; a file
    with problems as written (its problems listed), as long as it is a mapping.
    Raises :class:`StudyError` (the loader's message) for a file that is not."""
    text = _decode(data, name)
    try:
        return YamlImport(parse_study(text, name=name).to_dict())
    except StudyError as exc:
        problems = tuple(exc.problems)
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError:
        raw = None
    if not isinstance(raw, Mapping):
        raise StudyError(problems[0] if len(problems) == 1 else
                         f"{name}: " + "; ".join(problems[:3]))
    return YamlImport(_jsonable(raw), problems)


def _jsonable(value: Any) -> Any:
    """``value`` with what JSON cannot hold (dates, sets...) as text."""
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    return str(value)


# ---------------------------------------------------------------------------
# the draft in the editor
# ---------------------------------------------------------------------------
def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _int(value: Any, default: int = 0) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def _items(value: Any) -> list[dict]:
    return [dict(x) for x in value if isinstance(x, Mapping)] if isinstance(value, list) else []


def editable(content: Mapping) -> dict:
    """``content`` in the exact shape the design page edits (every field there,
    texts as text, the grid as ``low``/``high``/``heights``/``labels``): what
    it cannot read keeps a neutral value, and its problems still show."""
    c = dict(content) if isinstance(content, Mapping) else {}
    out: dict[str, Any] = {"slug": _text(c.get("slug"))}
    for key in TEXT_FIELDS:
        out[key] = _text(c.get(key))
    g = c.get("grid") if isinstance(c.get("grid"), Mapping) else {}
    scores = g.get("scores")
    if isinstance(scores, list) and scores:
        low, high = _int(scores[0]), _int(scores[-1])
    else:
        low, high = _int(g.get("low"), -4), _int(g.get("high"), 4)
    heights = [_int(h) for h in g.get("heights") or []] if isinstance(g.get("heights"), list) else []
    labels = [_text(x) for x in g.get("labels") or []] if isinstance(g.get("labels"), list) else []
    out["grid"] = {"low": low, "high": high, "heights": heights, "labels": labels}
    out["statements"] = [{"id": _text(s.get("id")), "text": _text(s.get("text")),
                          "tags": {str(k): _text(v) for k, v in (s.get("tags") or {}).items()}
                          if isinstance(s.get("tags"), Mapping) else {}}
                         for s in _items(c.get("statements"))]
    out["presort_piles"] = [{"id": _text(p.get("id")), "label": _text(p.get("label"))}
                            for p in _items(c.get("presort_piles"))]
    for key in ("postsort_questions", "demographic_questions"):
        out[key] = [{"id": _text(q.get("id")), "text": _text(q.get("text")),
                     "kind": _text(q.get("kind")) or "text",
                     "options": [_text(o) for o in q.get("options") or []]
                     if isinstance(q.get("options"), list) else [],
                     "required": bool(q.get("required", False)),
                     "about": q.get("about") if q.get("about") else None}
                    for q in _items(c.get(key))]
    # the participant pages' language and the study's own wording of their texts
    out["language"] = _text(c.get("language")).strip() or "en"
    messages = c.get("messages") if isinstance(c.get("messages"), Mapping) else {}
    out["messages"] = {str(k): [_text(x) for x in v] if isinstance(v, (list, tuple)) else _text(v)
                       for k, v in messages.items()}
    return out


def to_definition_dict(content: Mapping) -> dict:
    """The editor's dict as the loader reads it (empty optional parts left out
    so they are not reported as problems)."""
    c = editable(content)
    out = {k: v for k, v in c.items()
           if (k not in ("description", "messages") or v) and (k != "language" or v != "en")}
    return out


@dataclass(frozen=True)
class FieldProblem:
    """One problem of a draft: ``path`` the field it is about, e.g.
    ``("grid", "heights")`` or ``("statements", 3, "text")``; ``message`` the
    loader's words for it (its location prefix removed)."""

    path: tuple
    message: str

    def under(self, *prefix) -> bool:
        return self.path[:len(prefix)] == prefix


def field_problems(content: Mapping) -> list[FieldProblem]:
    """Every problem of a draft, each attached to its field (empty when it can
    be published)."""
    paths: list[tuple] = []

    def locate(path: tuple) -> str:
        paths.append(tuple(path))
        return f"@{len(paths) - 1}"

    def elsewhere(match: re.Match) -> str:       # a second place named inside a message
        return f" ({field_path(paths[int(match.group(1))])})"

    out = []
    for text in validate_study_dict(to_definition_dict(content), locate):
        where, _, message = text.partition(": ")
        index = int(where[1:]) if where.startswith("@") and where[1:].isdigit() else None
        message = re.sub(r",? at @(\d+)", "", message)
        message = re.sub(r" ?@(\d+)", elsewhere, message)
        out.append(FieldProblem(paths[index] if index is not None else (), message))
    return out


def definition_of(content: Mapping) -> StudyDefinition:
    """The draft as a definition; :class:`StudyError` with every problem if it is not valid."""
    return StudyDefinition.from_dict(to_definition_dict(content))
