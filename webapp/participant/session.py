"""The one place where participant pages talk to the store.

Everything here is plain Python (no Streamlit calls except the cached store),
so the page logic can be tested and benchmarked without a browser.

A participant is identified by the study slug and a token from their link.
:class:`Participant` bundles the pinned study version, the session (step and
draft) and the participant's shuffled statement order. The draft kept on the
server has this shape (statement ids, never neutral numbers)::

    {"presort": {"rev": 3, "piles": {"c01": "agree", ...}},
     "grid": {"rev": 12, "columns": {"-4": ["c07", "c21"], ...}},
     "answers": {"why_most_agree": "...", ...},
     "answer_ts": {"why_most_agree": 1767225600000, ...},
     "timings": {"presort": 81.2, ...}}

``rev`` counts the changes made in one browser, so it cannot order the work
of two devices; ``ts`` (milliseconds, on the server's clock: the browser
corrects its own clock by the ``now_ms`` it is given) says when the change
was made, and :func:`is_newer` uses it to decide which copy is newer.
``answer_ts`` says when each answer was last saved, so that an answer typed
in this browser but never sent is restored only if it is newer.
"""
from __future__ import annotations

import hashlib
import random
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from storage import (
    AlreadySubmitted,
    InvalidSubmission,
    SessionInfo,
    StorageError,
    Store,
    StudyClosed,
    StudyInfo,
    Submission,
    SubmitResult,
    UnknownStudy,
    UnknownToken,
)
from storage.errors import ResponseWithdrawn
from studies.errors import Problem
from studies.fit import sort_problems
from studies.seed import ensure_coproduction

from ..i18n import ENGLISH, N_, Translator, for_study

# The participant's steps, in order. A study without pre-sort piles, post-sort
# or demographic questions skips that step (see :func:`steps_for`).
STEPS = ("welcome", "instruction", "presort", "grid", "postsort", "demographics", "thanks")

# How often (at most) a component sends its draft to the server, in ms.
AUTOSAVE_MS = 4000


def now_ms() -> int:
    """The server's clock in milliseconds (the time stamp of drafts and answers)."""
    return int(time.time() * 1000)


def stamp(piece: Mapping | None) -> tuple[int, int]:
    """(ts, rev) of a draft piece such as ``{"rev": 3, "ts": ..., "piles": ...}``."""
    piece = piece if isinstance(piece, Mapping) else {}
    try:
        return max(0, int(piece.get("ts") or 0)), max(0, int(piece.get("rev") or 0))
    except (TypeError, ValueError):
        return 0, 0


def is_newer(new: Mapping | None, old: Mapping | None) -> bool:
    """Whether draft piece ``new`` holds newer work than ``old``.

    Revisions are counted by each browser on its own, so an old copy from one
    device can carry a higher revision than newer work from another: the time
    stamps decide, and the revision only breaks a tie (or decides for copies
    saved before drafts had time stamps).
    """
    (new_ts, new_rev), (old_ts, old_rev) = stamp(new), stamp(old)
    if new_ts and old_ts:
        return (new_ts, new_rev) > (old_ts, old_rev)
    return new_rev > old_rev


# A browser's time stamp further ahead of the server's clock than this is
# taken to be wrong (the browser corrects its clock by the server's, so only a
# broken browser gets here) and replaced by the server's time.
MAX_CLOCK_AHEAD_MS = 60_000


def client_ts(value: Mapping) -> int:
    """The time stamp a browser gave a draft: 0 if it gave none (then only the
    revisions order the copies), the server's time if it is clearly wrong."""
    ts, _rev = stamp(value)
    now = now_ms()
    return now if ts > now + MAX_CLOCK_AHEAD_MS else ts


def numbers_text(numbers: list[int], tr: Translator = ENGLISH) -> str:
    """'statement 4', 'statements 4 and 9', 'statements 4, 9, and 12' (in ``tr``'s language)."""
    nums = sorted(numbers)
    return tr.ngettext("statement {numbers}", "statements {numbers}", len(nums),
                       numbers=tr.list(tr.number(n) for n in nums))


