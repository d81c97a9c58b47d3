"""Participants' links and sessions: invitations, the open link, pinning a
version, consent and drafts.

A session's states: ``new`` (link opened, no consent yet: nothing stored but
the token row), ``consented``, ``in_progress`` (a draft was saved),
``submitted``. A token is pinned to the study's latest version when first
opened, so the Q-set never changes under someone who started.
"""
from __future__ import annotations

import json
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from . import models as m
from .base import StoreBase, aware
from .errors import (
    AlreadySubmitted,
    ConsentRequired,
    ResponseWithdrawn,
    StorageError,
    StudyClosed,
    StudyVersionChanged,
    UnknownStudy,
    UnknownToken,
    refuse_unstorable,
)
from .limits import OpenLinkLimits, record_start

MAX_DRAFT_BYTES = 1_000_000
MAX_INVITATIONS = 10_000
TOKEN_BYTES = 18          # secrets.token_urlsafe(18): 24 characters, 144 bits
#: What a participant token can look like (the URL-safe base64 alphabet; 16 to 64
#: characters, room for longer tokens later). Anything else is an unknown link
#: before the database is asked (a NUL in ``?t=`` would make PostgreSQL fail).
TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_-]{16,64}")


def token_shape_ok(token) -> bool:
    """True when ``token`` could be a participant token (see :data:`TOKEN_PATTERN`)."""
    return isinstance(token, str) and TOKEN_PATTERN.fullmatch(token) is not None


def new_token() -> str:
    """A fresh participant token (unguessable, URL-safe)."""
    return secrets.token_urlsafe(TOKEN_BYTES)


@dataclass
class SessionInfo:
    token: str
    study_slug: str
    study_version: int
    status: str                 # 'new' | 'consented' | 'in_progress' | 'submitted'
    step: str | None = None
    draft: dict | None = None
    consented_at: datetime | None = None


# ---------------------------------------------------------------------------
# prepared statements of the participant path (built once, compiled once)
# ---------------------------------------------------------------------------
_T, _S, _PS, _R, _V = (m.ParticipantToken, m.Study, m.ParticipantSession, m.Response,
                       m.StudyVersion)
# The participant's link in one round trip: token, study, session, response.
_LINK = (select(_T.id.label("token_id"), _T.study_id, _T.pinned_version_id, _T.revoked_at, _S.slug,
                _S.status.label("study_status"), _S.is_demo, _PS.id.label("session_id"),
                _PS.status.label("session_status"), _PS.step, _PS.draft, _PS.consented_at,
                _PS.study_version_id.label("session_version_id"), _R.id.label("response_id"))
         .join(_S, _S.id == _T.study_id)
         .outerjoin(_PS, _PS.token_id == _T.id)
         .outerjoin(_R, _R.token_id == _T.id)
         .where(_T.token == bindparam("token")))
_LATEST_VERSION_ID = (select(_V.id).where(_V.study_id == bindparam("sid"))
                      .order_by(_V.version.desc()).limit(1))
_PIN_TOKEN = (update(_T.__table__)
              .where(_T.id == bindparam("tid"), _T.pinned_version_id.is_(None))
              .values(pinned_version_id=bindparam("vid")))
_PINNED_OF_TOKEN = select(_T.pinned_version_id).where(_T.id == bindparam("tid"))
_INSERT_SESSION = insert(_PS.__table__)
_SAVE_DRAFT = (update(_PS.__table__)
               .where(_PS.id == bindparam("sid"), _PS.status != "submitted")
               .values(draft=bindparam("b_draft", type_=_PS.draft.type),
                       step=bindparam("b_step"), status="in_progress",
                       updated_at=bindparam("b_now")))


def _refuse_demo(study: m.Study) -> None:
    """Demo studies hold simulated participants only: real ones are refused."""
    if study.is_demo:
        raise StorageError(f"{study.slug!r} is a demo study with simulated participants only; "
                           "invite people to the real study instead")


def _refuse_unpublished(s: Session, study: m.Study) -> None:
    """A study never published has nothing to show: no links for it yet."""
    if s.scalar(select(_V.id).where(_V.study_id == study.id).limit(1)) is None:
        raise StorageError(f"the study {study.slug!r} is not published yet: publish it before "
                           "inviting people")


