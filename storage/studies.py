"""Studies: publishing a definition (a new version when its content changes),
reading versions, listing, opening and closing, purging unfinished drafts."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from studies.definition import StudyDefinition
from studies.demo import demo_definition

from . import models as m
from .base import StoreBase, aware
from .errors import StorageError
from .events import log_event


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


class StudyStore(StoreBase):
    """The studies part of :class:`storage.Store`."""

    def _info(self, study: m.Study, version: m.StudyVersion, latest: int | None = None) -> StudyInfo:
        return StudyInfo(id=study.id, slug=study.slug, version=version.version, title=version.title,
                         status=study.status, is_demo=study.is_demo,
                         fingerprint=version.fingerprint, definition=self._definition(version),
                         created_at=aware(version.created_at), version_id=version.id,
                         latest_version=latest if latest is not None else version.version)

    def publish_study(self, defn: StudyDefinition, *, demo: bool = False) -> StudyInfo:
        """Create the study, or a new version of it when its content changed.

        Publishing the same content again returns the existing version. A demo
        copy (``demo=True``) lives under ``<slug>-demo`` with a "[DEMO] " title
        (:func:`studies.demo.demo_definition`) and takes simulated participants only.
        """
        if not isinstance(defn, StudyDefinition):
            raise StorageError("publish_study needs a StudyDefinition")
        if demo:
            defn = demo_definition(defn)
        last_error: Exception | None = None
        for _attempt in range(8):
            try:
                with self._tx(write=True) as s:
                    return self._publish(s, defn, demo)
            except IntegrityError as exc:   # another replica created it first: look again
                last_error = exc
        raise StorageError(f"could not publish study {defn.slug!r}: it kept changing under "
                           f"concurrent updates ({last_error})")

    def _publish(self, s: Session, defn: StudyDefinition, demo: bool) -> StudyInfo:
        fingerprint = defn.fingerprint()
        study = s.scalar(select(m.Study).where(m.Study.slug == defn.slug).with_for_update())
        if study is None:
            study = m.Study(slug=defn.slug, is_demo=bool(demo), status="open", created_at=m.utcnow())
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
        return self._info(study, version)

    def get_study(self, slug: str, version: int | None = None) -> StudyInfo:
        """The latest version of ``slug`` (or the given one); raises UnknownStudy."""
        with self._tx() as s:
            study = self._study(s, slug)
            v = self._version(s, study, version)
            latest = self._latest(s, study.id)
            return self._info(study, v, latest.version)

    def study_versions(self, slug: str) -> list[StudyInfo]:
        """Every version of ``slug``, oldest first."""
        with self._tx() as s:
            study = self._study(s, slug)
            versions = s.scalars(select(m.StudyVersion).where(m.StudyVersion.study_id == study.id)
                                 .order_by(m.StudyVersion.version)).all()
            top = versions[-1].version if versions else 0
            return [self._info(study, v, top) for v in versions]

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

    def set_study_status(self, slug: str, status: str, *, by: int | None = None) -> None:
        """Open or close ``slug`` to new participants (those who consented may
        finish); logged as done by researcher ``by``."""
        if status not in m.STUDY_STATUSES:
            raise StorageError(f"a study's status is 'open' or 'closed', not {status!r}")
        with self._tx(write=True) as s:
            study = self._study(s, slug, lock=True)
            if status == "open" and self._latest(s, study.id) is None:
                raise StorageError(f"the study {slug!r} is not published yet: publish it to open it")
            if study.status != status:
                log_event(s, study.id, by, "reopen" if status == "open" else "close")
            study.status = status

    def purge_unfinished(self, slug: str, *, by: int | None = None) -> int:
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
            purged = int(result.rowcount or 0)
            log_event(s, study.id, by, "purge", f"{purged} unfinished sort(s) deleted")
            return purged