# ---------------------------------------------------------------------------
# the store
# ---------------------------------------------------------------------------
def open_store(url: str | None = None) -> Store:
    """Open the store (``DATABASE_URL`` or the embedded SQLite file) and make
    sure the co-production study and its demo copy are published."""
    store = Store.from_url(url)
    ensure_coproduction(store)
    return store


def get_store() -> Store:
    """The process-wide store, opened once (Streamlit resource cache)."""
    return _cached_store()


def _make_cached_store():
    import streamlit as st

    @st.cache_resource(show_spinner=False)
    def _store() -> Store:
        return open_store()

    return _store


_cached_store = _make_cached_store()


def open_studies(store: Store) -> list[StudyInfo]:
    """Real (not demo) studies that take participants, by title."""
    studies = [s for s in store.list_studies(include_demo=False) if s.status == "open"]
    return sorted(studies, key=lambda s: s.title.lower())


# ---------------------------------------------------------------------------
# messages for every way a link can fail
# ---------------------------------------------------------------------------
@dataclass(frozen=True)
class LinkProblem:
    """What to tell a participant whose link cannot be used (one of these kinds)."""

    kind: str       # 'bad_link' | 'used_link' | 'closed' | 'version_changed' | 'connection'
                    # | 'invalid' (a submission the store refused)
    title: str
    message: str

    def translated(self, tr: Translator) -> LinkProblem:
        """This problem with its texts (msgids) in ``tr``'s language."""
        return LinkProblem(self.kind, tr.gettext(self.title), tr.gettext(self.message))


# The texts are msgids (N_), translated when shown (LinkProblem.translated).
_BAD_LINK = LinkProblem("bad_link", N_("This link does not work"),
                        N_("We could not find a study for this link. Please check that you "
                           "copied the whole link from your invitation, or ask the research "
                           "team for a new one."))
_CONNECTION = LinkProblem("connection", N_("We lost the connection"),
                          N_("We could not reach the server just now. Nothing is lost: your work "
                             "is kept in this browser. Please try again in a moment."))
#: The participant's words for each storage error, by its ``code``.
LINK_PROBLEMS = {
    "unknown_study": _BAD_LINK,
    "unknown_token": _BAD_LINK,
    "already_submitted": LinkProblem(
        "used_link", N_("You have already taken part. Thank you!"),
        N_("Your answers for this link have been received, so there is nothing more to do. If "
           "you have a question about the study, the research team will be glad to hear from "
           "you.")),
    "study_closed": LinkProblem(
        "closed", N_("This study is closed"),
        N_("This study is no longer taking new participants. Thank you for your interest.")),
    "version_changed": LinkProblem(
        "version_changed", N_("The study has changed"),
        N_("The research team changed this study after this page was opened. Please reload the "
           "page: your work so far is kept, and you will continue with the version of the study "
           "you started.")),
    "consent_required": LinkProblem(
        "bad_link", N_("Please start from the beginning"),
        N_("We have no record of your consent for this link. Please open the link again and "
           "start from the welcome page.")),
    "database_unavailable": _CONNECTION,
    "storage_full": LinkProblem(
        "connection", N_("Your work cannot be saved just now"),
        N_("The study's server has run out of space. Nothing is lost: your work is kept in this "
           "browser. Please leave this page open and try again later.")),
    "response_withdrawn": LinkProblem(
        "withdrawn", N_("Your response was withdrawn"),
        N_("You withdrew your answers from this study, so they have been deleted and will not "
           "be used. Thank you for your time.")),
    "too_many_new_sessions": LinkProblem(
        "busy", N_("Please wait a minute"),
        N_("Many people have just started this study from your network. Please wait a minute, "
           "then press Start again. Nothing about you has been stored.")),
}
_SOMETHING_WRONG = LinkProblem("connection", N_("Something went wrong"),
                               N_("Please reload the page and try again. Your work so far is "
                                  "kept."))


