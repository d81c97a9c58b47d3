"""The Store: studies, participant links, sessions, responses and analysis runs.

Every method is one short database transaction; nothing relies on locks held
in this process, so any number of app replicas can share one PostgreSQL
database (an embedded SQLite file serves one machine). What makes it correct:

* a token is single use: ``responses.token_id`` is unique, so a double click,
  a retry or two replicas submitting the same token store ONE response; the
  loser of a race gets the winner's response back (``created=False``);
* a participant's study version is pinned when they first open their link
  (``participant_tokens.pinned_version_id``) and kept by their session, so the
  Q-set never changes under someone who started; a changed study becomes a
  new version for the next participants;
* placements are checked on the server against the pinned version's grid and
  statements, whatever the browser sent;
* before consent nothing is stored about a participant but their token row.

Participants' session states: ``new`` (link opened, no consent yet: nothing
stored), ``consented``, ``in_progress`` (a draft was saved), ``submitted``.
A study that is closed refuses new participants; those who consented before
it closed may still finish and submit.
"""
from __future__ import annotations

import base64
import dataclasses
import hashlib
import hmac
import json
import math
import re
import secrets
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterator, Mapping

import pandas as pd
from sqlalchemy import bindparam, delete, func, insert, null, select, update
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from studies.definition import StudyDefinition
from studies.errors import StudyError

from . import models as m
from .db import WRITE_OPTION, make_engine, safe_url
from .errors import (AlreadySubmitted, ConsentRequired, DatabaseUnavailable, InvalidSubmission,
                     StorageError, StudyClosed, StudyVersionChanged, UnknownStudy, UnknownToken)
from .migrations import upgrade

REPO_ROOT = Path(__file__).resolve().parents[1]
COPRODUCTION_PATH = REPO_ROOT / "statements" / "coproduction.yaml"

DEMO_SUFFIX = "-demo"
DEMO_TITLE_PREFIX = "[DEMO] "
MAX_DRAFT_BYTES = 1_000_000
MAX_TEXT_ANSWER = 10_000
MAX_USER_AGENT = 512
MAX_INVITATIONS = 10_000
#: Bounds on numbers a participant can send (larger ones are typos or attacks).
MAX_NUMBER_ANSWER = 10 ** 9
MAX_TIMING = 365 * 24 * 3600.0
TOKEN_BYTES = 18          # secrets.token_urlsafe(18): 24 characters, 144 bits
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2 ** 14, 8, 1


# ---------------------------------------------------------------------------
# what the store hands out
# ---------------------------------------------------------------------------
@dataclass
class StudyInfo:
    """One version of a study. ``id`` is the study's id (the same for all its
    versions); ``version_id`` names this version's row."""

    id: int
    slug: str
    version: int
    title: str
    status: str
    is_demo: bool
    fingerprint: str
    definition: StudyDefinition
    created_at: datetime
    version_id: int = 0
    latest_version: int = 0


@dataclass
class SessionInfo:
    token: str
    study_slug: str
    study_version: int
    status: str                 # 'new' | 'consented' | 'in_progress' | 'submitted'
    step: str | None = None
    draft: dict | None = None
    consented_at: datetime | None = None


@dataclass
class Submission:
    placements: dict[str, int]
    presort: dict[str, str] = field(default_factory=dict)
    answers: dict[str, Any] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    user_agent: str = ""

    @classmethod
    def from_dict(cls, d: Mapping) -> "Submission":
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(str(k) for k in set(d) - known)
        if unknown:
            raise InvalidSubmission(f"The submission has unknown parts: {', '.join(unknown)}.")
        if "placements" not in d:
            raise InvalidSubmission("The submission has no Q-sort (placements).")
        return cls(**{k: d[k] for k in d})


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


@dataclass
class AnalysisRunRecord:
    id: int
    study_slug: str
    study_version: int
    params: dict
    result_json: str
    n_responses: int
    created_at: datetime


def participant_label(index: int) -> str:
    """Neutral participant label of the ``index``-th response (0-based) of a version."""
    return f"r{index + 1:04d}"


