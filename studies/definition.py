"""The definition of one Q study: its statements, grid, texts and questions.

These plain frozen dataclasses are the contract the storage layer, the web
app and the analysis code share. A definition is normally read from one YAML
file per study (see :mod:`studies.loader` and ``statements/README.md``);
:meth:`StudyDefinition.from_dict` applies exactly the same checks, without
line numbers.

Every check reports *all* problems at once in a :class:`StudyError`, each
message naming where the problem is.
"""
from __future__ import annotations

import difflib
import hashlib
import json
import numbers
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from qmethod.grid import Grid, grid_bound_problem
from qmethod.textcheck import describe_path, find_bad_text

from .errors import StudyError
from .fit import is_whole as _is_int
from .fit import sort_problems
from .quotation import QUOTE_CONSENT_ID

QUESTION_KINDS = ("text", "textarea", "choice", "number")
ABOUT_VALUES = ("agree_extreme", "disagree_extreme")
ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
SLUG_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]*$")
LANGUAGE_PATTERN = re.compile(r"^[A-Za-z]{2,3}([_-][A-Za-z0-9]{2,8})*$")


# ---------------------------------------------------------------------------
# text normalisation (so that reformatting a file never changes the content)
# ---------------------------------------------------------------------------
def _one_line(text: str) -> str:
    """Collapse all runs of white space to one space (statements, labels)."""
    return " ".join(str(text).split())


def _long_text(text: str) -> str:
    """Strip the ends and trailing spaces on each line; keep line breaks."""
    lines = [line.rstrip() for line in str(text).strip().splitlines()]
    return "\n".join(lines)


# ---------------------------------------------------------------------------
# the dataclasses
# ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Statement:
    """One statement of the Q-set, with its design tags (never shown)."""

    id: str
    text: str
    tags: dict[str, str] = field(default_factory=dict)

    def __post_init__(self):
        object.__setattr__(self, "id", str(self.id))
        object.__setattr__(self, "text", _one_line(self.text))
        object.__setattr__(self, "tags", {str(k): str(v) for k, v in dict(self.tags).items()})

    def __hash__(self):
        return hash((self.id, self.text, tuple(sorted(self.tags.items()))))

    def to_dict(self) -> dict:
        return {"id": self.id, "text": self.text, "tags": dict(sorted(self.tags.items()))}


@dataclass(frozen=True)
class Question:
    """A post-sort or demographic question.

    ``kind`` is ``'text'``, ``'textarea'``, ``'choice'`` (with ``options``) or
    ``'number'``. ``about`` is ``'agree_extreme'`` or ``'disagree_extreme'`` for
    post-sort questions that show the statements the participant placed in the
    most-agree or most-disagree column, else ``None``.
    """

    id: str
    text: str
    kind: str
    options: tuple[str, ...] = ()
    required: bool = False
    about: str | None = None

    def __post_init__(self):
        object.__setattr__(self, "id", str(self.id))
        object.__setattr__(self, "text", _long_text(self.text))
        object.__setattr__(self, "options", tuple(_one_line(o) for o in self.options))
        object.__setattr__(self, "required", bool(self.required))

    def to_dict(self) -> dict:
        return {"id": self.id, "text": self.text, "kind": self.kind,
                "options": list(self.options), "required": self.required, "about": self.about}


@dataclass(frozen=True)
class Pile:
    """A pre-sort pile (e.g. disagree / neutral / agree)."""

    id: str
    label: str

    def __post_init__(self):
        object.__setattr__(self, "id", str(self.id))
        object.__setattr__(self, "label", _one_line(self.label))

    def to_dict(self) -> dict:
        return {"id": self.id, "label": self.label}


