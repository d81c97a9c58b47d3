"""Published results pages: a frozen snapshot of a study's results behind an
unguessable link.

A publication stores a JSON snapshot of the results content (the
:class:`analysis.report.Report` the researcher saw, as ``Report.to_dict()``;
this module does not look inside it) and the analysis run it came from. The
public page reads only that snapshot, never the study's tables.

* The link's token is 24 random bytes (192 bits, ``secrets.token_urlsafe``),
  shown once by :meth:`PublicationStore.publish_results`. Only its SHA-256 is
  stored, and a link is looked up by that hash: the database compares hashes
  of a secret it never holds, so neither a leaked database nor the time a
  lookup takes tells anything about a valid token.
* A study has at most one live publication. Publishing again replaces it; the
  old one becomes ``replaced``, unpublishing makes it ``withdrawn``; either way
  its content is erased, so an old link can say what happened and nothing else.
* The demo copy of a study is the one exception to "by token only":
  :meth:`PublicationStore.demo_results` reads the live publication of a demo
  study (simulated data) by its slug, so the home page can link to it.
"""
from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update

from . import models as m
from .base import StoreBase, aware, json_copy
from .errors import StorageError, UnknownStudy

PUBLICATION_STATUSES = ("live", "replaced", "withdrawn")
#: random bytes in a results link (192 bits)
TOKEN_BYTES = 24
#: what a token looks like (base64url of TOKEN_BYTES): anything else is refused unread
TOKEN_PATTERN = re.compile(r"^[A-Za-z0-9_-]{32}$")
#: the largest snapshot accepted (its JSON, in bytes)
MAX_CONTENT_BYTES = 5_000_000


def hash_token(token: str) -> str:
    """The stored form of a results link's token (SHA-256, hex)."""
    return hashlib.sha256(str(token).encode("utf-8")).hexdigest()


def new_results_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


@dataclass(frozen=True)
class PublishedLink:
    """A new publication. ``token`` goes into the link ``/results?r=<token>``; it
    is not stored and cannot be shown again. ``replaced``: ids of the
    publications this one replaced."""

    id: int
    token: str
    study_slug: str
    run_id: int | None
    published_at: datetime
    replaced: tuple[int, ...] = ()


@dataclass(frozen=True)
class PublicationRecord:
    """One publication of a study, as the researcher's workspace lists it (no token)."""

    id: int
    study_slug: str
    run_id: int | None
    status: str
    published_at: datetime
    ended_at: datetime | None
    # set when responses of the run it came from were later deleted, excluded
    # or included again (storage.staleness.mark_stale)
    stale_at: datetime | None = None
    stale_reason: str | None = None


@dataclass(frozen=True)
class PublicResults:
    """What a link leads to.

    status : 'live', 'replaced', 'withdrawn' or 'unknown' (no such link)
    content : the snapshot, only when live
    publication_id : only when live (content never changes for one id: a cache key)
    """

    status: str
    content: dict | None = None
    publication_id: int | None = None
    published_at: datetime | None = None
    ended_at: datetime | None = None
    #: a response the page's analysis used was later withdrawn or deleted
    stale: bool = False

    @property
    def live(self) -> bool:
        return self.status == "live"


_UNKNOWN = PublicResults("unknown")


def _json_content(content) -> dict:
    if not isinstance(content, Mapping):
        raise StorageError("the results to publish must be a mapping (the report's to_dict())")
    data, text = json_copy(dict(content), "the results to publish")
    if len(text.encode("utf-8")) > MAX_CONTENT_BYTES:
        raise StorageError(f"the results to publish are larger than {MAX_CONTENT_BYTES // 1_000_000} MB")
    return data


