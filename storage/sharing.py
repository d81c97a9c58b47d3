"""Who may open a study in the researcher's workspace.

A study's owner (who created it) may share it by email with other
researchers (``editor``: they may do everything but share) and remove a
share. Every demo study is visible to every researcher, read-only
(``viewer``). Anyone else is told the study does not exist
(:class:`UnknownStudy`), exactly as for a study that does not: the web layer
never reveals another researcher's study.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, or_, select
from sqlalchemy.orm import Session

from . import models as m
from .base import StoreBase, aware
from .errors import NotAllowed, StorageError, UnknownStudy
from .events import log_event

#: roles, weakest first: what each may do is decided by the web layer's guard
ROLES = ("viewer", "editor", "owner")


def role_at_least(role: str, needed: str) -> bool:
    """Whether ``role`` includes what ``needed`` may do (viewer < editor < owner)."""
    return ROLES.index(role) >= ROLES.index(needed)


@dataclass(frozen=True)
class WorkspaceStudy:
    """A study as the workspace lists it.

    ``status`` is ``draft`` (never published), ``open`` or ``closed``;
    ``version`` the latest published version (0 for none); ``has_draft``
    whether a next version is being designed; ``responses`` over all versions.
    """

    slug: str
    title: str
    status: str
    is_demo: bool
    role: str
    version: int
    has_draft: bool
    responses: int
    owner: str | None
    created_at: datetime


@dataclass(frozen=True)
class Member:
    email: str
    role: str


class SharingStore(StoreBase):
    """The study access part of :class:`storage.Store`."""

    @staticmethod
    def _role(s: Session, study: m.Study, researcher_id: int | None) -> str:
        if researcher_id is None:
            raise UnknownStudy(study.slug)
        role = s.scalar(select(m.StudyAccess.role).where(
            m.StudyAccess.study_id == study.id, m.StudyAccess.researcher_id == int(researcher_id)))
        if role is not None:
            return role
        if study.is_demo:
            return "viewer"
        raise UnknownStudy(study.slug)

    def study_role(self, slug: str, researcher_id: int | None) -> str:
        """``owner``, ``editor`` or ``viewer`` (a demo study); UnknownStudy when
        the researcher may not open ``slug`` or it does not exist."""
        with self._tx() as s:
            return self._role(s, self._study(s, slug), researcher_id)

    def workspace_studies(self, researcher_id: int) -> list[WorkspaceStudy]:
        """The studies ``researcher_id`` may open: their own and shared ones
        (newest first), then the demo studies."""
        with self._tx() as s:
            mine = select(m.StudyAccess.study_id, m.StudyAccess.role).where(
                m.StudyAccess.researcher_id == int(researcher_id)).subquery()
            latest = (select(m.StudyVersion.study_id, func.max(m.StudyVersion.version).label("v"))
                      .group_by(m.StudyVersion.study_id).subquery())
            counts = (select(m.Response.study_id, func.count().label("n"))
                      .group_by(m.Response.study_id).subquery())
            owner = (select(m.StudyAccess.study_id, m.Researcher.email)
                     .join(m.Researcher, m.Researcher.id == m.StudyAccess.researcher_id)
                     .where(m.StudyAccess.role == "owner").subquery())
            rows = s.execute(
                select(m.Study, mine.c.role, latest.c.v, counts.c.n, owner.c.email,
                       m.StudyDraft.id.label("draft_id"), m.StudyDraft.content)
                .outerjoin(mine, mine.c.study_id == m.Study.id)
                .outerjoin(latest, latest.c.study_id == m.Study.id)
                .outerjoin(counts, counts.c.study_id == m.Study.id)
                .outerjoin(owner, owner.c.study_id == m.Study.id)
                .outerjoin(m.StudyDraft, m.StudyDraft.study_id == m.Study.id)
                .where(or_(mine.c.role.is_not(None), m.Study.is_demo.is_(True)))).all()
            titles = dict(s.execute(
                select(m.StudyVersion.study_id, m.StudyVersion.title)
                .join(latest, (latest.c.study_id == m.StudyVersion.study_id)
                      & (latest.c.v == m.StudyVersion.version))).all())
        out = []
        for study, role, version, n, owner_email, draft_id, content in rows:
            title = titles.get(study.id) or str((content or {}).get("title") or "") or study.slug
            status = "draft" if not version else study.status
            out.append(WorkspaceStudy(study.slug, title, status, study.is_demo,
                                      role or "viewer", int(version or 0), draft_id is not None,
                                      int(n or 0), owner_email, aware(study.created_at)))
        out.sort(key=lambda w: (w.is_demo, -w.created_at.timestamp(), w.slug))
        return out

    def study_members(self, slug: str) -> list[Member]:
        """Who may open ``slug``: the owner first, then the shares by email."""
        with self._tx() as s:
            study = self._study(s, slug)
            rows = s.execute(select(m.Researcher.email, m.StudyAccess.role)
                             .join(m.StudyAccess, m.StudyAccess.researcher_id == m.Researcher.id)
                             .where(m.StudyAccess.study_id == study.id)).all()
        return sorted((Member(e, r) for e, r in rows), key=lambda x: (x.role != "owner", x.email))

    def share_study(self, slug: str, email: str, *, by: int) -> None:
        """Give the researcher with ``email`` access to ``slug`` (``by`` must own it)."""
        from .accounts import normalise_email
        email = normalise_email(email)
        with self._tx(write=True) as s:
            study = self._study(s, slug, lock=True)
            if self._role(s, study, by) != "owner":
                raise NotAllowed("only the study's owner can share it")
            rid = s.scalar(select(m.Researcher.id).where(m.Researcher.email == email))
            if rid is None:
                raise StorageError(f"there is no researcher account for {email}: they need one "
                                   "first (`python -m storage add-researcher EMAIL`)")
            if s.get(m.StudyAccess, (study.id, rid)) is not None:
                raise StorageError(f"{email} can open this study already")
            s.add(m.StudyAccess(study_id=study.id, researcher_id=rid, role="editor",
                                created_at=m.utcnow()))
            log_event(s, study.id, by, "share", email)

    def remove_share(self, slug: str, email: str, *, by: int) -> None:
        """Take ``email``'s access to ``slug`` away (the owner may remove anyone
        but themselves; a researcher may remove their own share)."""
        from .accounts import normalise_email
        email = normalise_email(email)
        with self._tx(write=True) as s:
            study = self._study(s, slug, lock=True)
            role = self._role(s, study, by)
            rid = s.scalar(select(m.Researcher.id).where(m.Researcher.email == email))
            access = None if rid is None else s.get(m.StudyAccess, (study.id, rid))
            if access is None:
                raise StorageError(f"{email} has no share of this study")
            if access.role == "owner":
                raise NotAllowed("the owner's access cannot be removed")
            if role != "owner" and rid != by:
                raise NotAllowed("only the study's owner can remove a share")
            s.execute(delete(m.StudyAccess).where(m.StudyAccess.study_id == study.id,
                                                  m.StudyAccess.researcher_id == rid))
            log_event(s, study.id, by, "unshare", email)