def problem_for(exc: Exception, participant: Participant | None = None,
                tr: Translator | None = None) -> LinkProblem:
    """Turn an error into a clear, friendly message, from the error's ``code``
    and fields (never from its text), in ``tr``'s language (the
    participant's study's, else English). A refused submission is worded
    with ``participant``'s neutral numbers when given."""
    tr = tr or (participant.tr if participant is not None else ENGLISH)
    if not isinstance(exc, StorageError):
        return _CONNECTION.translated(tr)
    known = LINK_PROBLEMS.get(exc.code)
    if known is not None:
        return known.translated(tr)
    if isinstance(exc, InvalidSubmission) and exc.details:
        texts = (participant.problem_texts(exc) if participant is not None
                 else [problem_text(p, tr=tr) for p in exc.details])
        return LinkProblem("invalid", tr.gettext("Your answers could not be submitted yet"),
                           sentence("; ".join(texts)))
    return _SOMETHING_WRONG.translated(tr)


# ---------------------------------------------------------------------------
# problems of a sort or a submission, in the participant's words
# ---------------------------------------------------------------------------
def sentence(text: str) -> str:
    """``text`` with a capital first letter and a full stop."""
    return text[:1].upper() + text[1:] + ("" if text.endswith((".", "…")) else ".")


def _statements(ids: tuple[str, ...], numbers: Mapping[str, int] | None,
                tr: Translator) -> tuple[str, int]:
    """("statements 4 and 9", count) with neutral numbers, or ("2 statements", count)
    when the participant's numbers are not known."""
    nums = sorted(numbers[i] for i in ids if i in numbers) if numbers else []
    if nums and len(nums) == len(ids):
        return numbers_text(nums, tr), len(nums)
    return tr.ngettext("{count} statement", "{count} statements", len(ids), count=len(ids)), len(ids)


def problem_text(problem: Problem, numbers: Mapping[str, int] | None = None,
                 questions: Mapping[str, str] | None = None, tr: Translator = ENGLISH) -> str:
    """One :class:`Problem` of a sort or submission in the participant's words
    (in ``tr``'s language).

    ``numbers`` maps statement ids to the neutral numbers the participant sees,
    ``questions`` question ids to their texts; ids are never shown.
    """
    _ = tr.gettext
    code = problem.code
    q = (questions or {}).get(problem.question or "")
    asked = _("“{question}”", question=q) if q else _("a question")
    if code == "unplaced":
        missing = sorted(numbers[i] for i in problem.statements if i in numbers) if numbers else []
        if len(problem.statements) > 8 and len(missing) == len(problem.statements):
            first = ", ".join(tr.number(n) for n in missing[:6])
            return tr.ngettext("{count} statement is not placed yet ({first} …)",
                               "{count} statements are not placed yet ({first} …)",
                               len(missing), count=len(missing), first=first)
        what, count = _statements(problem.statements, numbers, tr)
        return tr.ngettext("{what} is not placed yet", "{what} are not placed yet", count,
                           what=what)
    if code == "grid":
        parts = []
        for c in problem.columns:
            column = tr.score(c.score)
            if not c.on_grid:
                what, count = _statements(c.statements, numbers, tr)
                parts.append(tr.ngettext(
                    "{what} is in column {column}, which the grid does not have",
                    "{what} are in column {column}, which the grid does not have",
                    count, what=what, column=column))
            elif c.count > c.room:
                parts.append(tr.ngettext(
                    "column {column} holds {count} statement but has room for {room}",
                    "column {column} holds {count} statements but has room for {room}",
                    c.count, column=column, count=c.count, room=c.room))
            else:
                parts.append(tr.ngettext(
                    "column {column} holds {count} statement but needs {room}",
                    "column {column} holds {count} statements but needs {room}",
                    c.count, column=column, count=c.count, room=c.room))
        return "; ".join(parts)
    if code == "not_whole":
        what, _count = _statements(problem.statements, numbers, tr)
        return _("{what} is not in a column of the grid", what=what)
    texts = {
        "unknown_statements": lambda: _("the grid holds a statement that is not in this study"),
        "placements_unreadable": lambda: _("your grid could not be read"),
        "presort_unreadable": lambda: _("your pre-sort could not be read"),
        "presort_unknown_statements": lambda: _("the pre-sort holds a statement that is not in "
                                                "this study"),
        "presort_unknown_piles": lambda: _("the pre-sort uses a pile that is not in this study"),
        "answers_unreadable": lambda: _("your answers could not be read"),
        "unknown_question": lambda: _("the answers include a question that is not in this study"),
        "answer_required": lambda: _("the question {question} needs an answer", question=asked),
        "not_a_number": lambda: _("the answer to {question} must be a number", question=asked),
        "number_out_of_range": lambda: _("the answer to {question} is out of range (at most "
                                         "{limit} in size)", question=asked,
                                         limit=problem.limit or 0),
        "not_an_option": lambda: _("the answer to {question} must be one of the options offered",
                                   question=asked),
        "not_text": lambda: _("the answer to {question} must be text", question=asked),
        "too_long": lambda: _("the answer to {question} is too long ({count} characters, at "
                              "most {limit})", question=asked, count=problem.count or 0,
                              limit=problem.limit or 0),
        "timings_unreadable": lambda: _("the time spent on each step could not be read; please "
                                        "reload the page"),
        "bad_timing": lambda: _("the time spent on each step could not be read; please reload "
                                "the page"),
        "submission_unreadable": lambda: _("your answers could not be read; please reload the "
                                           "page"),
    }
    known = texts.get(code)
    return known() if known else _("your answers could not be checked; please reload the page")