@dataclass(frozen=True)
class StudyDefinition:
    """Everything a participant sees in one study, plus the design tags.

    Constructing one checks it (same rules as the file loader) and raises
    :class:`StudyError` listing every problem.
    """

    slug: str
    title: str
    statements: tuple[Statement, ...]
    grid: Grid
    instruction: str          # the condition of instruction
    welcome: str
    consent: str
    thank_you: str
    presort_piles: tuple[Pile, ...] = ()
    postsort_questions: tuple[Question, ...] = ()
    demographic_questions: tuple[Question, ...] = ()
    description: str = ""
    # the participant pages' language and the study's own wording of single
    # participant texts ({msgid: text or plural forms}, see studies.languages);
    # kept as sorted (msgid, text) pairs so that the definition stays hashable
    language: str = "en"
    messages: tuple[tuple[str, str | tuple[str, ...]], ...] = ()

    def __post_init__(self):
        for name in ("statements", "presort_piles", "postsort_questions", "demographic_questions"):
            object.__setattr__(self, name, tuple(getattr(self, name)))
        object.__setattr__(self, "language", str(self.language or "en").strip())
        object.__setattr__(self, "messages", _message_pairs(self.messages))
        object.__setattr__(self, "title", _one_line(self.title))
        for name in ("instruction", "welcome", "consent", "thank_you", "description"):
            object.__setattr__(self, name, _long_text(getattr(self, name)))
        problems = validate_study_dict(self.to_dict())
        if problems:
            raise StudyError(problems)

    # -- views ------------------------------------------------------------
    def statement_ids(self) -> list[str]:
        return [s.id for s in self.statements]

    def statement(self, statement_id: str) -> Statement:
        for s in self.statements:
            if s.id == statement_id:
                return s
        raise KeyError(statement_id)

    def questions(self) -> tuple[Question, ...]:
        """Post-sort then demographic questions."""
        return self.postsort_questions + self.demographic_questions

    def message_overrides(self) -> dict[str, str | tuple[str, ...]]:
        """The study's own wording of participant texts, ``{msgid: text or forms}``."""
        return dict(self.messages)

    # -- serialisation ------------------------------------------------------
    def to_dict(self) -> dict:
        """JSON-safe canonical form (every field, defaults included, except
        ``language`` and ``messages``: fields added later appear only when
        set, so a study without them keeps its fingerprint)."""
        d = {
            "slug": self.slug,
            "title": self.title,
            "description": self.description,
            "instruction": self.instruction,
            "welcome": self.welcome,
            "consent": self.consent,
            "thank_you": self.thank_you,
            "grid": _grid_to_dict(self.grid),
            "statements": [s.to_dict() for s in self.statements],
            "presort_piles": [p.to_dict() for p in self.presort_piles],
            "postsort_questions": [q.to_dict() for q in self.postsort_questions],
            "demographic_questions": [q.to_dict() for q in self.demographic_questions],
        }
        if self.language != "en":
            d["language"] = self.language
        if self.messages:
            d["messages"] = {k: list(v) if isinstance(v, tuple) else v for k, v in self.messages}
        return d

    @classmethod
    def from_dict(cls, d: Any) -> "StudyDefinition":
        """Build from a dict (as :meth:`to_dict` or a parsed study file gives).

        Raises :class:`StudyError` listing every problem (unknown keys, missing
        fields, wrong types, duplicate ids, a grid that does not hold the
        statements...), each named by its field path, e.g. ``statements[3].text``.
        """
        return build_study(d)

    def fingerprint(self) -> str:
        """sha256 (hex) of the canonical JSON of :meth:`to_dict`.

        This is the content version of the study: any change to a text,
        statement, tag, the grid or a question changes it; reformatting the
        YAML file (indentation, quoting, key order, comments, line folding)
        does not.
        """
        canonical = json.dumps(self.to_dict(), sort_keys=True, ensure_ascii=False,
                               separators=(",", ":"))
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()

    # -- checking a participant's Q-sort ------------------------------------
    def check_placements(self, placements: Mapping[str, int], who: str = "the Q-sort") -> None:
        """Check one participant's placements ``{statement_id: score}``.

        Every statement must be placed exactly once with a whole-number score,
        no unknown ids, and the scores must fill the grid exactly. Raises
        :class:`StudyError` whose problems name ``who`` and what is wrong
        (missing and unknown ids, bad scores, over/under-full columns); its
        ``details`` hold them as data (:func:`studies.fit.sort_problems`).
        """
        problems = sort_problems(self, placements, who)
        if problems:
            raise StudyError([p.message for p in problems], subject=who, details=problems)


def _message_pairs(messages) -> tuple:
    """``{msgid: text or [forms]}`` (or pairs) as sorted ``(msgid, text or (forms))`` pairs."""
    items = messages.items() if isinstance(messages, Mapping) else messages or ()
    return tuple(sorted((str(k), tuple(v) if isinstance(v, (list, tuple)) else v)
                        for k, v in items))


def _grid_to_dict(grid: Grid) -> dict:
    d = grid.to_dict()
    d.setdefault("labels", None)
    return d