def _aware(dt: datetime | None) -> datetime | None:
    if dt is None:
        return None
    if dt.tzinfo is None:
        return dt.replace(tzinfo=timezone.utc)
    return dt.astimezone(timezone.utc)


def demo_definition(defn: StudyDefinition) -> StudyDefinition:
    """The demo copy of ``defn``: slug ``<slug>-demo``, title prefixed "[DEMO] "."""
    if defn.slug.endswith(DEMO_SUFFIX) and defn.title.startswith(DEMO_TITLE_PREFIX):
        return defn
    return dataclasses.replace(defn, slug=defn.slug + DEMO_SUFFIX,
                               title=DEMO_TITLE_PREFIX + defn.title)



# ---------------------------------------------------------------------------
# prepared statements of the participant path (built once, compiled once)
# ---------------------------------------------------------------------------
_T, _S, _PS, _R, _V = (m.ParticipantToken, m.Study, m.ParticipantSession, m.Response,
                       m.StudyVersion)
_LINK = (select(_T.id.label("token_id"), _T.study_id, _T.pinned_version_id, _S.slug,
                _S.status.label("study_status"), _S.is_demo, _PS.id.label("session_id"),
                _PS.status.label("session_status"), _PS.step, _PS.draft, _PS.consented_at,
                _PS.study_version_id.label("session_version_id"), _R.id.label("response_id"))
         .join(_S, _S.id == _T.study_id)
         .outerjoin(_PS, _PS.token_id == _T.id)
         .outerjoin(_R, _R.token_id == _T.id)
         .where(_T.token == bindparam("token")))
_VERSION_BY_ID = select(_V.version, _V.definition).where(_V.id == bindparam("vid"))
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
_MARK_SUBMITTED = (update(_PS.__table__)
                   .where(_PS.id == bindparam("sid"), _PS.status != "submitted")
                   .values(status="submitted", submitted_at=bindparam("b_now"),
                           updated_at=bindparam("b_now"), draft=null(), step="submitted"))
_RESPONSE_OF_TOKEN = select(_R.id).where(_R.token_id == bindparam("tid"))
_INSERT_RESPONSE = insert(_R.__table__)


# ---------------------------------------------------------------------------
# the store
# ---------------------------------------------------------------------------

def _clean_answer(q, value) -> tuple[Any, str | None]:
    """One answer checked against its question: ``(clean value, None)`` or
    ``(None, problem)``."""
    if q.kind == "number":
        num = value
        if isinstance(value, str):
            try:
                num = float(value.strip())
            except ValueError:
                num = None
        if isinstance(num, bool) or not _finite(num):
            return None, f"the answer to {q.id!r} must be a number"
        if abs(num) > MAX_NUMBER_ANSWER:
            return None, (f"the answer to {q.id!r} is out of range "
                          f"(at most {MAX_NUMBER_ANSWER:,} in size)")
        return (int(num) if float(num).is_integer() else float(num)), None
    if q.kind == "choice":
        if str(value) not in q.options:
            return None, f"the answer to {q.id!r} must be one of the options offered"
        return str(value), None
    if not isinstance(value, str):
        return None, f"the answer to {q.id!r} must be text"
    if len(value) > MAX_TEXT_ANSWER:
        return None, (f"the answer to {q.id!r} is too long "
                      f"({len(value)} characters, at most {MAX_TEXT_ANSWER})")
    return value, None


def _refuse_demo(study) -> None:
    """Demo studies hold simulated participants only: real ones are refused."""
    if study.is_demo:
        raise StorageError(f"{study.slug!r} is a demo study with simulated participants only; "
                           "invite people to the real study instead")


def _finite(value) -> bool:
    """A real int or float that fits a double and is finite (a huge Python
    int would overflow ``math.isfinite``)."""
    if not isinstance(value, (int, float)):
        return False
    try:
        return math.isfinite(float(value))
    except OverflowError:
        return False

