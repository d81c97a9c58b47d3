"""Stale marks: analysis runs and results pages built on a response that was
later deleted (by a researcher), withdrawn (by its participant), excluded
from the analysis or included again.

The rule (simple, and documented in the README): a run is built on a
response if the response existed when the run was made, i.e. every run of
the response's study version made at or after the response's submission
(for an inclusion: every run made since the submission, which left it
out; runs on an uploaded data set, ``source = 'upload'``, are not built on
stored responses and are left alone). A live results page is built on it if
its run is one of those, or if it has no run left to tell (published
without one, or its run deleted) and was published after the submission.
Each gets ``stale_at`` (the first time only) and a ``stale_reason`` that
says what happened, never which response or whose.

:func:`mark_stale` runs inside the transaction that deletes the response, so
the data and the marks change together.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from . import models as m
from .base import StoreBase, aware

WITHDRAWN = "a response this analysis used was later withdrawn by its participant"
DELETED = "a response this analysis used was later deleted by a researcher"
EXCLUDED = "a response this analysis used was later excluded from the analysis"
INCLUDED = "a response left out of this analysis was later included again"


@dataclass(frozen=True)
class StaleMark:
    """When a run or a results page became stale, and why (no participant detail)."""

    at: datetime
    reason: str


def mark_stale(s: Session, response: m.Response, reason: str, now: datetime) -> list[int]:
    """Mark the runs and the live publications built on ``response`` (about to
    be deleted in the transaction ``s``) as stale; returns the runs' ids."""
    run = m.AnalysisRun
    built_on = (select(run.id).where(run.study_version_id == response.study_version_id,
                                     run.created_at >= response.submitted_at,
                                     or_(run.source.is_(None), run.source != "upload")))
    run_ids = list(s.scalars(built_on))
    if run_ids:
        s.execute(update(run).where(run.id.in_(run_ids), run.stale_at.is_(None))
                  .values(stale_at=now, stale_reason=reason)
                  .execution_options(synchronize_session=False))
    pub = m.Publication
    on_runs = pub.run_id.in_(run_ids) if run_ids else None
    unknown = (pub.run_id.is_(None)) & (pub.published_at >= response.submitted_at)
    s.execute(update(pub).where(pub.study_id == response.study_id, pub.status == "live",
                                pub.stale_at.is_(None),
                                unknown if on_runs is None else or_(on_runs, unknown))
              .values(stale_at=now, stale_reason=reason)
              .execution_options(synchronize_session=False))
    return run_ids


class StalenessStore(StoreBase):
    """Reading the stale marks (part of :class:`storage.Store`)."""

    def stale_runs(self, slug: str) -> dict[int, StaleMark]:
        """{run id: its stale mark} for every stale run of ``slug`` (all versions)."""
        run, version = m.AnalysisRun, m.StudyVersion
        with self._tx() as s:
            study = self._study(s, slug)
            rows = s.execute(select(run.id, run.stale_at, run.stale_reason)
                             .join(version, version.id == run.study_version_id)
                             .where(version.study_id == study.id, run.stale_at.is_not(None)))
            return {r.id: StaleMark(aware(r.stale_at), r.stale_reason or "") for r in rows}

    def stale_publication(self, slug: str) -> StaleMark | None:
        """The stale mark of ``slug``'s live results page (None if none or not stale)."""
        pub = m.Publication
        with self._tx() as s:
            study = self._study(s, slug)
            row = s.execute(select(pub.stale_at, pub.stale_reason)
                            .where(pub.study_id == study.id, pub.status == "live")
                            .order_by(pub.id.desc()).limit(1)).first()
            if row is None or row.stale_at is None:
                return None
            return StaleMark(aware(row.stale_at), row.stale_reason or "")
