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
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import storage
from storage import (
    AlreadySubmitted,
    ConsentRequired,
    DatabaseUnavailable,
    InvalidSubmission,
    SessionInfo,
    StorageError,
    Store,
    StudyClosed,
    StudyInfo,
    StudyVersionChanged,
    Submission,
    SubmitResult,
    UnknownStudy,
    UnknownToken,
)

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
    ts, _ = stamp(value)
    now = now_ms()
    return now if ts > now + MAX_CLOCK_AHEAD_MS else ts


def numbers_text(numbers: list[int]) -> str:
    """'statement 4', 'statements 4 and 9', 'statements 4, 9 and 12'."""
    nums = [str(n) for n in sorted(numbers)]
    if len(nums) == 1:
        return f"statement {nums[0]}"
    return f"statements {', '.join(nums[:-1])} and {nums[-1]}"


# ---------------------------------------------------------------------------
# the store
# ---------------------------------------------------------------------------
def open_store(url: str | None = None) -> Store:
    """Open the store (``DATABASE_URL`` or the embedded SQLite file) and make
    sure the co-production study and its demo copy are published."""
    store = Store.from_url(url)
    storage.ensure_coproduction(store)
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
    title: str
    message: str


def problem_for(exc: Exception) -> LinkProblem:
    """Turn a storage error into a clear, friendly message."""
    if isinstance(exc, (UnknownStudy, UnknownToken)):
        return LinkProblem("bad_link", "This link does not work",
                           "We could not find a study for this link. Please check that you "
                           "copied the whole link from your invitation, or ask the research "
                           "team for a new one.")
    if isinstance(exc, AlreadySubmitted):
        return LinkProblem("used_link", "You have already taken part. Thank you!",
                           "Your answers for this link have been received, so there is "
                           "nothing more to do. If you have a question about the study, the "
                           "research team will be glad to hear from you.")
    if isinstance(exc, StudyClosed):
        return LinkProblem("closed", "This study is closed",
                           "This study is no longer taking new participants. Thank you for "
                           "your interest.")
    if isinstance(exc, StudyVersionChanged):
        return LinkProblem("version_changed", "The study has changed",
                           "The research team changed this study after this page was opened. "
                           "Please reload the page: your work so far is kept, and you will "
                           "continue with the version of the study you started.")
    if isinstance(exc, ConsentRequired):
        return LinkProblem("bad_link", "Please start from the beginning",
                           "We have no record of your consent for this link. Please open the "
                           "link again and start from the welcome page.")
    if isinstance(exc, DatabaseUnavailable) or not isinstance(exc, StorageError):
        return LinkProblem("connection", "We lost the connection",
                           "We could not reach the server just now. Nothing is lost: your work "
                           "is kept in this browser. Please try again in a moment.")
    return LinkProblem("connection", "Something went wrong", str(exc))


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
        grid, in the participant's words (neutral numbers, column scores)."""
        problems = []
        missing = [self.number(sid) for sid in self.order if sid not in placements]
        if len(missing) > 8:
            first = ", ".join(str(n) for n in missing[:6])
            problems.append(f"{len(missing)} statements are not placed yet ({first} …)")
        elif missing:
            verb = "is" if len(missing) == 1 else "are"
            problems.append(f"{numbers_text(missing)} {verb} not placed yet")
        grid = self.definition.grid
        for score, height in zip(grid.scores, grid.heights):
            count = sum(1 for v in placements.values() if v == score)
            if count > height:
                problems.append(f"column {score:+d} holds {count} statements but has room "
                                f"for {height}")
        if not problems and set(placements) - set(self.order):
            problems.append("the grid holds a statement that is not in this study")
        return problems

    def neutral(self, text: str) -> str:
        """``text`` with statement ids shown as neutral numbers and question ids as
        the questions' own words (messages from the store name ids)."""
        numbers = self._numbers()
        questions = {q.id: q.text for q in self.definition.questions()}

        def statement(m: re.Match) -> str:
            return f"statement {numbers[m.group(1)]}"

        ids = sorted(numbers, key=len, reverse=True)
        if ids:
            alternatives = "|".join(re.escape(i) for i in ids)
            text = re.sub(rf"['\"]({alternatives})['\"]", statement, text)
            # unquoted ids too, when they look like codes (c01), not like words
            codes = "|".join(re.escape(i) for i in ids if re.search(r"\d", i))
            if codes:
                text = re.sub(rf"(?<![\w-])({codes})(?![\w-])", statement, text)
            text = re.sub(r"\b[Ss]tatements? (statement \d+)", r"\1", text)
        for qid, words in sorted(questions.items(), key=lambda kv: -len(kv[0])):
            text = re.sub(rf"['\"]{re.escape(qid)}['\"]", f"“{words}”", text)
        return text

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


def load_participant(store: Store, slug: str, token: str) -> Participant:
    """Check the link and load the participant's session and pinned study version.

    Raises the storage errors (UnknownStudy, UnknownToken, StudyClosed,
    AlreadySubmitted); :func:`problem_for` turns them into messages.
    """
    session = store.start_session(slug, token)
    study = store.get_study(slug, session.study_version)
    order = shuffled_ids(study.definition.statement_ids(), slug, token)
    return Participant(store=store, study=study, token=token, session=session, order=order)


def begin_open_link(store: Store, slug: str) -> Participant:
    """After consent on an open link: issue a token, record consent, load it."""
    token = store.open_link(slug)
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
    "STEPS",
    "InvalidSubmission",
    "LinkProblem",
    "Participant",
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
    "shuffled_ids",
    "stamp",
    "steps_for",
    "storage_key",
    "submitted_study",
]
