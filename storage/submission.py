"""What a participant sends, and its check on the server whatever the browser sent.

:func:`validate_submission` is pure (no database): the store runs it before
writing a response, and the import of a study file runs it on every response.
Every problem it finds is a :class:`studies.errors.Problem` (a code and its
fields, with a message for researchers), gathered in one
:class:`~storage.errors.InvalidSubmission`.
"""
from __future__ import annotations

import dataclasses
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from studies.definition import Question, StudyDefinition
from studies.errors import Problem
from studies.fit import sort_problems

from .errors import InvalidSubmission, refuse_unstorable

MAX_TEXT_ANSWER = 10_000
MAX_USER_AGENT = 512
#: Bounds on numbers a participant can send (larger ones are typos or attacks).
MAX_NUMBER_ANSWER = 10 ** 9
MAX_TIMING = 365 * 24 * 3600.0


@dataclass
class Submission:
    placements: dict[str, int]
    presort: dict[str, str] = field(default_factory=dict)
    answers: dict[str, Any] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    user_agent: str = ""

    @classmethod
    def from_dict(cls, d: Mapping) -> "Submission":
        refuse_unstorable(d, "your Q-sort")      # before any of it is echoed in a message
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(str(k) for k in set(d) - known)
        if unknown:
            raise InvalidSubmission.of(Problem(
                "submission_unreadable", f"The submission has unknown parts: {', '.join(unknown)}.",
                values=tuple(unknown)))
        if "placements" not in d:
            raise InvalidSubmission.of(Problem("submission_unreadable",
                                               "The submission has no Q-sort (placements)."))
        return cls(**{k: d[k] for k in d})


def _finite(value) -> bool:
    """A real int or float that fits a double and is finite (a huge Python
    int would overflow ``math.isfinite``)."""
    if not isinstance(value, (int, float)):
        return False
    try:
        return math.isfinite(float(value))
    except OverflowError:
        return False


_INT_TEXT = re.compile(r"^[+-]?\d+$")


def _as_score(v: Any) -> Any:
    if isinstance(v, bool):
        return v
    if isinstance(v, float) and v.is_integer():
        return int(v)
    if isinstance(v, str) and _INT_TEXT.match(v.strip()):
        return int(v.strip())
    return v


def _clean_answer(q: Question, value) -> tuple[Any, Problem | None]:
    """One answer checked against its question: ``(clean value, None)`` or
    ``(None, problem)``."""
    def bad(code: str, message: str, **fields) -> tuple[None, Problem]:
        return None, Problem(code, f"the answer to {q.id!r} {message}", question=q.id, **fields)

    if q.kind == "number":
        num = value
        if isinstance(value, str):
            try:
                num = float(value.strip())
            except ValueError:
                num = None
        if isinstance(num, bool) or not _finite(num):
            return bad("not_a_number", "must be a number")
        if abs(num) > MAX_NUMBER_ANSWER:
            return bad("number_out_of_range", f"is out of range (at most {MAX_NUMBER_ANSWER:,} in size)",
                       limit=MAX_NUMBER_ANSWER)
        return (int(num) if float(num).is_integer() else float(num)), None
    if q.kind == "choice":
        if str(value) not in q.options:
            return bad("not_an_option", "must be one of the options offered")
        return str(value), None
    if not isinstance(value, str):
        return bad("not_text", "must be text")
    if len(value) > MAX_TEXT_ANSWER:
        return bad("too_long", f"is too long ({len(value)} characters, at most {MAX_TEXT_ANSWER})",
                   count=len(value), limit=MAX_TEXT_ANSWER)
    return value, None


