"""What every part of the store shares: the engine, transactions, and finding
a study and its versions.

:class:`StoreBase` is the base of each per-job part (:mod:`storage.studies`,
:mod:`storage.sessions`, :mod:`storage.responses`, :mod:`storage.accounts`,
:mod:`storage.runs`); :class:`storage.store.Store` combines them.
"""
from __future__ import annotations

import json
import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from datetime import UTC, datetime
from typing import Any, Self

from sqlalchemy import bindparam, select
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from studies.definition import StudyDefinition

from . import models as m
from .db import DURABLE_OPTION, WRITE_OPTION, make_engine, safe_url
from .errors import DatabaseUnavailable, StorageError, StorageFull, UnknownStudy, refuse_unstorable
from .migrations import upgrade

_VERSION_BY_ID = select(m.StudyVersion.version, m.StudyVersion.definition) \
    .where(m.StudyVersion.id == bindparam("vid"))


LOG = logging.getLogger("qplatform.storage")
SQLITE_FULL = 13            # sqlite3.SQLITE_FULL: "database or disk is full"
PG_DISK_FULL = "53100"      # SQLSTATE disk_full


def unavailable(exc: Exception, where: str) -> DatabaseUnavailable:
    """The storage error for a database that failed under a transaction: the
    server went away, the connection was cut, the disk is full."""
    orig = getattr(exc, "orig", None) or exc
    reason = (str(orig).strip().splitlines() or [type(orig).__name__])[0][:200]
    if getattr(orig, "sqlite_errorcode", None) == SQLITE_FULL \
            or getattr(orig, "sqlstate", None) == PG_DISK_FULL:
        LOG.error("the database at %s is full: %s", where, reason)
        return StorageFull(f"the database at {where} is full ({reason}): nothing more can be "
                           "saved until space is freed")
    return DatabaseUnavailable(f"the database at {where} cannot be used just now: {reason}")


def json_copy(value, what: str) -> tuple[Any, str]:
    """``value`` as a JSON column gives it back (tuples become lists, ...),
    and its JSON text (for callers that bound its size).

    A value JSON cannot hold (NaN, an object) is a StorageError saying that
    ``what`` cannot be saved as JSON; a text no database can hold (a NUL or a
    lone surrogate) is :class:`~storage.errors.UnstorableText`, the same on
    every backend.
    """
    try:
        text = json.dumps(value, allow_nan=False, ensure_ascii=False)
    except (TypeError, ValueError) as exc:
        raise StorageError(f"{what} cannot be saved as JSON ({exc})") from None
    refuse_unstorable(value, what)
    return json.loads(text), text


def aware(dt: datetime | None) -> datetime | None:
    """``dt`` in UTC with its time zone (SQLite hands back naive times)."""
    if dt is None:
        return None
    if dt.tzinfo is None:
        return dt.replace(tzinfo=UTC)
    return dt.astimezone(UTC)


class StoreBase:
    """The database connection and the lookups every job needs."""

    def __init__(self, engine, *, migrate: bool = True):
        self.engine = engine
        self.url = safe_url(engine.url)
        self._read = sessionmaker(engine, expire_on_commit=False)
        self._write = sessionmaker(engine.execution_options(**{WRITE_OPTION: True}),
                                   expire_on_commit=False)
        self._durable = sessionmaker(engine.execution_options(**{WRITE_OPTION: True,
                                                                 DURABLE_OPTION: True}),
                                     expire_on_commit=False)
        # SQLite has one writer at a time; writers of this process queue on a
        # lock instead of on SQLite's busy handler, which polls with sleeps of
        # up to 100 ms and lets a late writer overtake one that has waited
        # (seconds of tail latency with a hundred participants saving at once).
        # PostgreSQL takes row locks and needs none.
        self._write_lock = threading.RLock() if engine.dialect.name == "sqlite" else nullcontext()
        # Versions never change once written, so their definitions are cached.
        self._definitions: dict[int, StudyDefinition] = {}    # version id -> definition
        self._versions: dict[int, tuple[int, StudyDefinition]] = {}
        if migrate:
            upgrade(engine)

    @classmethod
    def from_url(cls, url: str | None = None, *, schema: str | None = None,
                 migrate: bool = True) -> Self:
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

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @property
    def backend(self) -> str:
        return self.engine.dialect.name

    # -- transactions ------------------------------------------------------
    @contextmanager
    def _tx(self, write: bool = False, durable: bool = False) -> Iterator[Session]:
        """One transaction; ``write`` ones take SQLite's write lock up front,
        ``durable`` ones (writes) are on the disk when they return, even on
        SQLite (see :mod:`storage.db`). A database that fails under it (gone,
        connection cut, disk full) raises :class:`DatabaseUnavailable` (or
        :class:`StorageFull`): the transaction is rolled back whole, unless
        the connection broke during COMMIT itself, when it may have been
        committed; the participant's writes are idempotent (a token has one
        session, one response), so trying again is always safe."""
        maker = self._durable if durable else self._write if write else self._read
        try:
            with self._write_lock if write or durable else nullcontext(), \
                    maker() as session, session.begin():
                yield session
        except (OperationalError, InterfaceError) as exc:
            raise unavailable(exc, self.url) from exc

    # -- a study and its versions -------------------------------------------
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
        """Version ``version`` of ``study`` (its latest for None); raises UnknownStudy."""
        if version is None:
            v = self._latest(s, study.id)
        else:
            v = s.scalar(select(m.StudyVersion).where(m.StudyVersion.study_id == study.id,
                                                      m.StudyVersion.version == int(version)))
        if v is None:
            raise UnknownStudy(study.slug, version)
        return v

    def _definition(self, version: m.StudyVersion) -> StudyDefinition:
        defn = self._definitions.get(version.id)
        if defn is None:
            defn = StudyDefinition.from_dict(version.definition)
            self._definitions[version.id] = defn
        return defn

    def _version_meta(self, s: Session, version_id: int) -> tuple[int, StudyDefinition]:
        """(version number, definition) of a version row, cached."""
        meta = self._versions.get(version_id)
        if meta is None:
            number, definition = s.execute(_VERSION_BY_ID, {"vid": version_id}).one()
            meta = (number, self._definitions.get(version_id)
                    or StudyDefinition.from_dict(definition))
            self._definitions[version_id] = meta[1]
            self._versions[version_id] = meta
        return meta