class SessionStore(StoreBase):
    """The links and sessions part of :class:`storage.Store`."""

    #: caps on open-link starts (:mod:`storage.limits`); None: from the environment
    open_link_limits: OpenLinkLimits | None = None

    # -- participant links -------------------------------------------------------
    def create_invitations(self, slug: str, count: int, *, label: str | None = None) -> list[str]:
        """``count`` single-use participant tokens for ``slug``."""
        if not isinstance(count, int) or isinstance(count, bool) or not 1 <= count <= MAX_INVITATIONS:
            raise StorageError(f"the number of invitations must be a whole number from 1 to "
                               f"{MAX_INVITATIONS}, not {count!r}")
        if label is not None:
            label = str(label).strip()[:200] or None
            refuse_unstorable(label, "the label")
        tokens = [new_token() for _ in range(count)]
        with self._tx(write=True, durable=True) as s:
            study = self._study(s, slug)
            _refuse_demo(study)
            _refuse_unpublished(s, study)
            now = m.utcnow()
            s.add_all([m.ParticipantToken(token=t, study_id=study.id, kind="invitation",
                                          label=label, created_at=now) for t in tokens])
        return tokens

    def open_link(self, slug: str, *, client: str | None = None) -> str:
        """A fresh token for the open link of ``slug``, pinned to its latest version.

        ``client`` (the visitor's address, as the web layer knows it) is counted
        against the per-client cap, the study against its own
        (:mod:`storage.limits`); over either, :class:`TooManyNewSessions` and
        nothing is stored.
        """
        token = new_token()
        if self.open_link_limits is None:
            self.open_link_limits = OpenLinkLimits.from_env()
        with self._tx(write=True, durable=True) as s:
            study = self._study(s, slug, lock=True)      # one start of a study at a time
            _refuse_demo(study)
            if study.status != "open":
                raise self._closed(s, slug, study.id)
            latest = self._version(s, study, None)
            now = m.utcnow()
            record_start(s, self.open_link_limits, study.id, client, now)
            s.add(m.ParticipantToken(token=token, study_id=study.id, kind="open",
                                     pinned_version_id=latest.id, created_at=now))
        return token

    def _link(self, s: Session, token: str):
        """The link's row, or None for an unknown or revoked token (a revoked
        link is refused exactly like an unknown one)."""
        if not token_shape_ok(token):
            return None
        row = s.execute(_LINK, {"token": token}).one_or_none()
        return None if row is None or row.revoked_at is not None else row

    def _link_or_fail(self, s: Session, token: str):
        row = self._link(s, token)
        if row is None:
            raise self._refusal(s, token)
        return row

    @staticmethod
    def _refusal(s: Session, token) -> UnknownToken:
        """The error for a link that cannot be used: ResponseWithdrawn if its
        participant withdrew their response, else UnknownToken."""
        if token_shape_ok(token):          # never a NUL or a surrogate to the database
            withdrawn = s.scalar(select(_T.withdrawn_at).where(_T.token == token))
            if withdrawn is not None:
                return ResponseWithdrawn()
        return UnknownToken()

    def _closed(self, s: Session, slug: str, study_id: int) -> StudyClosed:
        v = self._latest(s, study_id)
        return StudyClosed(slug, v.title if v else None)

    def _pin(self, s: Session, row) -> int:
        """Pin the token to the study's latest version unless it already is; the pinned id."""
        if row.pinned_version_id is not None:
            return row.pinned_version_id
        conn = s.connection()
        latest = conn.execute(_LATEST_VERSION_ID, {"sid": row.study_id}).scalar()
        if latest is None:
            raise UnknownStudy(row.slug)
        conn.execute(_PIN_TOKEN, {"tid": row.token_id, "vid": latest})
        return conn.execute(_PINNED_OF_TOKEN, {"tid": row.token_id}).scalar()

    def _check_version(self, s: Session, slug: str, version_id: int,
                       expected_version: int | None) -> int:
        """The version number of ``version_id``; StudyVersionChanged if the page
        was opened on another one."""
        number, _ = self._version_meta(s, version_id)
        if expected_version is not None and number != int(expected_version):
            raise StudyVersionChanged(slug, number, int(expected_version))
        return number

    # -- sessions ----------------------------------------------------------------
    def _session_from_row(self, s: Session, token: str, row) -> SessionInfo:
        number, _ = self._version_meta(s, row.session_version_id or row.pinned_version_id)
        if row.session_id is None:
            return SessionInfo(token=token, study_slug=row.slug, study_version=number,
                               status="submitted" if row.response_id is not None else "new")
        return SessionInfo(token=token, study_slug=row.slug, study_version=number,
                           status=row.session_status, step=row.step,
                           draft=None if row.draft is None else dict(row.draft),
                           consented_at=aware(row.consented_at))

    def start_session(self, slug: str, token: str) -> SessionInfo:
        """Check a participant link and return its session (pinning its version).

        Raises UnknownStudy, UnknownToken (not a token of this study),
        AlreadySubmitted, or StudyClosed (for someone who has not consented
        yet). Opening the link again resumes the session with its draft.
        """
        for write in (False, True):
            with self._tx(write=write) as s:
                row = self._link(s, token)
                if row is None or row.slug != slug:
                    self._study(s, slug)            # UnknownStudy first, if it is that
                    raise UnknownToken() if row is not None else self._refusal(s, token)
                if row.response_id is not None:
                    raise AlreadySubmitted()
                if row.session_id is None:
                    if row.study_status != "open":
                        raise self._closed(s, slug, row.study_id)
                    if row.pinned_version_id is None:
                        if not write:
                            continue                # pin it in a write transaction
                        self._pin(s, row)
                        row = self._link(s, token)
                return self._session_from_row(s, token, row)
        raise AssertionError("unreachable")

    def get_session(self, token: str) -> SessionInfo:
        """The session of ``token`` as it is now (read only; UnknownToken if none)."""
        with self._tx() as s:
            row = self._link_or_fail(s, token)
            if row.session_id is None and row.pinned_version_id is None:
                latest = s.connection().execute(_LATEST_VERSION_ID, {"sid": row.study_id}).scalar()
                number, _ = self._version_meta(s, latest)
                return SessionInfo(token=token, study_slug=row.slug, study_version=number,
                                   status="submitted" if row.response_id is not None else "new")
            return self._session_from_row(s, token, row)

    def record_consent(self, token: str) -> SessionInfo:
        """Record consent and create the session (idempotent); returns the session."""
        for _attempt in range(3):
            try:
                with self._tx(write=True, durable=True) as s:
                    row = self._link_or_fail(s, token)
                    if row.response_id is not None:
                        raise AlreadySubmitted()
                    if row.session_id is None:
                        if row.study_status != "open":
                            raise self._closed(s, row.slug, row.study_id)
                        version_id = self._pin(s, row)
                        now = m.utcnow()
                        s.connection().execute(_INSERT_SESSION, {
                            "token_id": row.token_id, "study_version_id": version_id,
                            "status": "consented", "consented_at": now, "updated_at": now})
                        row = self._link(s, token)
                    return self._session_from_row(s, token, row)
            except IntegrityError:
                continue        # consented twice at the same moment: read it back
        return self.get_session(token)

    def save_draft(self, token: str, draft: dict, *, step: str,
                   expected_version: int | None = None) -> SessionInfo:
        """Store the participant's work in progress (last write wins)."""
        if not isinstance(draft, Mapping):
            raise StorageError("a draft must be a mapping (placements, piles, answers, ...)")
        try:
            encoded = json.dumps(draft, allow_nan=False)
        except (TypeError, ValueError) as exc:
            raise StorageError(f"the draft cannot be saved as JSON ({exc})") from None
        if len(encoded) > MAX_DRAFT_BYTES:
            raise StorageError(f"the draft is too large to save ({len(encoded)} bytes, "
                               f"at most {MAX_DRAFT_BYTES})")
        draft = json.loads(encoded)
        step = None if step is None else str(step)[:64]
        refuse_unstorable({"draft": draft, "step": step}, "your sort so far")
        with self._tx(write=True) as s:
            row = self._link_or_fail(s, token)
            if row.session_id is None:
                if row.response_id is not None:
                    raise AlreadySubmitted()
                raise ConsentRequired()
            number = self._check_version(s, row.slug, row.session_version_id, expected_version)
            # the WHERE is re-checked after any concurrent submit commits (row lock)
            done = s.connection().execute(_SAVE_DRAFT, {
                "sid": row.session_id, "b_draft": draft, "b_step": step,
                "b_now": m.utcnow()}).rowcount
            if done != 1:
                raise AlreadySubmitted()
            return SessionInfo(token=token, study_slug=row.slug, study_version=number,
                               status="in_progress", step=step, draft=draft,
                               consented_at=aware(row.consented_at))