# ---------------------------------------------------------------------------
# the participant
# ---------------------------------------------------------------------------
def shuffled_ids(ids: list[str], slug: str, token: str) -> list[str]:
    """The statement ids in the participant's own random order.

    Seeded by study and token, so opening the link again shows the same order.
    """
    seed = int.from_bytes(hashlib.sha256(f"{slug}\n{token}".encode()).digest()[:8], "big")
    order = list(ids)
    random.Random(seed).shuffle(order)
    return order


def storage_key(slug: str, token: str) -> str:
    """Key of the browser's local copies of a participant's drafts (study + token)."""
    return f"{slug}:{token}"


def steps_for(defn) -> list[str]:
    """The steps this study uses, in order."""
    skip = set()
    if not defn.presort_piles:
        skip.add("presort")
    if not defn.postsort_questions:
        skip.add("postsort")
    if not defn.demographic_questions:
        skip.add("demographics")
    return [s for s in STEPS if s not in skip]


@dataclass
class Participant:
    store: Store
    study: StudyInfo            # the version pinned for this participant
    token: str
    session: SessionInfo
    order: list[str]            # statement ids in the participant's order
    entered: dict[str, float] = field(default_factory=dict)   # step -> monotonic time

    # -- views ------------------------------------------------------------------
    @property
    def slug(self) -> str:
        return self.study.slug

    @property
    def definition(self):
        return self.study.definition

    @property
    def draft(self) -> dict:
        return self.session.draft or {}

    @property
    def steps(self) -> list[str]:
        return steps_for(self.definition)

    @property
    def step(self) -> str:
        """The step to show now."""
        step = self.session.step
        if self.session.status == "submitted":
            return "thanks"
        if self.session.status == "new" or step is None:
            return "welcome" if self.session.status == "new" else "instruction"
        return step if step in self.steps else "instruction"

    def number(self, statement_id: str) -> int:
        """The neutral number shown for a statement (its place in the participant's order)."""
        return self._numbers()[statement_id]

    def statement_id(self, number: int) -> str:
        return self.order[int(number) - 1]

    def _numbers(self) -> dict[str, int]:
        nums = getattr(self, "_nums", None)
        if nums is None:
            nums = {sid: i + 1 for i, sid in enumerate(self.order)}
            self._nums = nums
        return nums

    def text(self, statement_id: str) -> str:
        return self.definition.statement(statement_id).text

    @property
    def storage_key(self) -> str:
        """Key of the browser's local copy of the draft (study + token)."""
        return storage_key(self.slug, self.token)

    @property
    def tr(self) -> Translator:
        """The participant texts in the study's language (and its own wording)."""
        return for_study(self.definition)

    # -- the pieces of the draft ------------------------------------------------------
    def presort(self) -> dict[str, str]:
        return dict((self.draft.get("presort") or {}).get("piles") or {})

    def columns(self) -> dict[str, list[str]]:
        return {k: list(v) for k, v in ((self.draft.get("grid") or {}).get("columns") or {}).items()}

    def placements(self) -> dict[str, int]:
        return {sid: int(score) for score, sids in self.columns().items() for sid in sids}

    def answers(self) -> dict[str, Any]:
        return dict(self.draft.get("answers") or {})

    def timings(self) -> dict[str, float]:
        return dict(self.draft.get("timings") or {})

    def extremes(self) -> dict[str, list[str]]:
        """Statement ids placed in the most-agree and most-disagree columns."""
        scores = self.definition.grid.scores
        cols = self.columns()
        return {"agree_extreme": list(cols.get(str(scores[-1]), [])),
                "disagree_extreme": list(cols.get(str(scores[0]), []))}

    # -- saving -----------------------------------------------------------------------
    def save(self, *, step: str | None = None, **parts: Any) -> SessionInfo:
        """Merge ``parts`` into the draft and store it (with the step to show next).

        Leaving a step adds the time spent on it to the draft's timings.
        """
        draft = dict(self.draft)
        draft.update(parts)
        current = self.step
        target = step or current
        if target != current:
            timings = dict(draft.get("timings") or {})
            started = self.entered.pop(current, None)
            if started is not None:
                timings[current] = round(timings.get(current, 0.0) + time.monotonic() - started, 3)
            draft["timings"] = timings
        self.session = self.store.save_draft(self.token, draft, step=target,
                                             expected_version=self.study.version)
        return self.session

    def refresh(self) -> SessionInfo:
        """Read the session (step and draft) from the store again.

        Another tab or device with the same link may have moved on since this
        tab loaded it; decisions about drafts are made on the store's copy.
        """
        self.session = self.store.get_session(self.token)
        return self.session

    def saved_part(self, part: str) -> dict:
        """The draft ``part`` ('presort' or 'grid') the server has now (read from the store)."""
        self.refresh()
        return dict((self.session.draft or {}).get(part) or {})

    def saved_rev(self, part: str) -> int:
        """The revision of the draft ``part`` the server has now."""
        return stamp(self.saved_part(part))[1]

    def answer_times(self) -> dict[str, int]:
        """When each answer was last saved (server clock, ms)."""
        return {str(k): int(v) for k, v in (self.draft.get("answer_ts") or {}).items()
                if isinstance(v, (int, float))}

    # -- messages in the participant's terms ----------------------------------------
    def unplaced(self) -> list[int]:
        """Neutral numbers of the statements the stored grid leaves out."""
        placed = self.placements()
        return [self.number(sid) for sid in self.order if sid not in placed]

    def grid_problems(self, placements: Mapping[str, int]) -> list[str]:
        """What keeps ``placements`` ({statement_id: score}) from being a complete
        grid, in the participant's words (neutral numbers, column scores).

        The rule is the study's own (:func:`studies.fit.sort_problems`); an
        unknown statement is mentioned only when nothing else is wrong.
        """
        found = sort_problems(self.definition, placements, "your grid")
        shown = [x for x in found if x.code != "unknown_statements"] or found
        return [self.describe(x) for x in shown]

    def describe(self, problem: Problem) -> str:
        """One problem of a sort or submission in the participant's words."""
        return problem_text(problem, self._numbers(),
                            {q.id: q.text for q in self.definition.questions()}, self.tr)

    def problem_texts(self, exc: Exception) -> list[str]:
        """The problems an error carries (``details``), in the participant's words."""
        details = getattr(exc, "details", ())
        return [self.describe(x) for x in details] or [
            self.tr.gettext("your answers could not be checked; please reload the page")]

    def mark_entered(self) -> None:
        self.entered.setdefault(self.step, time.monotonic())

    def submission(self, user_agent: str = "") -> Submission:
        timings = self.timings()
        started = self.entered.get(self.step)
        if started is not None:
            timings[self.step] = round(timings.get(self.step, 0.0) + time.monotonic() - started, 3)
        return Submission(placements=self.placements(), presort=self.presort(),
                          answers={k: v for k, v in self.answers().items()
                                   if v not in (None, "")},
                          timings=timings, user_agent=user_agent)

    def submit(self, user_agent: str = "") -> SubmitResult:
        """Store the response (idempotent: a second call returns the first response)."""
        result = self.store.submit(self.token, self.submission(user_agent),
                                   expected_version=self.study.version)
        self.session = SessionInfo(token=self.token, study_slug=self.slug,
                                   study_version=self.study.version, status="submitted",
                                   step="thanks", draft=self.session.draft,
                                   consented_at=self.session.consented_at)
        return result


