"""Analysis runs: the parameters and result of each analysis of a study version,
and the researcher's workspace's saved runs (migration 0006).

A saved run (:meth:`RunStore.save_run`) keeps, besides the parameters and the
result, a name, who saved it, where its data came from (``source``:
``"responses"``, the study's stored responses, or ``"upload"``, a file the
researcher uploaded), the data themselves as JSON (``data_json``, the data
section of :mod:`qmethod.analysis_file`, so that a run reruns after responses
are deleted), the data's fingerprint (:func:`qmethod.analysis_file.data_fingerprint`),
the researcher's interpretation (JSON: names, narratives, viewpoint decisions)
and the reported mark: at most one run of a study is its reported analysis,
the one the results pages publish.

Every method that takes a ``run_id`` also takes the study's ``slug`` and
refuses a run of another study (:class:`UnknownRun`), so a page that checked
access to a study cannot reach another study's runs by id. Access to the
study itself is the caller's check (the researcher pages' guard).
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update

from . import models as m
from .base import StoreBase, aware, json_copy
from .errors import StorageError, UnknownRun

#: Where a saved run's data came from.
RUN_SOURCES = ("responses", "upload")
MAX_RUN_NAME = 200
_FINGERPRINT = re.compile(r"[0-9a-f]{64}")


@dataclass
class AnalysisRunRecord:
    """One stored run, in full (result and data included).

    params : the analysis settings (JSON); result_json : the QResult as JSON;
    n_responses : sorts in the run's data (saved runs with data) or responses
    of the version when it was recorded; the fields after ``created_at`` are
    the saved run's (None / False for runs recorded by ``record_analysis_run``).
    """

    id: int
    study_slug: str
    study_version: int
    params: dict
    result_json: str
    n_responses: int
    created_at: datetime
    name: str | None = None
    created_by: int | None = None
    source: str | None = None
    data_json: str | None = None
    fingerprint: str | None = None
    interpretation: dict | None = None
    reported: bool = False
    stale_at: datetime | None = None
    stale_reason: str | None = None


@dataclass
class RunSummary:
    """A run as a list shows it: no result, no data (see :meth:`RunStore.run`)."""

    id: int
    study_slug: str
    study_version: int
    params: dict
    n_responses: int
    created_at: datetime
    name: str | None
    created_by: int | None
    source: str | None
    fingerprint: str | None
    reported: bool
    stale_at: datetime | None
    stale_reason: str | None


def _check_name(name) -> str:
    if not isinstance(name, str) or not name.strip():
        raise StorageError("a saved run needs a name")
    name = " ".join(name.split())
    if len(name) > MAX_RUN_NAME:
        raise StorageError(f"a run's name can have at most {MAX_RUN_NAME} characters "
                           f"(this one has {len(name)})")
    return name


def _check_interpretation(interpretation) -> dict | None:
    if interpretation is None:
        return None
    if not isinstance(interpretation, dict):
        raise StorageError("the interpretation must be a dict (JSON object)")
    return json_copy(interpretation, "the interpretation")[0]


def _sorts_in(data_json: str) -> int:
    try:
        participants = json.loads(data_json).get("participants")
    except (ValueError, AttributeError):
        participants = None
    if not isinstance(participants, list):
        raise StorageError("the run's data must be the JSON data section of an analysis file "
                           "(qmethod.analysis_file.data_to_json)")
    return len(participants)


_FULL = (m.AnalysisRun, m.StudyVersion.version)


def _record(r: m.AnalysisRun, slug: str, version: int) -> AnalysisRunRecord:
    return AnalysisRunRecord(
        id=r.id, study_slug=slug, study_version=version, params=dict(r.params),
        result_json=r.result_json, n_responses=r.n_responses, created_at=aware(r.created_at),
        name=r.name, created_by=r.created_by, source=r.source, data_json=r.data_json,
        fingerprint=r.fingerprint,
        interpretation=None if r.interpretation is None else dict(r.interpretation),
        reported=bool(r.reported), stale_at=aware(r.stale_at) if r.stale_at else None,
        stale_reason=r.stale_reason)


class RunStore(StoreBase):
    """The analysis runs part of :class:`storage.Store`."""

    def record_analysis_run(self, slug: str, params: dict, result_json: str, *,
                            version: int | None = None) -> int:
        """Save one analysis of a version of ``slug`` (the latest by default);
        returns the run's id. ``params`` must be JSON-safe; ``result_json`` is
        the result as a JSON string."""
        params = json_copy(dict(params), "the analysis parameters")[0]
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
            return [_record(r, study.slug, v.version) for r in runs]

    # -- the workspace's saved runs ------------------------------------------------------
    def save_run(self, slug: str, *, name: str, params: dict, result_json: str,
                 data_json: str | None, fingerprint: str | None,
                 interpretation: dict | None = None, created_by: int | None = None,
                 source: str = "responses", version: int | None = None) -> int:
        """Save a run of the workspace on a version of ``slug`` (the latest by
        default); returns its id.

        name : shown in the list (whitespace collapsed, at most 200 characters)
        params : the analysis settings, JSON-safe (e.g. the analysis file's
            settings, rotation history and manual flags)
        result_json : the QResult as JSON (``QResult.to_json()``)
        data_json : the data section (``qmethod.analysis_file.data_to_json``)
        fingerprint : 64 lower-case hex digits (``data_fingerprint``)
        source : one of ``RUN_SOURCES``; created_by : the researcher's id
        """
        name = _check_name(name)
        params = json_copy(dict(params), "the analysis parameters")[0]
        interpretation = _check_interpretation(interpretation)
        if not isinstance(result_json, str):
            raise StorageError("the analysis result must be given as a JSON string")
        if source not in RUN_SOURCES:
            raise StorageError(f"unknown run source {source!r}; one of {', '.join(RUN_SOURCES)}")
        if fingerprint is not None and not _FINGERPRINT.fullmatch(str(fingerprint)):
            raise StorageError("a data fingerprint is 64 lower-case hexadecimal digits (SHA-256)")
        n_sorts = None
        if data_json is not None:
            if not isinstance(data_json, str):
                raise StorageError("the run's data must be given as a JSON string")
            n_sorts = _sorts_in(data_json)
        with self._tx(write=True) as s:
            study = self._study(s, slug)
            v = self._version(s, study, version)
            if n_sorts is None:
                n_sorts = s.scalar(select(func.count()).select_from(m.Response)
                                   .where(m.Response.study_version_id == v.id)) or 0
            run = m.AnalysisRun(study_version_id=v.id, params=params, result_json=result_json,
                                n_responses=int(n_sorts), created_at=m.utcnow(), name=name,
                                created_by=None if created_by is None else int(created_by),
                                source=source, data_json=data_json, fingerprint=fingerprint,
                                interpretation=interpretation, reported=False)
            s.add(run)
            s.flush()
            return run.id

    def _run_row(self, s, slug: str, run_id) -> tuple[m.Study, m.AnalysisRun, int]:
        """(study, run, version number) of run ``run_id`` of ``slug``; UnknownRun otherwise."""
        study = self._study(s, slug)
        try:
            rid = int(run_id)
        except (TypeError, ValueError):
            raise UnknownRun(slug, run_id) from None
        row = s.execute(select(*_FULL).join(m.StudyVersion,
                                            m.StudyVersion.id == m.AnalysisRun.study_version_id)
                        .where(m.AnalysisRun.id == rid, m.StudyVersion.study_id == study.id)).first()
        if row is None:
            raise UnknownRun(slug, run_id)
        return study, row[0], row[1]

    def run(self, slug: str, run_id: int) -> AnalysisRunRecord:
        """Run ``run_id`` of study ``slug`` in full; UnknownRun if it is not one of its runs."""
        with self._tx() as s:
            study, run, version = self._run_row(s, slug, run_id)
            return _record(run, study.slug, version)

    def saved_runs(self, slug: str) -> list[RunSummary]:
        """Every run of ``slug`` (all versions), newest first, without result or data."""
        cols = (m.AnalysisRun.id, m.StudyVersion.version, m.AnalysisRun.params,
                m.AnalysisRun.n_responses, m.AnalysisRun.created_at, m.AnalysisRun.name,
                m.AnalysisRun.created_by, m.AnalysisRun.source, m.AnalysisRun.fingerprint,
                m.AnalysisRun.reported, m.AnalysisRun.stale_at, m.AnalysisRun.stale_reason)
        with self._tx() as s:
            study = self._study(s, slug)
            rows = s.execute(select(*cols).join(
                m.StudyVersion, m.StudyVersion.id == m.AnalysisRun.study_version_id)
                .where(m.StudyVersion.study_id == study.id)
                .order_by(m.AnalysisRun.id.desc())).all()
            return [RunSummary(id=r[0], study_slug=study.slug, study_version=r[1],
                               params=dict(r[2]), n_responses=r[3], created_at=aware(r[4]),
                               name=r[5], created_by=r[6], source=r[7], fingerprint=r[8],
                               reported=bool(r[9]), stale_at=aware(r[10]) if r[10] else None,
                               stale_reason=r[11]) for r in rows]

    def update_run_interpretation(self, slug: str, run_id: int, interpretation: dict | None) -> None:
        """Replace the run's interpretation (a JSON-safe dict, or None to clear it)."""
        interpretation = _check_interpretation(interpretation)
        with self._tx(write=True) as s:
            _, run, _ = self._run_row(s, slug, run_id)
            run.interpretation = interpretation

    def rename_run(self, slug: str, run_id: int, name: str) -> None:
        name = _check_name(name)
        with self._tx(write=True) as s:
            _, run, _ = self._run_row(s, slug, run_id)
            run.name = name

    def delete_run(self, slug: str, run_id: int) -> None:
        """Delete the run. A publication made from it keeps its frozen content
        and loses only its link to the run."""
        with self._tx(write=True) as s:
            _, run, _ = self._run_row(s, slug, run_id)
            s.execute(update(m.Publication).where(m.Publication.run_id == run.id)
                      .values(run_id=None))
            s.delete(run)

    def mark_reported(self, slug: str, run_id: int) -> None:
        """Make run ``run_id`` the study's reported analysis; any other run of
        the study loses the mark in the same transaction (the study row is
        locked, so two concurrent marks leave exactly one)."""
        with self._tx(write=True) as s:
            study = self._study(s, slug, lock=True)
            _, run, _ = self._run_row(s, slug, run_id)
            self._unmark(s, study.id, keep=run.id)
            run.reported = True

    def unmark_reported(self, slug: str) -> None:
        """No run of ``slug`` is its reported analysis any more."""
        with self._tx(write=True) as s:
            study = self._study(s, slug, lock=True)
            self._unmark(s, study.id)

    @staticmethod
    def _unmark(s, study_id: int, keep: int | None = None) -> None:
        versions = select(m.StudyVersion.id).where(m.StudyVersion.study_id == study_id)
        q = update(m.AnalysisRun).where(m.AnalysisRun.study_version_id.in_(versions),
                                        m.AnalysisRun.reported.is_(True))
        if keep is not None:
            q = q.where(m.AnalysisRun.id != keep)
        s.execute(q.values(reported=False).execution_options(synchronize_session=False))

    def reported_run(self, slug: str) -> AnalysisRunRecord | None:
        """The study's reported run in full, or None."""
        with self._tx() as s:
            study = self._study(s, slug)
            row = s.execute(select(*_FULL).join(
                m.StudyVersion, m.StudyVersion.id == m.AnalysisRun.study_version_id)
                .where(m.StudyVersion.study_id == study.id, m.AnalysisRun.reported.is_(True))
                .order_by(m.AnalysisRun.id.desc()).limit(1)).first()
            return None if row is None else _record(row[0], study.slug, row[1])
