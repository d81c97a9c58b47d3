"""Designing a study: its draft (the next version, as the researcher left it)
and publishing it.

A study made in the workspace starts as a draft only: a ``studies`` row with
no version (closed, so no link can use it) and a ``study_drafts`` row. Every
change the researcher makes is saved to the draft at once, valid or not, so
nothing is lost on a reload; the design page shows what is wrong.
Publishing checks the draft (:meth:`StudyDefinition.from_dict`, the loader's
rules) and freezes it as a new version; the first version opens the study.
A published study is changed by copying its latest version into a new draft.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from studies.definition import SLUG_PATTERN
from studies.drafting import definition_of, editable

from . import models as m
from .base import aware
from .errors import NotAllowed, StorageError, refuse_unstorable
from .events import log_event
from .studies import StudyInfo, StudyStore

MAX_CONTENT_BYTES = 2_000_000
MAX_SLUG = 100


@dataclass(frozen=True)
class StudyDraftInfo:
    """A study's draft: ``content`` is the definition in dict form (see
    :meth:`StudyDefinition.to_dict`), possibly not valid yet."""

    slug: str
    content: dict
    base_version: int | None
    updated_at: datetime
    updated_by: str | None


def check_new_slug(slug: str) -> str:
    slug = str(slug or "").strip()
    if not slug:
        raise StorageError("the study needs a short name (for its links)")
    if len(slug) > MAX_SLUG or not SLUG_PATTERN.match(slug):
        raise StorageError(f"the short name {slug[:MAX_SLUG]!r} may only use lower-case letters, "
                           f"digits and '-' (at most {MAX_SLUG}), starting with a letter or digit")
    return slug


def _clean_content(content: Any, slug: str) -> dict:
    """``content`` in the editor's shape (:func:`studies.drafting.editable`),
    named ``slug``, JSON-safe and not too large."""
    if not isinstance(content, dict):
        raise StorageError("a study draft must be a mapping of fields")
    try:
        encoded = json.dumps({**editable(content), "slug": slug}, allow_nan=False,
                             ensure_ascii=False)
    except (TypeError, ValueError) as exc:
        raise StorageError(f"the draft cannot be saved ({exc})") from None
    if len(encoded.encode("utf-8")) > MAX_CONTENT_BYTES:
        raise StorageError(f"the study is too large to save (at most {MAX_CONTENT_BYTES:,} bytes)")
    return json.loads(encoded)


class DraftStore(StudyStore):
    """The study design part of :class:`storage.Store`."""

    def create_study(self, slug: str, content: dict, *, owner: int) -> StudyDraftInfo:
        """A new, never published study ``slug`` owned by researcher ``owner``,
        its draft holding ``content``."""
        slug = check_new_slug(slug)
        refuse_unstorable(content, "the study")
        content = _clean_content(content, slug)
        try:
            with self._tx(write=True) as s:
                now = m.utcnow()
                study = m.Study(slug=slug, is_demo=False, status="closed", created_at=now)
                s.add(study)
                s.flush()
                s.add(m.StudyAccess(study_id=study.id, researcher_id=int(owner), role="owner",
                                    created_at=now))
                s.add(m.StudyDraft(study_id=study.id, content=content, base_version=None,
                                   updated_by=int(owner), created_at=now, updated_at=now))
                log_event(s, study.id, owner, "create")
        except IntegrityError:
            raise StorageError(f"the short name {slug!r} is taken: choose another") from None
        return self.study_draft(slug)

    def study_status(self, slug: str) -> str:
        """``draft`` (never published), ``open`` or ``closed``."""
        with self._tx() as s:
            study = self._study(s, slug)
            return study.status if self._latest(s, study.id) is not None else "draft"

    def study_draft(self, slug: str) -> StudyDraftInfo | None:
        """The draft of ``slug``, or None when no version is being designed."""
        with self._tx() as s:
            study = self._study(s, slug)
            row = s.execute(select(m.StudyDraft, m.Researcher.email)
                            .outerjoin(m.Researcher, m.Researcher.id == m.StudyDraft.updated_by)
                            .where(m.StudyDraft.study_id == study.id)).one_or_none()
        if row is None:
            return None
        draft, email = row
        return StudyDraftInfo(slug, dict(draft.content), draft.base_version,
                              aware(draft.updated_at), email)

    @staticmethod
    def _refuse_demo(study: m.Study) -> None:
        if study.is_demo:
            raise NotAllowed("the demo study is read-only")

    def save_study_draft(self, slug: str, content: dict, *, by: int | None) -> StudyDraftInfo:
        """Store ``content`` as the draft of ``slug`` (creating the draft of the
        next version if there is none); last write wins."""
        with self._tx(write=True) as s:
            study = self._study(s, slug, lock=True)
            self._refuse_demo(study)
            refuse_unstorable(content, "the study")
            content = _clean_content(content, study.slug)
            now = m.utcnow()
            draft = s.scalar(select(m.StudyDraft).where(m.StudyDraft.study_id == study.id))
            if draft is None:
                latest = self._latest(s, study.id)
                s.add(m.StudyDraft(study_id=study.id, content=content,
                                   base_version=latest.version if latest else None,
                                   updated_by=by, created_at=now, updated_at=now))
            else:
                draft.content = content
                draft.updated_by = by
                draft.updated_at = now
        return self.study_draft(slug)

    def start_new_version(self, slug: str, *, by: int | None) -> StudyDraftInfo:
        """Copy the latest version of ``slug`` into its draft (the existing draft
        if one is being designed already)."""
        with self._tx(write=True) as s:
            study = self._study(s, slug, lock=True)
            self._refuse_demo(study)
            if s.scalar(select(m.StudyDraft.id).where(m.StudyDraft.study_id == study.id)) is None:
                latest = self._version(s, study, None)
                now = m.utcnow()
                s.add(m.StudyDraft(study_id=study.id,
                                   content=_clean_content(dict(latest.definition), study.slug),
                                   base_version=latest.version, updated_by=by,
                                   created_at=now, updated_at=now))
                log_event(s, study.id, by, "new_draft", f"from version {latest.version}")
        return self.study_draft(slug)

    def discard_study_draft(self, slug: str, *, by: int | None) -> None:
        """Drop the draft of a published study (its published versions stay)."""
        with self._tx(write=True) as s:
            study = self._study(s, slug, lock=True)
            if self._latest(s, study.id) is None:
                raise StorageError("this study was never published: delete the study instead")
            s.execute(delete(m.StudyDraft).where(m.StudyDraft.study_id == study.id))
            log_event(s, study.id, by, "discard_draft")

    def delete_unpublished_study(self, slug: str, *, by: int | None) -> None:
        """Delete a study that was never published (a published one keeps its data)."""
        with self._tx(write=True) as s:
            study = self._study(s, slug, lock=True)
            self._refuse_demo(study)
            if self._latest(s, study.id) is not None:
                raise StorageError("a published study cannot be deleted here: close it instead")
            s.delete(study)

    def publish_study_draft(self, slug: str, *, by: int | None) -> StudyInfo:
        """Check the draft of ``slug`` and publish it as a new version (the first
        one opens the study to participants); the draft is then gone.

        Raises :class:`studies.errors.StudyError` listing every problem (nothing
        changes then). Content equal to the latest version publishes nothing new.
        """
        for _attempt in range(8):
            try:
                with self._tx(write=True) as s:
                    return self._publish_draft(s, slug, by)
            except IntegrityError:
                continue
        raise StorageError(f"could not publish {slug!r}: it kept changing; please try again")

    def _publish_draft(self, s: Session, slug: str, by: int | None) -> StudyInfo:
        study = self._study(s, slug, lock=True)
        self._refuse_demo(study)
        draft = s.scalar(select(m.StudyDraft).where(m.StudyDraft.study_id == study.id))
        if draft is None:
            raise StorageError("there is no draft to publish: make a new version first")
        defn = definition_of({**dict(draft.content), "slug": study.slug})
        first = self._latest(s, study.id) is None
        before = s.scalar(select(func.max(m.StudyVersion.version))
                          .where(m.StudyVersion.study_id == study.id))
        info = self._publish(s, defn, False)
        if first:
            study.status = "open"
            info.status = "open"
        s.execute(delete(m.StudyDraft).where(m.StudyDraft.id == draft.id))
        if info.version != before:
            log_event(s, study.id, by, "publish", f"version {info.version}")
        return info
