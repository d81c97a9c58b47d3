"""What the monitoring page reads: a few columns per response and the consents
per day, in a handful of queries (the rules are :mod:`studies.quality`).

Each response's checks (device, sorting time, statements placed against the
pre-sort, a hash of its placements) are worked out once, when it is stored
(:meth:`storage.Store.submit`); rows stored without them (imported, or from
before) get them here, on the first monitoring view, and keep them. So the
page never reads whole sorts: its cost grows with the number of responses
but not with the size of each.
"""
from __future__ import annotations

import json
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import String, Text, cast, func, select, type_coerce, update

from studies.definition import StudyDefinition
from studies.quality import response_checks

from . import models as m
from .base import StoreBase

RESPONSE_COLUMNS = ["id", "version", "label", "submitted_at", "device", "sort_seconds",
                    "against_presort", "placement_hash", "timings", "excluded",
                    "exclusion_reason"]
FILL_BATCH = 500


@dataclass
class MonitoringData:
    """A study's responses and consents.

    ``responses``: one row per response, oldest first, columns
    :data:`RESPONSE_COLUMNS` (``label`` the neutral ``r0001``... of its
    version; ``timings`` the stored dict of seconds per step; times are UTC).
    ``consents``: consents per day (index: the days, UTC), purged drafts
    no longer counted. ``definitions``: each version's definition.
    """

    responses: pd.DataFrame
    consents: pd.Series
    definitions: dict[int, StudyDefinition]


class MonitoringStore(StoreBase):
    """The monitoring part of :class:`storage.Store`."""

    def monitoring_data(self, slug: str) -> MonitoringData:
        """Every response of ``slug`` (all versions) and its consents per day."""
        R, PS = m.Response, m.ParticipantSession
        with self._tx() as s:
            study = self._study(s, slug)
            versions = dict(s.execute(select(m.StudyVersion.id, m.StudyVersion.version)
                                      .where(m.StudyVersion.study_id == study.id)).all())
            definitions = {number: self._version_meta(s, vid)[1] for vid, number in versions.items()}
            missing = s.scalars(select(R.id).where(R.study_id == study.id,
                                                   R.placement_hash.is_(None))).all()
        if missing:
            self._fill_checks(missing)
        sqlite = self.backend == "sqlite"
        # SQLite keeps times as text: let pandas parse them all at once
        submitted = type_coerce(R.submitted_at, String) if sqlite else R.submitted_at
        day = func.date(PS.consented_at) if sqlite else \
            func.date(func.timezone("UTC", PS.consented_at))
        with self._tx() as s:
            conn = s.connection()           # Core rows: no ORM loading for 10,000 of them
            # timings as text, decoded below in one call (10,000 json.loads calls
            # cost more in Python overhead than the parsing itself)
            rows = conn.execute(select(R.id, R.study_version_id, submitted, R.device,
                                       R.sort_seconds, R.against_presort, R.placement_hash,
                                       cast(R.timings, Text), R.excluded_at.is_not(None),
                                       R.exclusion_reason)
                                .where(R.study_id == study.id).order_by(R.id)).all()
            per_day = conn.execute(select(day, func.count())
                                   .where(PS.study_version_id.in_(list(versions) or [-1]))
                                   .group_by(day)).all()
        columns = list(zip(*rows)) if rows else [()] * 10
        ids, vids, times, device, seconds, against, hashes, timings, excluded, reasons = columns
        responses = pd.DataFrame({
            "id": pd.Series(ids, dtype="int64"),
            "version": pd.Series([versions[v] for v in vids], dtype="int64"),
            "submitted_at": pd.to_datetime(pd.Series(times, dtype="object"), utc=True,
                                           format="ISO8601"),
            "device": pd.Series(device, dtype="object"),
            "sort_seconds": pd.Series(seconds, dtype="float64"),
            "against_presort": pd.Series(against, dtype="float64").fillna(0).astype("int64"),
            "placement_hash": pd.Series(hashes, dtype="object"),
            "timings": pd.Series(json.loads("[" + ",".join(t or "{}" for t in timings) + "]"),
                                 dtype="object"),
            "excluded": pd.Series(excluded, dtype="bool"),
            "exclusion_reason": pd.Series(reasons, dtype="object"),
        })
        # the neutral labels r0001 ... count the responses of each version (as ResponseStore does)
        numbers = responses.groupby("version").cumcount() + 1
        responses["label"] = ["r" + f"{k:04d}" for k in numbers]
        consents = pd.Series({pd.Timestamp(str(d), tz="UTC"): int(n) for d, n in per_day if d},
                             dtype="int64")
        return MonitoringData(responses[RESPONSE_COLUMNS], consents, definitions)

    def _fill_checks(self, ids: list[int]) -> None:
        """Work out the checks of responses stored without them (once)."""
        R = m.Response
        for start in range(0, len(ids), FILL_BATCH):
            chunk = ids[start:start + FILL_BATCH]
            with self._tx(write=True) as s:
                rows = s.execute(select(R.id, R.study_version_id, R.placements, R.presort,
                                        R.timings, R.user_agent).where(R.id.in_(chunk))).all()
                for rid, vid, placements, presort, timings, agent in rows:
                    _, defn = self._version_meta(s, vid)
                    s.execute(update(R).where(R.id == rid).values(
                        **response_checks(defn, placements, presort, timings, agent)))