def _presort_problems(defn: StudyDefinition, presort: Any) -> tuple[dict, list[Problem]]:
    if presort is None:
        return {}, []
    if not isinstance(presort, Mapping):
        return {}, [Problem("presort_unreadable", "the pre-sort piles could not be read")]
    problems = []
    known = set(defn.statement_ids())
    pile_ids = {p.id for p in defn.presort_piles}
    presort = {str(k): (v if not isinstance(v, (int, float)) or isinstance(v, bool) else str(v))
               for k, v in presort.items()}
    bad_ids = tuple(k for k in presort if k not in known)
    if bad_ids:
        problems.append(Problem("presort_unknown_statements", "the pre-sort names unknown "
                                f"statements: {', '.join(map(repr, bad_ids[:10]))}",
                                statements=bad_ids))
    bad_piles = tuple(sorted({str(v) for v in presort.values()
                              if not isinstance(v, str) or (pile_ids and v not in pile_ids)}))
    if bad_piles:
        problems.append(Problem("presort_unknown_piles", "the pre-sort uses unknown piles: "
                                f"{', '.join(map(repr, bad_piles[:10]))}", values=bad_piles))
    return presort, problems


def _answer_problems(defn: StudyDefinition, answers: Any) -> tuple[dict, list[Problem]]:
    if answers is None:
        answers = {}
    problems = []
    if not isinstance(answers, Mapping):
        problems.append(Problem("answers_unreadable", "the answers could not be read"))
        answers = {}
    questions = {q.id: q for q in defn.questions()}
    clean: dict[str, Any] = {}
    refused: set[str] = set()
    for key, value in answers.items():
        q = questions.get(str(key))
        if q is None:
            problems.append(Problem("unknown_question", f"there is no question {str(key)[:64]!r} "
                                    "in this study", question=str(key)[:64]))
            continue
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        value, problem = _clean_answer(q, value)
        if problem:
            refused.add(q.id)
            problems.append(problem)
            continue
        clean[q.id] = value
    for q in defn.questions():
        if q.required and q.id not in clean and q.id not in refused:
            problems.append(Problem("answer_required", f"the question {q.id!r} needs an answer",
                                    question=q.id))
    return clean, problems


def _timing_problems(timings: Any) -> tuple[dict, list[Problem]]:
    if timings is None:
        return {}, []
    if not isinstance(timings, Mapping):
        return {}, [Problem("timings_unreadable", "the timings could not be read")]
    clean: dict[str, float] = {}
    problems = []
    for key, value in list(timings.items())[:200]:
        if isinstance(value, bool) or not _finite(value) or value < 0 or value > MAX_TIMING:
            problems.append(Problem("bad_timing", f"the timing {str(key)[:64]!r} must be a number "
                                    f"of seconds, not {str(value)[:20]!r}",
                                    values=(str(key)[:64],), value=str(value)[:20]))
            continue
        clean[str(key)[:64]] = float(value)
    return clean, problems


def validate_submission(defn: StudyDefinition, sub: Submission, who: str = "your Q-sort") -> dict:
    """Check ``sub`` against ``defn`` and return the columns to store.

    Raises :class:`InvalidSubmission` listing every problem: the placements
    must fill the grid with every statement exactly once
    (:func:`studies.fit.sort_problems`); pre-sort piles must name known
    statements and piles; answers must answer known questions (the required
    ones not left empty, choices among the options); timings are
    non-negative seconds. Text holding a NUL or a lone surrogate anywhere
    (keys too, and the user agent) is refused first (:class:`UnstorableText`).
    """
    # NUL and lone surrogates first: no backend and no export can hold them
    refuse_unstorable({"placements": sub.placements, "presort": sub.presort, "answers": sub.answers,
                       "timings": sub.timings, "user_agent": sub.user_agent}, who)
    placements = sub.placements
    if not isinstance(placements, Mapping):
        raise InvalidSubmission.of(Problem("placements_unreadable",
                                           f"The placements of {who} could not be read."))
    placements = {str(k): _as_score(v) for k, v in placements.items()}
    problems = sort_problems(defn, placements, who)
    presort, found = _presort_problems(defn, sub.presort)
    problems += found
    answers, found = _answer_problems(defn, sub.answers)
    problems += found
    timings, found = _timing_problems(sub.timings)
    problems += found
    if problems:
        raise InvalidSubmission.of(*problems, who=who)
    user_agent = sub.user_agent if isinstance(sub.user_agent, str) else ""
    return {
        "placements": {i: int(placements[i]) for i in defn.statement_ids()},
        "presort": {k: str(v) for k, v in presort.items()},
        "answers": answers,
        "timings": timings,
        "user_agent": user_agent[:MAX_USER_AGENT],
    }