# ---------------------------------------------------------------------------
# validation of the dict form (shared by from_dict and the YAML loader)
# ---------------------------------------------------------------------------
PathT = tuple  # a field path such as ("statements", 3, "text")
Locate = Callable[[PathT], str]

TOP_REQUIRED = ("slug", "title", "instruction", "welcome", "consent", "thank_you",
                "grid", "statements")
TOP_OPTIONAL = ("description", "presort_piles", "postsort_questions", "demographic_questions",
                "language", "messages")
STATEMENT_KEYS = {"id": True, "text": True, "tags": False}
PILE_KEYS = {"id": True, "label": True}
QUESTION_KEYS = {"id": True, "text": True, "kind": True, "options": False,
                 "required": False, "about": False}
GRID_KEYS = ("scores", "low", "high", "heights", "labels")


def field_path(path: PathT) -> str:
    """``("statements", 3, "text")`` -> ``"statements[3].text"`` (``"study"`` for the root)."""
    out = ""
    for p in path:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out or "study"


def validate_study_dict(d: Any, locate: Locate | None = None) -> list[str]:
    """Every problem of a study in dict form, as ``"<where>: <problem>"`` strings.

    ``locate(path)`` turns a field path into the ``<where>`` part; the YAML
    loader passes one that answers ``"file.yaml, line 12"``. The default names
    the field path.
    """
    v = _Validator(locate or field_path)
    v.study(d)
    return v.problems


def build_study(d: Any, locate: Locate | None = None) -> StudyDefinition:
    """Validate ``d`` (raising :class:`StudyError` with every problem) and build it."""
    problems = validate_study_dict(d, locate)
    if problems:
        raise StudyError(problems)
    g = d["grid"]
    if isinstance(g, Grid):
        grid = g
    elif "scores" in g:
        grid = Grid(tuple(g["scores"]), tuple(g["heights"]), _opt_tuple(g.get("labels")))
    else:
        grid = Grid.from_range(g["low"], g["high"], g["heights"], _opt_tuple(g.get("labels")))

    def question(q):
        return Question(id=q["id"], text=q["text"], kind=q["kind"],
                        options=tuple(q.get("options") or ()), required=bool(q.get("required", False)),
                        about=q.get("about"))

    return StudyDefinition(
        slug=d["slug"], title=d["title"],
        statements=tuple(Statement(id=s["id"], text=s["text"], tags=dict(s.get("tags") or {}))
                         for s in d["statements"]),
        grid=grid,
        instruction=d["instruction"], welcome=d["welcome"], consent=d["consent"],
        thank_you=d["thank_you"],
        presort_piles=tuple(Pile(id=p["id"], label=p["label"]) for p in d.get("presort_piles") or ()),
        postsort_questions=tuple(question(q) for q in d.get("postsort_questions") or ()),
        demographic_questions=tuple(question(q) for q in d.get("demographic_questions") or ()),
        description=d.get("description") or "",
        language=d.get("language") or "en",
        messages=d.get("messages") or {},
    )


def _opt_tuple(x):
    return None if x is None else tuple(x)