class Store:
    """Access to the platform's database; see the module docstring."""

    def __init__(self, engine, *, migrate: bool = True):
        self.engine = engine
        self.url = safe_url(engine.url)
        self._read = sessionmaker(engine, expire_on_commit=False)
        self._write = sessionmaker(engine.execution_options(**{WRITE_OPTION: True}),
                                   expire_on_commit=False)
        self._definitions: dict[int, StudyDefinition] = {}    # version id -> definition
        self._versions: dict[int, tuple[int, StudyDefinition]] = {}
        if migrate:
            upgrade(engine)

    @classmethod
    def from_url(cls, url: str | None = None, *, schema: str | None = None,
                 migrate: bool = True) -> "Store":
        """Open (and migrate) the database at ``url``; ``None`` means
        :func:`storage.db.database_url` (``DATABASE_URL`` or the SQLite file)."""
        engine = None
        try:
            engine = make_engine(url, schema=schema)
            with engine.connect():
                pass
            return cls(engine, migrate=migrate)
        except OperationalError as exc:
            if engine is not None:
                engine.dispose()
            where = safe_url(engine.url) if engine is not None else safe_url(url or "")
            reason = str(exc.orig or exc).strip().splitlines()[0] if str(exc.orig or exc).strip() \
                else type(exc).__name__
            raise DatabaseUnavailable(f"cannot open the database at {where}: {reason}") from None

    def close(self) -> None:
        self.engine.dispose()

    def clear_cache(self) -> None:
        """Forget cached study versions (only needed after rows were deleted by hand)."""
        self._definitions.clear()
        self._versions.clear()

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @property
    def backend(self) -> str:
        return self.engine.dialect.name

    # -- transactions ------------------------------------------------------
    @contextmanager
    def _tx(self, write: bool = False) -> Iterator[Session]:
        """One transaction; ``write`` ones take SQLite's write lock up front."""
        maker = self._write if write else self._read
        with maker() as session, session.begin():
            yield session

    # -- studies -------------------------------------------------------------
    def _definition(self, version: m.StudyVersion) -> StudyDefinition:
        defn = self._definitions.get(version.id)
        if defn is None:
            defn = StudyDefinition.from_dict(version.definition)
            self._definitions[version.id] = defn
        return defn

    def _info(self, study: m.Study, version: m.StudyVersion, latest: int | None = None) -> StudyInfo:
        return StudyInfo(id=study.id, slug=study.slug, version=version.version, title=version.title,
                         status=study.status, is_demo=study.is_demo,
                         fingerprint=version.fingerprint, definition=self._definition(version),
                         created_at=_aware(version.created_at), version_id=version.id,
                         latest_version=latest if latest is not None else version.version)

    @staticmethod
    def _study(s: Session, slug: str, *, lock: bool = False) -> m.Study:
        q = select(m.Study).where(m.Study.slug == str(slug))
        if lock:
            q = q.with_for_update()
        study = s.scalar(q)
        if study is None:
            raise UnknownStudy(slug)
        return study

    @staticmethod
    def _latest(s: Session, study_id: int) -> m.StudyVersion | None:
        return s.scalar(select(m.StudyVersion).where(m.StudyVersion.study_id == study_id)
                        .order_by(m.StudyVersion.version.desc()).limit(1))

    def _version(self, s: Session, study: m.Study, version: int | None) -> m.StudyVersion:
        if version is None:
            v = self._latest(s, study.id)
        else:
            v = s.scalar(select(m.StudyVersion).where(m.StudyVersion.study_id == study.id,
                                                      m.StudyVersion.version == int(version)))
        if v is None:
            raise UnknownStudy(study.slug, version)
        return v

    def publish_study(self, defn: StudyDefinition, *, demo: bool = False) -> StudyInfo:
        """Create the study, or a new version of it when its content changed.

        Publishing the same content again returns the existing version. A demo
        copy (``demo=True``) lives under ``<slug>-demo`` with a "[DEMO] " title.
        """
        if not isinstance(defn, StudyDefinition):
            raise StorageError("publish_study needs a StudyDefinition")
        if demo:
            defn = demo_definition(defn)
        fingerprint = defn.fingerprint()
        last_error: Exception | None = None
        for _attempt in range(8):
            try:
                with self._tx(write=True) as s:
                    study = s.scalar(select(m.Study).where(m.Study.slug == defn.slug)
                                     .with_for_update())
                    if study is None:
                        study = m.Study(slug=defn.slug, is_demo=bool(demo), status="open",
                                        created_at=m.utcnow())
                        s.add(study)
                        s.flush()
                    elif study.is_demo != bool(demo):
                        kind = "a demo copy" if study.is_demo else "a real study"
                        raise StorageError(f"the slug {defn.slug!r} is already used by {kind}; "
                                           f"choose another slug")
                    latest = self._latest(s, study.id)
                    if latest is not None and latest.fingerprint == fingerprint:
                        return self._info(study, latest)
                    version = m.StudyVersion(study_id=study.id,
                                             version=1 if latest is None else latest.version + 1,
                                             fingerprint=fingerprint, title=defn.title,
                                             definition=defn.to_dict(), created_at=m.utcnow())
                    s.add(version)
                    s.flush()
                    self._definitions[version.id] = defn
                    info = self._info(study, version)
                return info
            except IntegrityError as exc:   # another replica created it first: look again
                last_error = exc
        raise StorageError(f"could not publish study {defn.slug!r}: it kept changing under "
                           f"concurrent updates ({last_error})")

    def get_study(self, slug: str, version: int | None = None) -> StudyInfo:
        """The latest version of ``slug`` (or the given one); raises UnknownStudy."""
        with self._tx() as s:
            study = self._study(s, slug)
            v = self._version(s, study, version)
            latest = self._latest(s, study.id)
            return self._info(study, v, latest.version)

    def study_versions(self, slug: str) -> list[StudyInfo]:
        with self._tx() as s:
            study = self._study(s, slug)
            versions = s.scalars(select(m.StudyVersion).where(m.StudyVersion.study_id == study.id)
                                 .order_by(m.StudyVersion.version)).all()
            top = versions[-1].version if versions else 0
            return [self._info(study, v, top) for v in versions]

    def set_study_status(self, slug: str, status: str) -> None:
        if status not in m.STUDY_STATUSES:
            raise StorageError(f"a study's status is 'open' or 'closed', not {status!r}")
        with self._tx(write=True) as s:
            study = self._study(s, slug, lock=True)
            study.status = status

    def purge_unfinished(self, slug: str) -> int:
        """Delete the drafts of every session of ``slug`` that was never submitted
        (all versions); returns how many were deleted.

        The consent text promises that an unfinished sort is deleted when the
        study ends: run this once a study is closed and its stragglers are done.
        Tokens stay (they hold nothing about a person), so a purged link can
        start afresh only while the study is open.
        """
        with self._tx(write=True) as s:
            study = self._study(s, slug, lock=True)
            versions = select(m.StudyVersion.id).where(m.StudyVersion.study_id == study.id)
            result = s.execute(delete(m.ParticipantSession)
                               .where(m.ParticipantSession.study_version_id.in_(versions))
                               .where(m.ParticipantSession.status != "submitted"))
            return int(result.rowcount or 0)

    def list_studies(self, *, include_demo: bool = True) -> list[StudyInfo]:
        """The latest version of every study, real ones first, by slug."""
        with self._tx() as s:
            top = (select(m.StudyVersion.study_id, func.max(m.StudyVersion.version).label("v"))
                   .group_by(m.StudyVersion.study_id).subquery())
            q = (select(m.Study, m.StudyVersion)
                 .join(top, top.c.study_id == m.Study.id)
                 .join(m.StudyVersion, (m.StudyVersion.study_id == m.Study.id)
                       & (m.StudyVersion.version == top.c.v))
                 .order_by(m.Study.is_demo, m.Study.slug))
            if not include_demo:
                q = q.where(m.Study.is_demo.is_(False))
            return [self._info(study, v) for study, v in s.execute(q).all()]

    def count_responses(self, slug: str, version: int | None = None) -> int:
        with self._tx() as s:
            study = self._study(s, slug)
            v = self._version(s, study, version)
            return int(s.scalar(select(func.count()).select_from(m.Response)
                                .where(m.Response.study_version_id == v.id)) or 0)

    # -- participant links -------------------------------------------------------
    def create_invitations(self, slug: str, count: int, *, label: str | None = None) -> list[str]:
        """``count`` single-use participant tokens for ``slug``."""
        if not isinstance(count, int) or isinstance(count, bool) or not 1 <= count <= MAX_INVITATIONS:
            raise StorageError(f"the number of invitations must be a whole number from 1 to "
                               f"{MAX_INVITATIONS}, not {count!r}")
        if label is not None:
            label = str(label).strip()[:200] or None
        tokens = [secrets.token_urlsafe(TOKEN_BYTES) for _ in range(count)]
        with self._tx(write=True) as s:
            study = self._study(s, slug)
            _refuse_demo(study)
            now = m.utcnow()
            s.add_all([m.ParticipantToken(token=t, study_id=study.id, kind="invitation",
                                          label=label, created_at=now) for t in tokens])
        return tokens

    def open_link(self, slug: str) -> str:
        """A fresh token for the open link of ``slug``, pinned to its latest version."""
        token = secrets.token_urlsafe(TOKEN_BYTES)
        with self._tx(write=True) as s:
            study = self._study(s, slug)
            _refuse_demo(study)
            if study.status != "open":
                v = self._latest(s, study.id)
                raise StudyClosed(slug, v.title if v else None)
            latest = self._version(s, study, None)
            s.add(m.ParticipantToken(token=token, study_id=study.id, kind="open",
                                     pinned_version_id=latest.id, created_at=m.utcnow()))
        return token

    # The participant's link in one round trip: token, study, session, response.
    def _link(self, s: Session, token: str):
        if not isinstance(token, str) or not token or len(token) > 64:
            return None
        return s.execute(_LINK, {"token": token}).one_or_none()

    def _link_or_fail(self, s: Session, token: str):
        row = self._link(s, token)
        if row is None:
            raise UnknownToken()
        return row

    def _version_meta(self, s: Session, version_id: int) -> tuple[int, StudyDefinition]:
        """(version number, definition) of a version row; versions never change."""
        meta = self._versions.get(version_id)
        if meta is None:
            number, definition = s.execute(_VERSION_BY_ID, {"vid": version_id}).one()
            meta = (number, self._definitions.get(version_id)
                    or StudyDefinition.from_dict(definition))
            self._definitions[version_id] = meta[1]
            self._versions[version_id] = meta
        return meta

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

    def _session_from_row(self, s: Session, token: str, row) -> SessionInfo:
        number, _ = self._version_meta(s, row.session_version_id or row.pinned_version_id)
        if row.session_id is None:
            return SessionInfo(token=token, study_slug=row.slug, study_version=number,
                               status="submitted" if row.response_id is not None else "new")
        return SessionInfo(token=token, study_slug=row.slug, study_version=number,
                           status=row.session_status, step=row.step,
                           draft=None if row.draft is None else dict(row.draft),
                           consented_at=_aware(row.consented_at))

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
                    raise UnknownToken()
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
                with self._tx(write=True) as s:
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

    def _check_version(self, s: Session, slug: str, version_id: int,
                       expected_version: int | None) -> int:
        number, _ = self._version_meta(s, version_id)
        if expected_version is not None and number != int(expected_version):
            raise StudyVersionChanged(slug, number, int(expected_version))
        return number

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
                               consented_at=_aware(row.consented_at))

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
                raise InvalidSubmission("The submission could not be read.")
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
        clean = validate_submission(defn, submission)
        # 2. write, in ONE transaction: mark the session submitted (this row
        #    lock serialises racing submits of one token; the loser's UPDATE
        #    finds 'submitted' and changes nothing) and insert the response
        #    (whose unique token_id is the last line of defence).
        try:
            with self._tx(write=True) as s:
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

    # -- reading responses -------------------------------------------------------
    def _response_rows(self, s: Session, study: m.Study, version: m.StudyVersion) -> list[m.Response]:
        return list(s.scalars(select(m.Response).where(m.Response.study_version_id == version.id)
                              .order_by(m.Response.id)).all())

    @staticmethod
    def _record(study: m.Study, version: m.StudyVersion, i: int, r: m.Response) -> ResponseRecord:
        return ResponseRecord(id=r.id, participant=participant_label(i), study_slug=study.slug,
                              study_version=version.version, is_demo=r.is_demo,
                              placements=dict(r.placements), presort=dict(r.presort),
                              answers=dict(r.answers), timings=dict(r.timings),
                              user_agent=r.user_agent, submitted_at=_aware(r.submitted_at))

    def responses(self, slug: str, version: int | None = None) -> list[ResponseRecord]:
        """The responses to one version of ``slug`` (the latest by default), oldest first."""
        with self._tx() as s:
            study = self._study(s, slug)
            v = self._version(s, study, version)
            return [self._record(study, v, i, r)
                    for i, r in enumerate(self._response_rows(s, study, v))]

    def all_responses(self, slug: str) -> list[ResponseRecord]:
        """The responses to every version of ``slug``, by version then age."""
        out: list[ResponseRecord] = []
        for info in self.study_versions(slug):
            out.extend(self.responses(slug, info.version))
        return out

    def sorts_frame(self, slug: str, version: int | None = None) -> pd.DataFrame:
        """Statements x participants table of grid scores: the engine's input."""
        info = self.get_study(slug, version)
        records = self.responses(slug, info.version)
        ids = info.definition.statement_ids()
        data = {r.participant: [int(r.placements[i]) for i in ids] for r in records}
        frame = pd.DataFrame(data, index=pd.Index(ids, name="statement"),
                             columns=pd.Index([r.participant for r in records], name="participant"),
                             dtype="int64")
        return frame

    # -- analysis runs -----------------------------------------------------------
    def record_analysis_run(self, slug: str, params: dict, result_json: str, *,
                            version: int | None = None) -> int:
        try:
            params = json.loads(json.dumps(dict(params), allow_nan=False))
        except (TypeError, ValueError) as exc:
            raise StorageError(f"the analysis parameters cannot be saved as JSON ({exc})") from None
        if not isinstance(result_json, str):
            raise StorageError("the analysis result must be given as a JSON string")
        with self._tx(write=True) as s:
            study = self._study(s, slug)
            v = self._version(s, study, version)
            n = s.scalar(select(func.count()).select_from(m.Response)
                         .where(m.Response.study_version_id == v.id)) or 0
            run = m.AnalysisRun(study_version_id=v.id, params=params, result_json=result_json,
                                n_responses=int(n), created_at=m.utcnow())
            s.add(run)
            s.flush()
            return run.id

    def analysis_runs(self, slug: str, version: int | None = None) -> list[AnalysisRunRecord]:
        """Analysis runs of one version of ``slug`` (latest version by default), newest first."""
        with self._tx() as s:
            study = self._study(s, slug)
            v = self._version(s, study, version)
            runs = s.scalars(select(m.AnalysisRun).where(m.AnalysisRun.study_version_id == v.id)
                             .order_by(m.AnalysisRun.id.desc())).all()
            return [AnalysisRunRecord(id=r.id, study_slug=study.slug, study_version=v.version,
                                      params=dict(r.params), result_json=r.result_json,
                                      n_responses=r.n_responses, created_at=_aware(r.created_at))
                    for r in runs]

    # -- researchers -------------------------------------------------------------
    def create_researcher(self, email: str, password: str) -> int:
        email = _normalise_email(email)
        if not isinstance(password, str) or len(password) < 8:
            raise StorageError("a password needs at least 8 characters")
        try:
            with self._tx(write=True) as s:
                r = m.Researcher(email=email, password_hash=hash_password(password),
                                 created_at=m.utcnow())
                s.add(r)
                s.flush()
                return r.id
        except IntegrityError:
            raise StorageError(f"a researcher account for {email} already exists") from None

    def verify_researcher(self, email: str, password: str) -> bool:
        try:
            email = _normalise_email(email)
        except StorageError:
            return False
        with self._tx() as s:
            stored = s.scalar(select(m.Researcher.password_hash).where(m.Researcher.email == email))
        if stored is None:
            hash_password(str(password))    # same work whether or not the account exists
            return False
        return check_password(str(password), stored)

    # -- demo data -----------------------------------------------------------------
    def seed_demo(self, defn: StudyDefinition, n: int = 40, seed: int = 0) -> StudyInfo:
        """Publish the demo copy of ``defn`` and fill it with ``n`` simulated
        participants, unless its latest version already has responses."""
        from studies.demo import simulate_participants

        info = self.publish_study(defn, demo=True)
        if self.count_responses(info.slug, info.version):
            return info
        people = simulate_participants(info.definition, n=n, seed=seed)
        rows = []
        for i, p in enumerate(people):
            sub = Submission(placements=dict(p["placements"]), presort=dict(p.get("presort") or {}),
                             answers={**dict(p.get("answers") or {}),
                                      **dict(p.get("demographics") or {})},
                             timings=dict(p.get("timings") or {}),
                             user_agent="simulated participant (demo data)")
            try:
                rows.append(validate_submission(info.definition, sub, who=f"simulated participant {i + 1}"))
            except InvalidSubmission as exc:
                raise StorageError(f"the demo data do not fit the study: {exc}") from None
        with self._tx(write=True) as s:
            study = self._study(s, info.slug, lock=True)     # one seeder at a time
            if not study.is_demo:
                raise StorageError(f"{info.slug!r} is not a demo study")
            count = s.scalar(select(func.count()).select_from(m.Response)
                             .where(m.Response.study_version_id == info.version_id))
            if count:
                return info
            now = m.utcnow()
            for clean in rows:
                tok = m.ParticipantToken(token=secrets.token_urlsafe(TOKEN_BYTES), study_id=study.id,
                                         kind="demo", label="demo data",
                                         pinned_version_id=info.version_id, created_at=now)
                s.add(tok)
                s.flush()
                s.add(m.ParticipantSession(token_id=tok.id, study_version_id=info.version_id,
                                           status="submitted", consented_at=now, updated_at=now,
                                           submitted_at=now, step="submitted"))
                s.add(m.Response(token_id=tok.id, study_id=study.id,
                                 study_version_id=info.version_id, is_demo=True,
                                 submitted_at=now, **clean))
        return info


