"""Caps on the sessions a study's open link starts: per client and per study,
per minute, counted in the database so that every app replica shares them.

The open link gives a token (and, at consent, a session) to whoever asks: a
script could mint them without end. Each start adds two rows to
``open_link_starts`` (keys: the SHA-256 of ``client:<address>`` and of
``study:<id>``); a start is refused with :class:`~storage.errors.TooManyNewSessions`
when either key already has its cap of rows in the last ``window_seconds``.
Rows older than the window are deleted as new ones come, so the table holds
about a minute of starts and never who started what (no token, no response).

The caps come from the environment (read when a Store opens):

``QP_OPEN_LINK_PER_CLIENT``  starts per client address per minute (default 30:
                             a class behind one school router still gets in)
``QP_OPEN_LINK_PER_STUDY``   starts per study per minute (default 600)

``0`` turns a cap off. The client address is the web layer's to give (see
``webapp/client.py``: the proxy's ``X-Forwarded-For`` only when
``QP_TRUST_FORWARDED_FOR=1``); without one only the study's cap applies.
"""
from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, insert, select, text
from sqlalchemy.orm import Session

from . import models as m
from .base import aware
from .errors import StorageError, TooManyNewSessions

PER_CLIENT_ENV = "QP_OPEN_LINK_PER_CLIENT"
PER_STUDY_ENV = "QP_OPEN_LINK_PER_STUDY"
DEFAULT_PER_CLIENT = 30
DEFAULT_PER_STUDY = 600
MAX_CLIENT = 64             # characters of an address kept for hashing


def _env_int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        value = -1
    if value < 0:
        raise StorageError(f"{name} must be a whole number of sessions per minute "
                           f"(0 for no limit), not {raw[:20]!r}")
    return value


@dataclass(frozen=True)
class OpenLinkLimits:
    """Caps on open-link starts: ``per_client`` and ``per_study`` in any
    ``window_seconds`` (0 = no cap)."""

    per_client: int = DEFAULT_PER_CLIENT
    per_study: int = DEFAULT_PER_STUDY
    window_seconds: int = 60

    @classmethod
    def from_env(cls) -> OpenLinkLimits:
        return cls(_env_int(PER_CLIENT_ENV, DEFAULT_PER_CLIENT),
                   _env_int(PER_STUDY_ENV, DEFAULT_PER_STUDY))


def key_of(kind: str, value: object) -> str:
    """The row key of ``client``/``study`` ``value`` (hashed: no address is stored)."""
    return hashlib.sha256(f"{kind}:{str(value)[:MAX_CLIENT]}".encode()).hexdigest()


_T = m.OpenLinkStart


def record_start(s: Session, limits: OpenLinkLimits, study_id: int, client: str | None,
                 now: datetime) -> None:
    """Count one open-link start of ``study_id`` from ``client`` in transaction
    ``s``, or raise :class:`TooManyNewSessions` (the transaction then rolls back).

    The caller holds the study's row lock (``SELECT ... FOR UPDATE`` on
    PostgreSQL; SQLite's write lock), so two replicas cannot both take the last
    place of one study; a client's starts across studies are serialised by an
    advisory lock on PostgreSQL.
    """
    window = timedelta(seconds=limits.window_seconds)
    since = now - window
    s.execute(delete(_T).where(_T.created_at < since))
    checks = []
    if limits.per_study:
        checks.append(("study", key_of("study", study_id), limits.per_study))
    if limits.per_client and client:
        checks.append(("client", key_of("client", client), limits.per_client))
    if not checks:
        return
    if s.get_bind().dialect.name == "postgresql":
        for _scope, key, _cap in checks:
            if _scope == "client":
                s.execute(text("SELECT pg_advisory_xact_lock(hashtext(:k))"), {"k": key})
    for scope, key, cap in checks:
        count, oldest = s.execute(select(func.count(), func.min(_T.created_at))
                                  .where(_T.key == key, _T.created_at >= since)).one()
        if count >= cap:
            wait = (aware(oldest) + window - now).total_seconds() if oldest is not None else 1
            raise TooManyNewSessions(scope, wait)
    s.execute(insert(_T), [{"key": key, "created_at": now} for _scope, key, _cap in checks])
