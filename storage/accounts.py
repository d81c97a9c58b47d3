"""Researchers' accounts: creating one, passwords (scrypt hashes), signing in
and out, and slowing down repeated failed sign-ins.

Signing in gives a random token (256 bits) for the browser's cookie; the
database keeps only its SHA-256, so a copy of the database cannot be used to
sign in. A session expires after :data:`SESSION_IDLE` without activity (and
after :data:`SESSION_MAX` in any case).

Throttling: failed sign-ins are counted per account (the email given, whether
or not it has an account) and per client (its address). After
:data:`FREE_FAILURES` failures a key must wait before the next attempt, twice
as long after each further failure (2 s, 4 s, ... up to
:data:`MAX_DELAY`); while it waits, attempts are refused without checking the
password. A success clears the account's count (not the client's, so that
one account cannot be used to reset a client guessing others); counts are
forgotten :data:`FORGET_AFTER` after the last failure.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from . import models as m
from .base import StoreBase, aware
from .errors import SignInFailed, SignInThrottled, StorageError

SCRYPT_N, SCRYPT_R, SCRYPT_P = 2 ** 14, 8, 1
MIN_PASSWORD = 8
MAX_PASSWORD = 1024
SESSION_TOKEN_BYTES = 32
SESSION_IDLE = timedelta(days=1)
SESSION_MAX = timedelta(days=30)
# last_seen_at is written at most this often (not at every page view)
TOUCH_EVERY = timedelta(minutes=5)
FREE_FAILURES = 5
FIRST_DELAY_S = 2.0
MAX_DELAY_S = 900.0
FORGET_AFTER = timedelta(hours=24)


def normalise_email(email: str) -> str:
    """``email`` stripped and lower-cased; StorageError if it is not an address."""
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
    """Whether ``password`` matches a :func:`hash_password` hash (constant-time compare)."""
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


def check_new_password(password: str) -> str:
    """``password`` if it may be used; StorageError saying why not."""
    if not isinstance(password, str) or len(password) < MIN_PASSWORD:
        raise StorageError(f"a password needs at least {MIN_PASSWORD} characters")
    if len(password) > MAX_PASSWORD:
        raise StorageError(f"a password may have at most {MAX_PASSWORD} characters")
    return password


def token_hash(token: str) -> str:
    """SHA-256 (hex) of a sign-in token: what the database keeps."""
    return hashlib.sha256(str(token).encode("utf-8")).hexdigest()


def throttle_key(kind: str, value: str) -> str:
    """The throttle row's key for ``account``/``client`` ``value`` (hashed)."""
    return hashlib.sha256(f"{kind}:{value}".encode()).hexdigest()


def throttle_delay(failures: int) -> float:
    """Seconds a key must wait after ``failures`` failed sign-ins (0 while free)."""
    if failures < FREE_FAILURES:
        return 0.0
    return min(MAX_DELAY_S, FIRST_DELAY_S * 2 ** (failures - FREE_FAILURES))


@dataclass(frozen=True)
class Researcher:
    """A signed-in researcher."""

    id: int
    email: str