# ---------------------------------------------------------------------------
# validation of a submission (server side, whatever the browser sent)
# ---------------------------------------------------------------------------
_INT_TEXT = re.compile(r"^[+-]?\d+$")


def _as_score(v: Any) -> Any:
    if isinstance(v, bool):
        return v
    if isinstance(v, float) and v.is_integer():
        return int(v)
    if isinstance(v, str) and _INT_TEXT.match(v.strip()):
        return int(v.strip())
    return v


def _problems_message(problems: list[str], who: str) -> str:
    if len(problems) == 1:
        msg = problems[0]
    else:
        msg = f"{who[0].upper() + who[1:]} has {len(problems)} problems: " + "; ".join(problems)
    msg = " ".join(msg.split())
    return msg[0].upper() + msg[1:] + ("" if msg.endswith(".") else ".")


def validate_submission(defn: StudyDefinition, sub: Submission, who: str = "your Q-sort") -> dict:
    """Check ``sub`` against ``defn`` and return the columns to store.

    Raises :class:`InvalidSubmission` listing every problem: the placements
    must fill the grid with every statement exactly once; pre-sort piles must
    name known statements and piles; answers must answer known questions (the
    required ones not left empty, choices among the options); timings are
    non-negative seconds.
    """
    problems: list[str] = []
    placements = sub.placements
    if not isinstance(placements, Mapping):
        raise InvalidSubmission(f"The placements of {who} could not be read.")
    placements = {str(k): _as_score(v) for k, v in placements.items()}
    try:
        defn.check_placements(placements, who)
    except StudyError as exc:
        problems.extend(exc.problems)

    known = set(defn.statement_ids())
    presort = sub.presort if sub.presort is not None else {}
    if not isinstance(presort, Mapping):
        problems.append("the pre-sort piles could not be read")
        presort = {}
    pile_ids = {p.id for p in defn.presort_piles}
    presort = {str(k): (v if not isinstance(v, (int, float)) or isinstance(v, bool) else str(v))
               for k, v in presort.items()}
    bad_ids = [k for k in presort if k not in known]
    if bad_ids:
        problems.append(f"the pre-sort names unknown statements: {', '.join(map(repr, bad_ids[:10]))}")
    bad_piles = sorted({str(v) for v in presort.values()
                        if not isinstance(v, str) or (pile_ids and v not in pile_ids)})
    if bad_piles:
        problems.append(f"the pre-sort uses unknown piles: {', '.join(map(repr, bad_piles[:10]))}")

    answers = sub.answers if sub.answers is not None else {}
    if not isinstance(answers, Mapping):
        problems.append("the answers could not be read")
        answers = {}
    questions = {q.id: q for q in defn.questions()}
    clean_answers: dict[str, Any] = {}
    bad_answers: set[str] = set()
    for key, value in answers.items():
        q = questions.get(str(key))
        if q is None:
            problems.append(f"there is no question {str(key)[:64]!r} in this study")
            continue
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        value, problem = _clean_answer(q, value)
        if problem:
            bad_answers.add(q.id)
            problems.append(problem)
            continue
        clean_answers[q.id] = value
    for q in defn.questions():
        if q.required and q.id not in clean_answers and q.id not in bad_answers:
            problems.append(f"the question {q.id!r} needs an answer")

    timings = sub.timings if sub.timings is not None else {}
    clean_timings: dict[str, float] = {}
    if not isinstance(timings, Mapping):
        problems.append("the timings could not be read")
    else:
        for key, value in list(timings.items())[:200]:
            if isinstance(value, bool) or not _finite(value) or value < 0 or value > MAX_TIMING:
                problems.append(f"the timing {str(key)[:64]!r} must be a number of seconds, "
                                f"not {str(value)[:20]!r}")
                continue
            clean_timings[str(key)[:64]] = float(value)

    if problems:
        raise InvalidSubmission(_problems_message(problems, who), problems)
    user_agent = sub.user_agent if isinstance(sub.user_agent, str) else ""
    return {
        "placements": {i: int(placements[i]) for i in defn.statement_ids()},
        "presort": {k: str(v) for k, v in presort.items()},
        "answers": clean_answers,
        "timings": clean_timings,
        "user_agent": user_agent[:MAX_USER_AGENT],
    }