class PublicationStore(StoreBase):
    """The published results part of :class:`storage.Store`."""

    def publish_results(self, slug: str, content: Mapping, *, run_id: int | None = None,
                        replace: bool = True, if_none_live: bool = False) -> PublishedLink | None:
        """Publish a snapshot of ``slug``'s results under a new unguessable link.

        ``content`` : JSON-safe mapping (``Report.to_dict()``), stored as it is.
        ``run_id`` : the analysis run it came from (a run of this study).
        A live publication of the study is replaced (its link then says so);
        with ``replace=False`` that is refused instead, and with
        ``if_none_live=True`` nothing is published and None returned. One
        transaction with the study row locked, so two publishers at once
        leave exactly one live publication.
        """
        data = _json_content(content)
        token = new_results_token()
        with self._tx(write=True) as s:
            study = self._study(s, slug, lock=True)
            if run_id is not None:
                owner = s.scalar(select(m.StudyVersion.study_id).join(
                    m.AnalysisRun, m.AnalysisRun.study_version_id == m.StudyVersion.id)
                    .where(m.AnalysisRun.id == int(run_id)))
                if owner != study.id:
                    raise StorageError(f"analysis run {run_id} is not a run of study {slug!r}")
            live = s.scalars(select(m.Publication.id).where(m.Publication.study_id == study.id,
                                                             m.Publication.status == "live")).all()
            if live and if_none_live:
                return None
            if live and not replace:
                raise StorageError(f"study {slug!r} already has a published results page: replace it "
                                   "or unpublish it first")
            now = m.utcnow()
            if live:
                s.execute(update(m.Publication).where(m.Publication.id.in_(live))
                          .values(status="replaced", content=None, ended_at=now))
            pub = m.Publication(study_id=study.id, run_id=None if run_id is None else int(run_id),
                                token_hash=hash_token(token), status="live", content=data,
                                published_at=now)
            s.add(pub)
            s.flush()
            return PublishedLink(id=pub.id, token=token, study_slug=study.slug, run_id=pub.run_id,
                                 published_at=aware(now), replaced=tuple(live))

    def unpublish_results(self, slug: str) -> int:
        """Withdraw the live results page of ``slug`` (its link then says it was
        withdrawn; the snapshot is erased). Returns how many were withdrawn (0 or 1)."""
        with self._tx(write=True) as s:
            study = self._study(s, slug, lock=True)
            result = s.execute(update(m.Publication)
                               .where(m.Publication.study_id == study.id, m.Publication.status == "live")
                               .values(status="withdrawn", content=None, ended_at=m.utcnow()))
            return int(result.rowcount or 0)

    def publications(self, slug: str) -> list[PublicationRecord]:
        """Every publication of ``slug``, newest first (no tokens: they are not stored)."""
        with self._tx() as s:
            study = self._study(s, slug)
            rows = s.scalars(select(m.Publication).where(m.Publication.study_id == study.id)
                             .order_by(m.Publication.id.desc())).all()
            return [PublicationRecord(id=p.id, study_slug=study.slug, run_id=p.run_id, status=p.status,
                                      published_at=aware(p.published_at), ended_at=aware(p.ended_at),
                                      stale_at=aware(p.stale_at) if p.stale_at else None,
                                      stale_reason=p.stale_reason)
                    for p in rows]

    def live_publication(self, slug: str) -> PublicationRecord | None:
        """The live publication of ``slug``, or None."""
        return next((p for p in self.publications(slug) if p.status == "live"), None)

    def published_results(self, token) -> PublicResults:
        """What the link with ``token`` shows: the snapshot if live, else only its
        status ('replaced', 'withdrawn', or 'unknown' for anything else)."""
        if not isinstance(token, str) or not TOKEN_PATTERN.match(token):
            return _UNKNOWN
        wanted = hash_token(token)
        with self._tx() as s:
            p = s.scalar(select(m.Publication).where(m.Publication.token_hash == wanted))
            if p is None or not hmac.compare_digest(p.token_hash, wanted):
                return _UNKNOWN
            return self._public(p)

    def demo_results(self, slug: str) -> PublicResults:
        """The live publication of the DEMO study ``slug`` (simulated data);
        'unknown' for a real study, whatever it has published."""
        with self._tx() as s:
            try:
                study = self._study(s, slug)
            except UnknownStudy:
                return _UNKNOWN
            if not study.is_demo:
                return _UNKNOWN
            p = s.scalar(select(m.Publication).where(m.Publication.study_id == study.id,
                                                     m.Publication.status == "live")
                         .order_by(m.Publication.id.desc()).limit(1))
            return _UNKNOWN if p is None else self._public(p)

    @staticmethod
    def _public(p: m.Publication) -> PublicResults:
        if p.status != "live":
            return PublicResults(p.status, ended_at=aware(p.ended_at))
        return PublicResults("live", content=dict(p.content or {}), publication_id=p.id,
                             published_at=aware(p.published_at), stale=p.stale_at is not None)