class AccountStore(StoreBase):
    """The researchers' accounts part of :class:`storage.Store`."""

    def create_researcher(self, email: str, password: str) -> int:
        """A new researcher account; returns its id.

        The first account also becomes the owner of every real study that
        has none (those published before any account existed, such as the
        seeded co-production study).
        """
        email = normalise_email(email)
        check_new_password(password)
        digest = hash_password(password)
        try:
            with self._tx(write=True) as s:
                rid = self._add_researcher(s, email, digest)
        except IntegrityError:
            raise StorageError(f"a researcher account for {email} already exists") from None
        self.assign_unowned_studies()
        return rid

    def create_first_researcher(self, email: str, password: str) -> int:
        """The first account (the first-run screen): refused once any account exists,
        also when two visitors try at the same moment."""
        email = normalise_email(email)
        check_new_password(password)
        digest = hash_password(password)
        with self._tx(write=True) as s:
            if s.get_bind().dialect.name == "postgresql":
                # an empty table has no row to lock: serialise on the table
                s.execute(text("LOCK TABLE researchers IN SHARE ROW EXCLUSIVE MODE"))
            if s.scalar(select(func.count()).select_from(m.Researcher)):
                raise StorageError("an account exists already: sign in, or ask its owner "
                                   "to add you with `python -m storage add-researcher`")
            rid = self._add_researcher(s, email, digest)
        self.assign_unowned_studies()
        return rid

    @staticmethod
    def _add_researcher(s: Session, email: str, digest: str) -> int:
        r = m.Researcher(email=email, password_hash=digest, created_at=m.utcnow())
        s.add(r)
        s.flush()
        return r.id

    def count_researchers(self) -> int:
        with self._tx() as s:
            return int(s.scalar(select(func.count()).select_from(m.Researcher)) or 0)

    def researcher_by_email(self, email: str) -> Researcher | None:
        try:
            email = normalise_email(email)
        except StorageError:
            return None
        with self._tx() as s:
            row = s.execute(select(m.Researcher.id, m.Researcher.email)
                            .where(m.Researcher.email == email)).one_or_none()
        return None if row is None else Researcher(row.id, row.email)

    def set_password(self, email: str, password: str) -> None:
        """Give ``email``'s account a new password and sign out all its sessions."""
        email = normalise_email(email)
        check_new_password(password)
        digest = hash_password(password)
        with self._tx(write=True) as s:
            rid = s.scalar(select(m.Researcher.id).where(m.Researcher.email == email))
            if rid is None:
                raise StorageError(f"there is no researcher account for {email}")
            s.execute(update(m.Researcher).where(m.Researcher.id == rid)
                      .values(password_hash=digest))
            s.execute(delete(m.ResearcherSession).where(m.ResearcherSession.researcher_id == rid))

    def assign_unowned_studies(self) -> int:
        """Make the oldest account the owner of every real study without an
        owner (published from a file or the command line); returns how many
        (none while there is no account). Runs when an account is made and
        at every sign-in."""
        with self._tx(write=True) as s:
            return self._assign_unowned(s)

    @staticmethod
    def _assign_unowned(s: Session) -> int:
        first = s.scalar(select(m.Researcher.id).order_by(m.Researcher.id).limit(1))
        if first is None:
            return 0
        owned = select(m.StudyAccess.study_id).where(m.StudyAccess.role == "owner")
        ids = s.scalars(select(m.Study.id).where(m.Study.is_demo.is_(False),
                                                 m.Study.id.not_in(owned))).all()
        now = m.utcnow()
        s.add_all([m.StudyAccess(study_id=i, researcher_id=first, role="owner", created_at=now)
                   for i in ids])
        return len(ids)

    # -- signing in ---------------------------------------------------------------
    def sign_in(self, email: str, password: str, client: str | None = None) -> str:
        """Check ``email`` and ``password`` and open a session; returns its token
        (for the cookie: keep it secret, never log it).

        Raises :class:`SignInThrottled` (with ``wait_seconds``) while the
        account or the client must wait, else :class:`SignInFailed` for a wrong
        email or password (the same message for both).
        """
        email_key = str(email or "").strip().lower()[:320]
        keys = [throttle_key("account", email_key), throttle_key("client", str(client or "-"))]
        now = m.utcnow()
        wait = self._throttle_wait(keys, now)
        if wait > 0:
            raise SignInThrottled(wait)
        if not isinstance(password, str) or len(password) > MAX_PASSWORD \
                or not self.verify_researcher(email, password):
            self._record_failure(keys, now)
            raise SignInFailed()
        token = secrets.token_urlsafe(SESSION_TOKEN_BYTES)
        with self._tx(write=True) as s:
            rid = s.scalar(select(m.Researcher.id).where(m.Researcher.email == email_key))
            s.execute(delete(m.SignInThrottle).where(m.SignInThrottle.key == keys[0]))
            s.execute(delete(m.ResearcherSession).where(
                (m.ResearcherSession.last_seen_at < now - SESSION_IDLE)
                | (m.ResearcherSession.created_at < now - SESSION_MAX)))
            s.add(m.ResearcherSession(researcher_id=rid, token_hash=token_hash(token),
                                      created_at=now, last_seen_at=now))
            self._assign_unowned(s)
        return token

    def _throttle_wait(self, keys: list[str], now: datetime) -> float:
        with self._tx() as s:
            rows = s.execute(select(m.SignInThrottle.failures, m.SignInThrottle.last_failure_at)
                             .where(m.SignInThrottle.key.in_(keys))).all()
        wait = 0.0
        for failures, last in rows:
            last = aware(last)
            if now - last > FORGET_AFTER:
                continue
            left = throttle_delay(failures) - (now - last).total_seconds()
            wait = max(wait, left)
        return wait

    def _record_failure(self, keys: list[str], now: datetime) -> None:
        for _attempt in range(3):
            try:
                with self._tx(write=True) as s:
                    for key in keys:
                        row = s.get(m.SignInThrottle, key, with_for_update=True)
                        if row is None:
                            s.add(m.SignInThrottle(key=key, failures=1, first_failure_at=now,
                                                   last_failure_at=now))
                        elif now - aware(row.last_failure_at) > FORGET_AFTER:
                            row.failures, row.first_failure_at, row.last_failure_at = 1, now, now
                        else:
                            row.failures += 1
                            row.last_failure_at = now
                return
            except IntegrityError:
                continue        # another failure for the same key at the same moment

    def session_researcher(self, token: str | None) -> Researcher | None:
        """The researcher signed in with ``token``, or None (unknown, signed out
        or expired). Marks the session as used."""
        if not isinstance(token, str) or not token or len(token) > 200:
            return None
        digest = token_hash(token)
        now = m.utcnow()
        with self._tx() as s:
            row = s.execute(select(m.ResearcherSession.id, m.ResearcherSession.token_hash,
                                   m.ResearcherSession.last_seen_at, m.ResearcherSession.created_at,
                                   m.Researcher.id.label("rid"), m.Researcher.email)
                            .join(m.Researcher, m.Researcher.id == m.ResearcherSession.researcher_id)
                            .where(m.ResearcherSession.token_hash == digest)).one_or_none()
        # the lookup is by hash; compare again in constant time all the same
        if row is None or not hmac.compare_digest(row.token_hash, digest):
            return None
        seen, created = aware(row.last_seen_at), aware(row.created_at)
        if now - seen > SESSION_IDLE or now - created > SESSION_MAX:
            with self._tx(write=True) as s:
                s.execute(delete(m.ResearcherSession).where(m.ResearcherSession.id == row.id))
            return None
        if now - seen > TOUCH_EVERY:
            with self._tx(write=True) as s:
                s.execute(update(m.ResearcherSession).where(m.ResearcherSession.id == row.id)
                          .values(last_seen_at=now))
        return Researcher(row.rid, row.email)

    def sign_out(self, token: str | None) -> None:
        """End the session of ``token`` (nothing happens for an unknown one)."""
        if not isinstance(token, str) or not token:
            return
        with self._tx(write=True) as s:
            s.execute(delete(m.ResearcherSession)
                      .where(m.ResearcherSession.token_hash == token_hash(token)))

    def verify_researcher(self, email: str, password: str) -> bool:
        """Whether ``email`` has an account with this ``password``."""
        try:
            email = normalise_email(email)
        except StorageError:
            return False
        with self._tx() as s:
            stored = s.scalar(select(m.Researcher.password_hash).where(m.Researcher.email == email))
        if stored is None:
            hash_password(str(password))    # same work whether or not the account exists
            return False
        return check_password(str(password), stored)