# ---------------------------------------------------------------------------
# passwords
# ---------------------------------------------------------------------------
def _normalise_email(email: str) -> str:
    email = str(email or "").strip().lower()
    if not re.match(r"^[^@\s]+@[^@\s]+$", email) or len(email) > 320:
        raise StorageError(f"{email!r} is not an email address")
    return email


def _b64(b: bytes) -> str:
    return base64.b64encode(b).decode("ascii")


def hash_password(password: str) -> str:
    """``scrypt$N$r$p$salt$hash`` (base64), with a fresh 16-byte salt."""
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=SCRYPT_N, r=SCRYPT_R,
                            p=SCRYPT_P, dklen=32)
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${_b64(salt)}${_b64(digest)}"


def check_password(password: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        expected = base64.b64decode(digest)
        got = hashlib.scrypt(password.encode("utf-8"), salt=base64.b64decode(salt), n=int(n),
                             r=int(r), p=int(p), dklen=len(expected))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(got, expected)


# ---------------------------------------------------------------------------
# the co-production study
# ---------------------------------------------------------------------------
def ensure_coproduction(store: Store, path: str | Path | None = None, *,
                        participants: int = 40, seed: int = 0) -> tuple[StudyInfo, StudyInfo]:
    """Publish the co-production study (real, open, no responses) and its demo
    copy filled with simulated participants. Safe to call at every start."""
    from studies.loader import load_study

    defn = load_study(path or COPRODUCTION_PATH)
    real = store.publish_study(defn)
    demo = store.seed_demo(defn, n=participants, seed=seed)
    return real, demo