def submitted_study(store: Store, slug: str, token: str) -> StudyInfo | None:
    """The study version a submitted token took part in (for its thank-you page),
    or None if ``token`` is not a submitted token of ``slug``."""
    try:
        session = store.get_session(token)
        if session.study_slug != slug or session.status != "submitted":
            return None
        return store.get_study(slug, session.study_version)
    except (UnknownStudy, UnknownToken):
        return None


def remembered_session(store: Store, slug: str, token: str | None) -> SessionInfo | None:
    """The session of the personal link a browser remembers for ``slug``
    (``token`` from its cookie, see :mod:`.returning`), or None if there is no
    such token, it belongs to another study, or it never got consent."""
    if not token:
        return None
    try:
        session = store.get_session(token)
    except (UnknownStudy, UnknownToken):
        return None
    if session.study_slug != slug or session.status == "new":
        return None
    return session


def load_participant(store: Store, slug: str, token: str) -> Participant:
    """Check the link and load the participant's session and pinned study version.

    Raises the storage errors (UnknownStudy, UnknownToken, StudyClosed,
    AlreadySubmitted); :func:`problem_for` turns them into messages.
    """
    session = store.start_session(slug, token)
    study = store.get_study(slug, session.study_version)
    order = shuffled_ids(study.definition.statement_ids(), slug, token)
    return Participant(store=store, study=study, token=token, session=session, order=order)


