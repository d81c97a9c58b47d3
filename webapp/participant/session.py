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
     "timings": {"presort": 81.2, ...}}
"""
from __future__ import annotations

import hashlib
import random
import time
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
        return LinkProblem("used_link", "This link has already been used",
                           "A Q-sort has already been submitted with this link, and each link "
                           "can be used once. Thank you for taking part! If you did not submit "
                           "it yourself, please contact the research team.")
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
        return f"{self.slug}:{self.token}"

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

    def saved_rev(self, part: str) -> int:
        """The revision of the draft ``part`` ('presort' or 'grid') the server has now.

        Read from the store, not this tab's copy, so a stale second tab with
        the same link cannot overwrite newer work with an older autosave.
        """
        self.session = self.store.get_session(self.token)
        return int(((self.session.draft or {}).get(part) or {}).get("rev") or 0)

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
    "load_participant",
    "next_step",
    "open_store",
    "open_studies",
    "previous_step",
    "problem_for",
    "shuffled_ids",
    "steps_for",
]