class _Validator:
    def __init__(self, locate: Locate):
        self.locate = locate
        self.problems: list[str] = []

    def bad(self, path: PathT, message: str) -> None:
        self.problems.append(f"{self.locate(tuple(path))}: {message}")

    # -- helpers ----------------------------------------------------------
    def mapping(self, value, path, what) -> bool:
        if not isinstance(value, Mapping):
            self.bad(path, f"{what} must be a mapping of keys to values, not {_kind(value)}")
            return False
        return True

    def keys(self, m: Mapping, path, allowed, required, what) -> None:
        for k in m:
            if k not in allowed:
                close = difflib.get_close_matches(str(k), list(allowed), n=1)
                hint = f"did you mean {close[0]!r}? " if close else ""
                self.bad(tuple(path) + (k,), f"unknown key {k!r} in {what} "
                                             f"({hint}allowed: {', '.join(allowed)})")
        for k in required:
            if k not in m:
                self.bad(path, f"{what} is missing the required field {k!r}")

    def text(self, m, key, path, what, *, required=True) -> str | None:
        if key not in m:
            return None
        value = m[key]
        p = tuple(path) + (key,)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.bad(p, f"{what} is empty")
            return None
        if not isinstance(value, str):
            self.bad(p, f"{what} must be text, not {_kind(value)} {value!r}{_quote_hint(value)}")
            return None
        return value

    def ident(self, m, key, path, what) -> str | None:
        if key not in m:
            return None
        value = m[key]
        p = tuple(path) + (key,)
        if _is_int(value):
            value = str(value)
        if value is None or (isinstance(value, str) and not value.strip()):
            self.bad(p, f"{what} is empty")
            return None
        if not isinstance(value, str):
            self.bad(p, f"{what} must be text, not {_kind(value)} {value!r}")
            return None
        if not ID_PATTERN.match(value):
            self.bad(p, f"{what} {value!r} may only use letters, digits, '_', '.' and '-' "
                        f"(starting with a letter or digit)")
            return None
        return value

    def seq(self, value, path, what) -> list | None:
        if value is None:
            return []
        if isinstance(value, (str, bytes, Mapping)) or not hasattr(value, "__iter__"):
            self.bad(path, f"{what} must be a list, not {_kind(value)}")
            return None
        return list(value)

    # -- the study ---------------------------------------------------------
    def study(self, d) -> None:
        if not self.mapping(d, (), "the study"):
            return
        bad = find_bad_text(d)
        if bad is not None:           # not storable anywhere: the one problem worth naming
            where, problem = bad
            self.bad(where, f"{describe_path(where)} holds {problem}; fix that text")
            return
        self.keys(d, (), TOP_REQUIRED + TOP_OPTIONAL, TOP_REQUIRED, "the study")
        slug = self.text(d, "slug", (), "slug")
        if slug is not None and not SLUG_PATTERN.match(slug):
            self.bad(("slug",), f"slug {slug!r} may only use lower-case letters, digits and '-'")
        self.text(d, "title", (), "title")
        self.text(d, "description", (), "description", required=False)
        for key, what in (("instruction", "the condition of instruction"),
                          ("welcome", "the welcome text"), ("consent", "the consent text"),
                          ("thank_you", "the thank-you text")):
            self.text(d, key, (), what)
        n_statements = self.statements(d.get("statements"), ("statements",)) \
            if "statements" in d else None
        if "grid" in d:
            self.grid(d["grid"], ("grid",), n_statements)
        self.piles(d.get("presort_piles"), ("presort_piles",))
        seen: dict[str, PathT] = {}
        self.questions(d.get("postsort_questions"), ("postsort_questions",), "post-sort question",
                       seen, allow_about=True)
        self.questions(d.get("demographic_questions"), ("demographic_questions",),
                       "demographic question", seen, allow_about=False)
        self.language(d)

    def language(self, d) -> None:
        """The shape of ``language`` and ``messages``; whether the language has
        texts and each msgid exists is checked by the file loader
        (:func:`studies.languages.study_language_problems`), so that a stored
        version still loads after a text of the code changed."""
        code = self.text(d, "language", (), "language", required=False)
        if code is not None and not LANGUAGE_PATTERN.match(code):
            self.bad(("language",), f"language {code!r} is not a language code such as 'de' "
                                    f"or 'pt_BR'")
        messages = d.get("messages")
        if messages is None:
            return
        if not self.mapping(messages, ("messages",), "messages"):
            return
        for msgid, text in messages.items():
            p = ("messages", msgid)
            if not isinstance(msgid, str) or not msgid.strip():
                self.bad(p, f"messages: {msgid!r} must be the text of a participant message")
                continue
            texts = list(text) if isinstance(text, (list, tuple)) else [text]
            if not texts or not all(isinstance(t, str) and t.strip() for t in texts):
                self.bad(p, f"messages: the text for {msgid!r} must be text (or a list of texts, "
                            f"one per plural form), not {_kind(text)}")

    def statements(self, value, path) -> int | None:
        items = self.seq(value, path, "statements")
        if items is None:
            return None
        if not items:
            self.bad(path, "the study has no statements")
            return 0
        first_seen: dict[str, int] = {}
        for i, s in enumerate(items):
            p = tuple(path) + (i,)
            what = f"statement {i + 1}"
            if not self.mapping(s, p, what):
                continue
            sid = self.ident(s, "id", p, f"{what}: id")
            if sid is not None:
                what = f"statement {sid!r}"
                if sid in first_seen:
                    self.bad(p + ("id",), f"duplicate statement id {sid!r} (first used by "
                                          f"statement {first_seen[sid] + 1}, at "
                                          f"{self.locate(tuple(path) + (first_seen[sid], 'id'))})")
                else:
                    first_seen[sid] = i
            self.keys(s, p, tuple(STATEMENT_KEYS), [k for k, r in STATEMENT_KEYS.items() if r], what)
            self.text(s, "text", p, f"{what}: text")
            if s.get("tags") is not None:
                tags = s["tags"]
                if self.mapping(tags, p + ("tags",), f"{what}: tags"):
                    for k, tv in tags.items():
                        if not isinstance(k, str):
                            self.bad(p + ("tags",), f"{what}: tag name {k!r} must be text")
                        if isinstance(tv, (Mapping, list, tuple)) or tv is None \
                                or isinstance(tv, bool) or (isinstance(tv, str) and not tv.strip()):
                            self.bad(p + ("tags", k), f"{what}: tag {k!r} must be a word or "
                                                      f"number, not {_kind(tv)}")
        return len(items)

    def grid(self, g, path, n_statements) -> None:
        if isinstance(g, Grid):
            if n_statements is not None and g.n_statements != n_statements:
                self.bad(path, f"the grid holds {g.n_statements} statements but the study has "
                               f"{n_statements} statements")
            return
        if not self.mapping(g, path, "the grid"):
            return
        self.keys(g, path, GRID_KEYS, ("heights", "labels"), "the grid")
        heights = self.int_list(g.get("heights"), path + ("heights",), "grid heights") \
            if "heights" in g else None
        if heights is not None and any(h < 0 for h in heights):
            self.bad(path + ("heights",), "grid heights cannot be negative")
            heights = None
        scores = None
        if "scores" in g:
            if "low" in g or "high" in g:
                self.bad(path, "give the grid either 'scores' or 'low' and 'high', not both")
            scores = self.int_list(g["scores"], path + ("scores",), "grid scores")
            if scores is not None and scores != sorted(set(scores)):
                self.bad(path + ("scores",), "grid scores must be distinct and ascending")
                scores = None
            elif scores is not None and grid_bound_problem(scores[0], scores[-1]):
                self.bad(path + ("scores",), grid_bound_problem(scores[0], scores[-1]))
                scores = None
        else:
            lo_hi = []
            for key in ("low", "high"):
                if key not in g:
                    self.bad(path, f"the grid is missing the required field {key!r} "
                                   f"(or give 'scores')")
                elif not _is_int(g[key]):
                    self.bad(path + (key,), f"grid {key} must be a whole number, not {g[key]!r}")
                else:
                    lo_hi.append(int(g[key]))
            if len(lo_hi) == 2:
                if lo_hi[0] > lo_hi[1]:
                    self.bad(path + ("low",), f"grid low ({lo_hi[0]}) is above grid high ({lo_hi[1]})")
                elif grid_bound_problem(*lo_hi):   # before the range is built
                    self.bad(path, grid_bound_problem(*lo_hi))
                else:
                    scores = list(range(lo_hi[0], lo_hi[1] + 1))
        if scores is not None and heights is not None and len(scores) != len(heights):
            self.bad(path + ("heights",), f"the grid has {len(scores)} columns "
                                          f"({_range_text(scores)}) but {len(heights)} column heights")
        if heights is not None and n_statements is not None and sum(heights) != n_statements:
            self.bad(path + ("heights",), f"the grid columns hold {sum(heights)} statements "
                                          f"(heights {' + '.join(map(str, heights))}) but the study "
                                          f"has {n_statements} statements")
        if "labels" in g and g["labels"] is None:
            self.bad(path + ("labels",), "the grid needs column labels, one per column "
                                         "(e.g. 'Most disagree' ... 'Most agree')")
        elif "labels" in g:
            labels = self.seq(g["labels"], path + ("labels",), "grid labels")
            if labels is not None:
                ncol = len(scores) if scores is not None else (len(heights) if heights else None)
                if ncol is not None and len(labels) != ncol:
                    self.bad(path + ("labels",), f"the grid has {ncol} columns but "
                                                 f"{len(labels)} column labels")
                for i, lab in enumerate(labels):
                    if not isinstance(lab, (str, int)) or isinstance(lab, bool) or not str(lab).strip():
                        self.bad(path + ("labels", i), f"grid label {i + 1} must be non-empty "
                                                       f"text, not {_kind(lab)}{_quote_hint(lab)}")

    def int_list(self, value, path, what) -> list[int] | None:
        items = self.seq(value, path, what)
        if items is None:
            return None
        if not items:
            self.bad(path, f"{what} are empty")
            return None
        ok = True
        for i, x in enumerate(items):
            if not _is_int(x):
                self.bad(tuple(path) + (i,), f"{what}: {x!r} is not a whole number")
                ok = False
        return [int(x) for x in items] if ok else None

    def piles(self, value, path) -> None:
        items = self.seq(value, path, "presort_piles")
        if not items:
            return
        seen: dict[str, int] = {}
        for i, pile in enumerate(items):
            p = tuple(path) + (i,)
            what = f"pre-sort pile {i + 1}"
            if not self.mapping(pile, p, what):
                continue
            pid = self.ident(pile, "id", p, f"{what}: id")
            if pid is not None:
                what = f"pre-sort pile {pid!r}"
                if pid in seen:
                    self.bad(p + ("id",), f"duplicate pre-sort pile id {pid!r}")
                seen.setdefault(pid, i)
            self.keys(pile, p, tuple(PILE_KEYS), [k for k, r in PILE_KEYS.items() if r], what)
            self.text(pile, "label", p, f"{what}: label")

    def questions(self, value, path, noun, seen: dict, allow_about: bool) -> None:
        items = self.seq(value, path, path[0])
        if not items:
            return
        for i, q in enumerate(items):
            p = tuple(path) + (i,)
            what = f"{noun} {i + 1}"
            if not self.mapping(q, p, what):
                continue
            qid = self.ident(q, "id", p, f"{what}: id")
            if qid is not None:
                what = f"{noun} {qid!r}"
                if qid in seen:
                    self.bad(p + ("id",), f"duplicate question id {qid!r} (question ids must be "
                                          f"unique across post-sort and demographic questions)")
                seen.setdefault(qid, p)
            self.keys(q, p, tuple(QUESTION_KEYS), [k for k, r in QUESTION_KEYS.items() if r], what)
            self.text(q, "text", p, f"{what}: text")
            kind = q.get("kind")
            if "kind" in q and kind not in QUESTION_KINDS:
                self.bad(p + ("kind",), f"{what}: unknown question kind {kind!r} "
                                        f"(use one of: {', '.join(QUESTION_KINDS)})")
            options = self.seq(q.get("options"), p + ("options",), f"{what}: options")
            if options is not None:
                for j, o in enumerate(options):
                    if not isinstance(o, (str, int, float)) or isinstance(o, bool) or not str(o).strip():
                        self.bad(p + ("options", j), f"{what}: option {j + 1} must be non-empty "
                                                     f"text, not {_kind(o)}{_quote_hint(o)}")
                if len(set(map(str, options))) != len(options):
                    self.bad(p + ("options",), f"{what}: options repeat")
                if kind == "choice" and len(options) < 2:
                    self.bad(p + ("options",) if "options" in q else p,
                             f"{what}: a choice question needs at least 2 options")
                if kind in QUESTION_KINDS and kind != "choice" and options:
                    self.bad(p + ("options",), f"{what}: only choice questions take options "
                                               f"(this one is {kind!r})")
            if qid == QUOTE_CONSENT_ID and (not allow_about or ("kind" in q and kind != "choice")):
                self.bad(p, f"{what} asks for consent to quotation: it must be a post-sort question "
                            f"of kind 'choice' whose first option is the yes answer")
            if "required" in q and not isinstance(q["required"], bool):
                self.bad(p + ("required",), f"{what}: required must be true or false, "
                                            f"not {q['required']!r}")
            about = q.get("about")
            if about is not None:
                if not allow_about:
                    self.bad(p + ("about",), f"{what}: 'about' is only for post-sort questions")
                elif about not in ABOUT_VALUES:
                    self.bad(p + ("about",), f"{what}: about must be one of "
                                             f"{', '.join(ABOUT_VALUES)} (or left out), not {about!r}")


def _quote_hint(value: Any) -> str:
    if isinstance(value, bool):
        return (" (YAML reads yes, no, on, off, true and false as true/false: "
                "put the text in quotes)")
    return ""


def _range_text(scores: list[int]) -> str:
    return f"{scores[0]:+d} to {scores[-1]:+d}" if scores else "none"


def _kind(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, str):
        return "text"
    if isinstance(value, numbers.Number):
        return "a number"
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, (list, tuple)):
        return "a list"
    return type(value).__name__
