"""Invitations as the researcher manages them: batches of single-use links,
the state of each link, and revoking one.

A link's state (:func:`invitation_state`), from what the store knows of it:

==============  ============================================================
``not opened``  never opened (an invitation not yet used)
``opened``      opened, no consent yet (nothing stored about the person)
``consented``   consent given, nothing sorted yet
``sorting``     a draft was saved
``finished``    a response was submitted
``abandoned``   consented or sorting, but no activity for N days
``revoked``     refused from now on (by the researcher, or its response
                was deleted)
==============  ============================================================

Open-link participants get a token of their own at consent; they are listed
too (kind ``open``), so the same states describe everyone who started.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from . import models as m
from .base import aware
from .errors import NotAllowed, StorageError, UnknownToken
from .events import log_event
from .sessions import (
    MAX_INVITATIONS,
    SessionStore,
    _refuse_demo,
    _refuse_unpublished,
    new_token,
    token_shape_ok,
)

STATES = ("not opened", "opened", "consented", "sorting", "finished", "abandoned", "revoked")
DEFAULT_ABANDONED_DAYS = 7


def invitation_state(*, opened: bool, revoked: bool, session_status: str | None,
                     last_activity: datetime | None, has_response: bool, now: datetime,
                     abandoned_after: timedelta) -> str:
    """The state of one link (see the module docstring)."""
    if has_response:
        return "finished"
    if revoked:
        return "revoked"
    if session_status in ("consented", "in_progress"):
        if last_activity is not None and now - last_activity > abandoned_after:
            return "abandoned"
        return "consented" if session_status == "consented" else "sorting"
    return "opened" if opened else "not opened"


@dataclass(frozen=True)
class InvitationInfo:
    """One participant link of a study. ``token`` is a credential: show it to
    the study's researchers only, never log it."""

    id: int
    token: str
    kind: str                   # 'invitation' | 'open'
    label: str | None
    batch_id: int | None
    state: str
    created_at: datetime
    last_activity: datetime | None
    response_id: int | None


@dataclass(frozen=True)
class InvitationBatchInfo:
    id: int
    label: str | None
    size: int
    created_at: datetime
    created_by: str | None
    tokens: tuple[str, ...] = ()


class InvitationStore(SessionStore):
    """The invitations part of :class:`storage.Store`."""

    def create_invitation_batch(self, slug: str, count: int, *, label: str | None = None,
                                by: int | None = None) -> InvitationBatchInfo:
        """``count`` single-use links for ``slug`` made together, with ``label``."""
        if not isinstance(count, int) or isinstance(count, bool) or not 1 <= count <= MAX_INVITATIONS:
            raise StorageError(f"the number of links must be a whole number from 1 to "
                               f"{MAX_INVITATIONS}, not {count!r}")
        label = (str(label).strip()[:200] or None) if label is not None else None
        tokens = tuple(new_token() for _ in range(count))
        with self._tx(write=True) as s:
            study = self._study(s, slug)
            _refuse_demo(study)
            _refuse_unpublished(s, study)
            now = m.utcnow()
            batch = m.InvitationBatch(study_id=study.id, label=label, size=count, created_by=by,
                                      created_at=now)
            s.add(batch)
            s.flush()
            s.add_all([m.ParticipantToken(token=t, study_id=study.id, kind="invitation",
                                          label=label, batch_id=batch.id, created_at=now)
                       for t in tokens])
            log_event(s, study.id, by, "invite", f"{count} link(s)" + (f", {label}" if label else ""))
            return InvitationBatchInfo(batch.id, label, count, now, None, tokens)

    def invitation_batches(self, slug: str) -> list[InvitationBatchInfo]:
        """The batches of ``slug``, newest first (without their tokens)."""
        with self._tx() as s:
            study = self._study(s, slug)
            rows = s.execute(select(m.InvitationBatch, m.Researcher.email)
                             .outerjoin(m.Researcher, m.Researcher.id == m.InvitationBatch.created_by)
                             .where(m.InvitationBatch.study_id == study.id)
                             .order_by(m.InvitationBatch.id.desc())).all()
        return [InvitationBatchInfo(b.id, b.label, b.size, aware(b.created_at), email)
                for b, email in rows]

    def invitations(self, slug: str, *, abandoned_after_days: float = DEFAULT_ABANDONED_DAYS,
                    now: datetime | None = None) -> list[InvitationInfo]:
        """Every invitation and open-link participant of ``slug``, oldest first,
        with its state; links idle for ``abandoned_after_days`` after consent
        count as abandoned."""
        T, PS, R = m.ParticipantToken, m.ParticipantSession, m.Response
        now = now or m.utcnow()
        after = timedelta(days=float(abandoned_after_days))
        with self._tx() as s:
            study = self._study(s, slug)
            rows = s.execute(
                select(T.id, T.token, T.kind, T.label, T.batch_id, T.created_at, T.revoked_at,
                       T.pinned_version_id, PS.status, PS.updated_at, R.id.label("response_id"),
                       R.submitted_at)
                .outerjoin(PS, PS.token_id == T.id)
                .outerjoin(R, R.token_id == T.id)
                .where(T.study_id == study.id, T.kind.in_(("invitation", "open")))
                .order_by(T.id)).all()
        out = []
        for r in rows:
            activity = aware(r.submitted_at or r.updated_at or r.revoked_at)
            state = invitation_state(opened=r.pinned_version_id is not None,
                                     revoked=r.revoked_at is not None, session_status=r.status,
                                     last_activity=aware(r.updated_at),
                                     has_response=r.response_id is not None, now=now,
                                     abandoned_after=after)
            out.append(InvitationInfo(r.id, r.token, r.kind, r.label, r.batch_id, state,
                                      aware(r.created_at), activity, r.response_id))
        return out

    def revoke_invitation(self, slug: str, token: str, *, by: int | None = None) -> None:
        """Refuse ``token`` (a link of ``slug``) from now on; a half-finished
        sort on it can no longer be finished. A link whose response was
        submitted cannot be revoked: exclude or delete the response instead."""
        T = m.ParticipantToken
        with self._tx(write=True) as s:
            study = self._study(s, slug)
            tok = s.scalar(select(T).where(T.token == str(token), T.study_id == study.id)
                           .with_for_update()) if token_shape_ok(token) else None
            if tok is None or tok.kind not in ("invitation", "open"):
                raise UnknownToken("There is no such link in this study.")
            if s.scalar(select(m.Response.id).where(m.Response.token_id == tok.id)) is not None:
                raise NotAllowed("this link's response was submitted already: exclude or delete "
                                 "the response instead")
            if tok.revoked_at is None:
                tok.revoked_at = m.utcnow()
                # never the token itself in the log: it is a credential
                log_event(s, study.id, by, "revoke",
                          f"link #{tok.id}" + (f" ({tok.label})" if tok.label else ""))
