"""Responses: submitting a participant's work (at most once per token),
adding simulated ones to a demo study, reading them back, and a researcher's
exclusion (reversible, logged) or deletion (a participant's withdrawal) of one.

Excluded responses stay in the database and in :meth:`ResponseStore.responses`
(marked), but not in :meth:`ResponseStore.sorts_frame`, the analysis input.
Participant labels (``r0001`` ...) count every response of a version, so
excluding one changes no label; deleting one renumbers the later ones.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pandas as pd
from sqlalchemy import bindparam, delete, func, insert, null, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from studies.errors import Problem
from studies.quality import response_checks

from . import models as m
from .base import aware
from .errors import (
    ConsentRequired,
    InvalidSubmission,
    NotAllowed,
    NothingSubmitted,
    StorageError,
    UnknownStudy,
)
from .events import log_event
from .sessions import SessionStore, new_token
from .staleness import DELETED, EXCLUDED, INCLUDED, WITHDRAWN, mark_stale
from .submission import Submission, validate_submission


@dataclass
class SubmitResult:
    response_id: int
    created: bool


@dataclass
class ResponseRecord:
    id: int
    participant: str            # neutral label within its study version: 'r0001', ...
    study_slug: str
    study_version: int
    is_demo: bool
    placements: dict[str, int]
    presort: dict[str, str]
    answers: dict[str, Any]
    timings: dict[str, float]
    user_agent: str
    submitted_at: datetime
    excluded: bool = False
    exclusion_reason: str | None = None


MAX_REASON = 1000


def with_checks(defn, clean: dict) -> dict:
    """A checked submission's columns plus what the monitoring checks need of
    it (:func:`studies.quality.response_checks`), worked out once here."""
    return {**clean, **response_checks(defn, clean["placements"], clean["presort"],
                                       clean["timings"], clean["user_agent"])}


def participant_label(index: int) -> str:
    """Neutral participant label of the ``index``-th response (0-based) of a version."""
    return f"r{index + 1:04d}"


_PS, _R = m.ParticipantSession, m.Response
_MARK_SUBMITTED = (update(_PS.__table__)
                   .where(_PS.id == bindparam("sid"), _PS.status != "submitted")
                   .values(status="submitted", submitted_at=bindparam("b_now"),
                           updated_at=bindparam("b_now"), draft=null(), step="submitted"))
_RESPONSE_OF_TOKEN = select(_R.id).where(_R.token_id == bindparam("tid"))
_INSERT_RESPONSE = insert(_R.__table__)


class ResponseStore(SessionStore):
    """The responses part of :class:`storage.Store` (a submission ends a session,
    hence the sessions part beneath it)."""

    # -- submitting ---------------------------------------------------------------
    def submit(self, token: str, submission: Submission | Mapping, *,
               expected_version: int | None = None) -> SubmitResult:
        """Store the participant's response: one transaction, at most once per token.

        A token that already has a response gets that response back with
        ``created=False`` and nothing is stored. Placements are checked against
        the pinned study version (InvalidSubmission says what is wrong).
        """
        if not isinstance(submission, Submission):
            if not isinstance(submission, Mapping):
                raise InvalidSubmission.of(Problem("submission_unreadable",
                                                   "The submission could not be read."))
            submission = Submission.from_dict(submission)
        # 1. read: the link, an earlier response, the pinned version; validate.
        with self._tx() as s:
            row = self._link_or_fail(s, token)
            if row.response_id is not None:
                return SubmitResult(row.response_id, False)
            if row.session_id is None:
                raise ConsentRequired()
            self._check_version(s, row.slug, row.session_version_id, expected_version)
            _, defn = self._version_meta(s, row.session_version_id)
        clean = with_checks(defn, validate_submission(defn, submission))
        # 2. write, in ONE transaction: mark the session submitted (this row
        #    lock serialises racing submits of one token; the loser's UPDATE
        #    finds 'submitted' and changes nothing) and insert the response
        #    (whose unique token_id is the last line of defence).
        try:
            # durable: once the participant is thanked, the response is on the disk
            with self._tx(write=True, durable=True) as s:
                conn = s.connection()
                now = m.utcnow()
                marked = conn.execute(_MARK_SUBMITTED, {"sid": row.session_id, "b_now": now}).rowcount
                if marked != 1:
                    existing = conn.execute(_RESPONSE_OF_TOKEN, {"tid": row.token_id}).scalar()
                    if existing is None:
                        raise StorageError("this session was submitted but its response is "
                                           "missing; please contact the researcher")
                    return SubmitResult(existing, False)
                result = conn.execute(_INSERT_RESPONSE, {
                    "token_id": row.token_id, "study_id": row.study_id,
                    "study_version_id": row.session_version_id, "is_demo": row.is_demo,
                    "submitted_at": now, **clean})
                return SubmitResult(int(result.inserted_primary_key[0]), True)
        except IntegrityError:
            with self._tx() as s:
                existing = s.connection().execute(_RESPONSE_OF_TOKEN, {"tid": row.token_id}).scalar()
            if existing is None:
                raise
            return SubmitResult(existing, False)

    def add_simulated_responses(self, slug: str, submissions: Sequence[Submission | Mapping], *,
                                version: int | None = None) -> int:
        """Store complete simulated responses in the demo study ``slug`` (its
        ``version``, the latest by default), each under a token of its own, in
        one transaction; returns how many were added.

        Nothing is added when that version already has responses, so two
        processes seeding at once store one set. Each is checked as a live
        submission is; a real (not demo) study is refused.
        """
        with self._tx() as s:
            v = self._version(s, self._study(s, slug), version)
            version_id, defn = v.id, self._definition(v)
        rows = []
        for i, sub in enumerate(submissions):
            if not isinstance(sub, Submission):
                sub = Submission.from_dict(sub)
            try:
                rows.append(with_checks(defn, validate_submission(
                    defn, sub, who=f"simulated participant {i + 1}")))
            except InvalidSubmission as exc:
                raise StorageError(f"the demo data do not fit the study: {exc}") from None
        with self._tx(write=True) as s:
            study = self._study(s, slug, lock=True)     # one seeder at a time
            if not study.is_demo:
                raise StorageError(f"{slug!r} is not a demo study: only a demo study takes "
                                   "simulated participants")
            if self._count(s, version_id):
                return 0
            now = m.utcnow()
            for clean in rows:
                tok = m.ParticipantToken(token=new_token(), study_id=study.id, kind="demo",
                                         label="demo data", pinned_version_id=version_id,
                                         created_at=now)
                s.add(tok)
                s.flush()
                s.add(m.ParticipantSession(token_id=tok.id, study_version_id=version_id,
                                           status="submitted", consented_at=now, updated_at=now,
                                           submitted_at=now, step="submitted"))
                s.add(m.Response(token_id=tok.id, study_id=study.id,
                                 study_version_id=version_id, is_demo=True,
                                 submitted_at=now, **clean))
        return len(rows)

    # -- reading responses -------------------------------------------------------
    @staticmethod
    def _count(s: Session, version_id: int) -> int:
        return int(s.scalar(select(func.count()).select_from(m.Response)
                            .where(m.Response.study_version_id == version_id)) or 0)

    def count_responses(self, slug: str, version: int | None = None) -> int:
        """How many responses one version of ``slug`` (the latest by default) has."""
        with self._tx() as s:
            study = self._study(s, slug)
            return self._count(s, self._version(s, study, version).id)

    @staticmethod
    def _records(s: Session, study: m.Study, version: m.StudyVersion) -> list[ResponseRecord]:
        rows = s.scalars(select(m.Response).where(m.Response.study_version_id == version.id)
                         .order_by(m.Response.id)).all()
        return [ResponseRecord(id=r.id, participant=participant_label(i), study_slug=study.slug,
                               study_version=version.version, is_demo=r.is_demo,
                               placements=dict(r.placements), presort=dict(r.presort),
                               answers=dict(r.answers), timings=dict(r.timings),
                               user_agent=r.user_agent, submitted_at=aware(r.submitted_at),
                               excluded=r.excluded_at is not None,
                               exclusion_reason=r.exclusion_reason)
                for i, r in enumerate(rows)]

    def responses(self, slug: str, version: int | None = None) -> list[ResponseRecord]:
        """The responses to one version of ``slug`` (the latest by default), oldest first."""
        with self._tx() as s:
            study = self._study(s, slug)
            return self._records(s, study, self._version(s, study, version))

    def all_responses(self, slug: str) -> list[ResponseRecord]:
        """The responses to every version of ``slug``, by version then age."""
        with self._tx() as s:
            study = self._study(s, slug)
            versions = s.scalars(select(m.StudyVersion).where(m.StudyVersion.study_id == study.id)
                                 .order_by(m.StudyVersion.version)).all()
            return [r for v in versions for r in self._records(s, study, v)]

    def sorts_frame(self, slug: str, version: int | None = None, *,
                    include_excluded: bool = False) -> pd.DataFrame:
        """Statements x participants table of grid scores: the engine's input
        (responses a researcher excluded are left out unless ``include_excluded``)."""
        with self._tx() as s:
            study = self._study(s, slug)
            v = self._version(s, study, version)
            records = [r for r in self._records(s, study, v) if include_excluded or not r.excluded]
            ids = self._definition(v).statement_ids()
        data = {r.participant: [int(r.placements[i]) for i in ids] for r in records}
        return pd.DataFrame(data, index=pd.Index(ids, name="statement"),
                            columns=pd.Index([r.participant for r in records], name="participant"),
                            dtype="int64")

    # -- a researcher's decisions on one response ------------------------------------
    def response(self, slug: str, response_id: int) -> ResponseRecord:
        """One response of ``slug`` (UnknownStudy if it is not one of its responses)."""
        with self._tx() as s:
            study = self._study(s, slug)
            version_id = s.scalar(select(m.Response.study_version_id).where(
                m.Response.id == _as_id(response_id), m.Response.study_id == study.id))
            if version_id is None:
                raise UnknownStudy(slug)
            version = s.get(m.StudyVersion, version_id)
            for r in self._records(s, study, version):
                if r.id == int(response_id):
                    return r
        raise UnknownStudy(slug)        # pragma: no cover - deleted in between

    def _own_response(self, s: Session, slug: str, response_id: int) -> tuple[m.Study, m.Response]:
        study = self._study(s, slug)
        if study.is_demo:
            raise NotAllowed("the demo study is read-only")
        row = s.scalar(select(m.Response).where(m.Response.id == _as_id(response_id),
                                                m.Response.study_id == study.id)
                       .with_for_update())
        if row is None:
            raise StorageError("there is no such response in this study")
        return study, row

    def exclude_response(self, slug: str, response_id: int, reason: str, *,
                         by: int | None = None) -> None:
        """Leave a response out of the analysis, saying why (logged; undo with
        :meth:`include_response`)."""
        reason = " ".join(str(reason or "").split())[:MAX_REASON]
        if not reason:
            raise StorageError("please give a reason for excluding the response")
        with self._tx(write=True) as s:
            study, row = self._own_response(s, slug, response_id)
            row.excluded_at = m.utcnow()
            row.exclusion_reason = reason
            log_event(s, study.id, by, "exclude", reason, response_id=row.id)
            mark_stale(s, row, EXCLUDED, m.utcnow())

    def include_response(self, slug: str, response_id: int, *, by: int | None = None) -> None:
        """Take an excluded response back into the analysis (logged)."""
        with self._tx(write=True) as s:
            study, row = self._own_response(s, slug, response_id)
            if row.excluded_at is None:
                return
            row.excluded_at = None
            row.exclusion_reason = None
            log_event(s, study.id, by, "include", "", response_id=row.id)
            mark_stale(s, row, INCLUDED, m.utcnow())

    def delete_response(self, slug: str, response_id: int, *, by: int | None = None,
                        reason: str = "") -> None:
        """Delete a response for good (a participant asked): the response (with
        its answers) and its session go, its link is revoked so it cannot be
        used again, the runs and the live results page built on it are marked
        stale (:mod:`storage.staleness`), and the log keeps that it happened
        (not what was in it)."""
        with self._tx(write=True) as s:
            study, row = self._own_response(s, slug, response_id)
            rid = row.id
            _remove(s, row, DELETED)
            log_event(s, study.id, by, "delete", " ".join(str(reason or "").split())[:MAX_REASON],
                      response_id=rid)

    def withdraw_response(self, token: str) -> None:
        """The participant of ``token`` withdraws their submitted response: it
        is deleted as :meth:`delete_response` deletes it, the link is marked
        withdrawn (it then raises :class:`ResponseWithdrawn`, also on a second
        withdrawal), and the log says "withdraw" with nothing else.

        Raises UnknownToken, ResponseWithdrawn, or NothingSubmitted (no
        response yet: closing the page is withdrawing then).
        """
        with self._tx(write=True, durable=True) as s:
            link = self._link(s, token)
            if link is None:
                raise self._refusal(s, token)
            tok = s.scalar(select(m.ParticipantToken).where(m.ParticipantToken.id == link.token_id)
                           .with_for_update())
            row = s.scalar(select(m.Response).where(m.Response.token_id == link.token_id)
                           .with_for_update())
            if tok is None or tok.revoked_at is not None:
                raise self._refusal(s, token)       # withdrawn a moment ago
            if row is None:
                raise NothingSubmitted()
            if row.is_demo:
                raise NotAllowed("the demo study is read-only")
            study_id, rid = row.study_id, row.id
            _remove(s, row, WITHDRAWN)
            tok.withdrawn_at = m.utcnow()
            log_event(s, study_id, None, "withdraw", "", response_id=rid)


def _remove(s: Session, row: m.Response, reason: str) -> None:
    """Delete response ``row`` and its session, revoke its link and mark what
    was built on it stale (in the caller's transaction)."""
    now = m.utcnow()
    mark_stale(s, row, reason, now)
    token_id, rid = row.token_id, row.id
    s.execute(delete(m.Response).where(m.Response.id == rid))
    s.execute(delete(m.ParticipantSession).where(m.ParticipantSession.token_id == token_id))
    s.execute(update(m.ParticipantToken).where(m.ParticipantToken.id == token_id)
              .values(revoked_at=now))


def _as_id(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise StorageError(f"{str(value)[:20]!r} is not a response number") from None
