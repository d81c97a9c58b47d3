"""The log of what researchers did to a study: publishing, sharing, closing,
revoking links, excluding, including and deleting responses.

Written in the same transaction as the change it records, so the log cannot
miss a change or record one that was rolled back. A deleted response keeps
its lines (``response_id`` has no foreign key).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from . import models as m
from .base import StoreBase, aware

MAX_DETAIL = 2000


@dataclass(frozen=True)
class StudyEventInfo:
    """One line of a study's log; ``who`` is the researcher's email (None if
    done from the command line)."""

    at: datetime
    who: str | None
    action: str
    detail: str
    response_id: int | None


def log_event(s: Session, study_id: int, by: int | None, action: str, detail: str = "",
              response_id: int | None = None) -> None:
    """Add a line to the log of ``study_id`` in the transaction ``s``."""
    s.add(m.StudyEvent(study_id=study_id, researcher_id=by, action=str(action)[:32],
                       detail=str(detail)[:MAX_DETAIL], response_id=response_id,
                       created_at=m.utcnow()))


class EventStore(StoreBase):
    """Reading the log (the study log part of :class:`storage.Store`)."""

    def study_events(self, slug: str, *, response_id: int | None = None,
                     limit: int = 200) -> list[StudyEventInfo]:
        """The latest lines of the log of ``slug`` (of one response if given), newest first."""
        with self._tx() as s:
            study = self._study(s, slug)
            q = (select(m.StudyEvent, m.Researcher.email)
                 .outerjoin(m.Researcher, m.Researcher.id == m.StudyEvent.researcher_id)
                 .where(m.StudyEvent.study_id == study.id)
                 .order_by(m.StudyEvent.id.desc()).limit(int(limit)))
            if response_id is not None:
                q = q.where(m.StudyEvent.response_id == int(response_id))
            return [StudyEventInfo(aware(e.created_at), email, e.action, e.detail, e.response_id)
                    for e, email in s.execute(q).all()]