def begin_open_link(store: Store, slug: str, client: str | None = None) -> Participant:
    """After consent on an open link: issue a token (``client`` counts against
    the open link's caps), record consent, load it."""
    token = store.open_link(slug, client=client)
    store.record_consent(token)
    return load_participant(store, slug, token)


def give_consent(p: Participant) -> None:
    p.session = p.store.record_consent(p.token)
    p.save(step=p.steps[p.steps.index("welcome") + 1])


def next_step(p: Participant, step: str | None = None) -> str:
    steps = p.steps
    i = steps.index(step or p.step)
    return steps[min(i + 1, len(steps) - 1)]


def previous_step(p: Participant, step: str | None = None) -> str:
    steps = p.steps
    i = steps.index(step or p.step)
    return steps[max(i - 1, 0)]


__all__ = [
    "AUTOSAVE_MS",
    "LINK_PROBLEMS",
    "STEPS",
    "AlreadySubmitted",
    "InvalidSubmission",
    "LinkProblem",
    "Participant",
    "ResponseWithdrawn",
    "StudyClosed",
    "UnknownToken",
    "begin_open_link",
    "get_store",
    "give_consent",
    "is_newer",
    "load_participant",
    "next_step",
    "now_ms",
    "open_store",
    "open_studies",
    "previous_step",
    "problem_for",
    "problem_text",
    "remembered_session",
    "shuffled_ids",
    "stamp",
    "steps_for",
    "storage_key",
    "submitted_study",
]
