"""Monitoring a study's responses: progress figures and data-quality checks.

Plain functions over plain data (the frames of
:class:`storage.monitoring.MonitoringData`, definitions, numbers), so that
every figure on the monitoring page is tested without a browser:

* :func:`device_of`: phone, tablet or desktop, from the browser's user agent;
* :func:`step_times`: median and quartiles of the seconds spent on each step;
* :func:`daily_counts`: consents and finished sorts per day;
* :func:`response_checks`: what the rules need of one response, worked out
  once when it is stored (so that the page reads a few numbers per response,
  not its whole sort);
* :func:`quality_table`: per response, the three data-quality rules:

  - **too fast**: the pre-sort and the grid together took fewer than
    ``seconds_per_statement`` x (number of statements) seconds;
  - **contradicts its pre-sort**: statements piled on a disagree pile but
    placed on the agree side of the grid (score > 0), or piled "agree" and
    placed below 0 (neutral piles and the middle column never count);
  - **identical resubmission**: the same placement of every statement as an
    earlier response of the same version (the first one is not flagged).

:func:`summarise` runs them all. Flags are hints for the researcher, who
decides (and may exclude a response from the analysis, with a reason).
"""
from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .definition import Pile, StudyDefinition

#: the steps whose time counts as sorting (for the too-fast rule)
SORT_STEPS = ("presort", "grid")
#: the participant's steps, in order, for the time-per-step table
STEP_ORDER = ("welcome", "instruction", "presort", "grid", "postsort", "demographics")
DEFAULT_SECONDS_PER_STATEMENT = 2.0
DEVICES = ("phone", "tablet", "desktop", "unknown")

_TABLET = re.compile(r"ipad|tablet|kindle|silk|playbook|(android(?!.*mobile))", re.I)
_PHONE = re.compile(r"mobi|iphone|ipod|android|windows phone|blackberry|opera mini", re.I)
_BROWSER = re.compile(r"mozilla|opera|applewebkit|gecko", re.I)


def device_of(user_agent: str | None) -> str:
    """``phone``, ``tablet``, ``desktop`` or ``unknown`` (no browser named,
    e.g. simulated or imported responses), from a User-Agent header."""
    ua = str(user_agent or "")
    if _TABLET.search(ua):
        return "tablet"
    if _PHONE.search(ua):
        return "phone"
    if _BROWSER.search(ua):
        return "desktop"
    return "unknown"


def pile_side(pile_id: str, label: str, index: int, count: int) -> int:
    """-1 for a disagree pile, +1 for an agree pile, 0 otherwise: by its words,
    else by its place among ``count`` piles (first = disagree).

    The participant's pre-sort orders its piles by the same rule
    (``webapp.participant.presort.pile_side``).
    """
    words = f"{pile_id} {label}".lower()
    if "disagree" in words:
        return -1
    if "agree" in words:
        return 1
    if "neutral" in words or "unsure" in words:
        return 0
    return 0 if count < 2 else round(-1 + 2 * index / (count - 1))


def pile_sides(piles: Sequence[Pile]) -> dict[str, int]:
    """{pile id: side} for a study's pre-sort piles."""
    return {p.id: pile_side(p.id, p.label, i, len(piles)) for i, p in enumerate(piles)}


def _seconds(timings: object, steps: Iterable[str]) -> float:
    if not isinstance(timings, Mapping):
        return float("nan")
    values = [timings.get(s) for s in steps]
    values = [float(v) for v in values if isinstance(v, (int, float)) and not isinstance(v, bool)]
    return float(sum(values)) if values else float("nan")


def sort_seconds(timings: object) -> float:
    """Seconds spent on the pre-sort and the grid (NaN when not recorded)."""
    return _seconds(timings, SORT_STEPS)


def step_times(timings: Iterable[object]) -> pd.DataFrame:
    """Median and quartiles of the seconds per step over responses.

    Returns a frame indexed by step (participant order, then any other step
    found), columns ``n`` (responses that recorded the step), ``q1``,
    ``median``, ``q3`` (seconds).
    """
    frame = pd.DataFrame.from_records([t if isinstance(t, Mapping) else {} for t in timings])
    frame = frame.apply(pd.to_numeric, errors="coerce") if not frame.empty else frame
    steps = [s for s in STEP_ORDER if s in frame.columns] + \
        sorted(c for c in frame.columns if c not in STEP_ORDER)
    rows = []
    for step in steps:
        col = frame[step].dropna()
        rows.append({"step": step, "n": int(col.size),
                     "q1": float(col.quantile(0.25)) if col.size else float("nan"),
                     "median": float(col.median()) if col.size else float("nan"),
                     "q3": float(col.quantile(0.75)) if col.size else float("nan")})
    return pd.DataFrame(rows, columns=["step", "n", "q1", "median", "q3"]).set_index("step")


def daily_counts(consents_per_day: pd.Series, submitted_at: pd.Series) -> pd.DataFrame:
    """Consents and finished sorts per day (UTC), every day from the first to
    the last; columns ``consented``, ``finished`` and their running totals
    ``consented_total``, ``finished_total``; index the dates.

    ``consents_per_day``: consents counted per day (index: the days, any
    date-like values); ``submitted_at``: one time per finished sort.
    """
    consents = pd.Series(consents_per_day, dtype="float64")
    consents.index = pd.to_datetime(pd.Series(consents.index, dtype="object"), utc=True) \
        .dt.floor("D").to_numpy()
    consents = consents.groupby(level=0).sum()
    finished = pd.to_datetime(submitted_at, utc=True).dropna().dt.floor("D").value_counts()
    starts = [x for x in (consents.index.min() if len(consents) else None,
                          finished.index.min() if len(finished) else None) if x is not None]
    if not starts:
        return pd.DataFrame(columns=["consented", "finished", "consented_total", "finished_total"])
    ends = [x for x in (consents.index.max() if len(consents) else None,
                        finished.index.max() if len(finished) else None) if x is not None]
    days = pd.date_range(min(starts), max(ends), freq="D")
    out = pd.DataFrame({"consented": consents.reindex(days, fill_value=0),
                        "finished": finished.reindex(days, fill_value=0)})
    out.index.name = "day"
    out["consented_total"] = out["consented"].cumsum()
    out["finished_total"] = out["finished"].cumsum()
    return out.astype("int64")


def against_presort(defn: StudyDefinition, placements: Mapping, presort: Mapping) -> int:
    """How many statements a response placed against its own pre-sort pile (see
    the module docstring); 0 for a study without piles."""
    if not defn.presort_piles or not isinstance(presort, Mapping) \
            or not isinstance(placements, Mapping):
        return 0
    sides = pile_sides(defn.presort_piles)
    count = 0
    for sid, pile in presort.items():
        side, score = sides.get(pile, 0), placements.get(sid, 0)
        if (side < 0 < score) or (side > 0 > score):
            count += 1
    return count


def contradictions(placements: Sequence[Mapping], presorts: Sequence[Mapping],
                   defn: StudyDefinition) -> np.ndarray:
    """:func:`against_presort` of each response; shape (n responses,), int."""
    return np.asarray([against_presort(defn, p, q) for p, q in zip(placements, presorts)],
                      dtype=int)


def placement_hash(defn: StudyDefinition, placements: Mapping) -> str:
    """SHA-256 (hex) of where each statement was placed, in the study's order:
    equal for two identical sorts of the same version, and only then."""
    text = ";".join(f"{sid}={placements.get(sid)}" for sid in defn.statement_ids())
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def response_checks(defn: StudyDefinition, placements: Mapping, presort: Mapping,
                    timings: Mapping, user_agent: str | None) -> dict:
    """What the checks need of one response, worked out once (the storage layer
    keeps it beside the response): ``device``, ``sort_seconds`` (None if not
    recorded), ``against_presort``, ``placement_hash``."""
    seconds = sort_seconds(timings)
    return {"device": device_of(user_agent),
            "sort_seconds": None if math.isnan(seconds) else seconds,
            "against_presort": against_presort(defn, placements, presort),
            "placement_hash": placement_hash(defn, placements)}


def first_identical(hashes: Sequence[str], versions: Sequence[int] | None = None) -> np.ndarray:
    """For each response, the position of the first earlier response of the same
    version with the same :func:`placement_hash`, or -1; shape (n,), int."""
    n = len(hashes)
    if not n:
        return np.zeros(0, dtype=int)
    frame = pd.DataFrame({"h": list(hashes),
                          "v": list(versions) if versions is not None else [0] * n})
    first = frame.groupby(["v", "h"], sort=False).cumcount()
    position = pd.Series(np.arange(n)).groupby([frame["v"], frame["h"]], sort=False).transform("min")
    return np.where(first.to_numpy() > 0, position.to_numpy(), -1)


def quality_table(responses: pd.DataFrame, definitions: Mapping[int, StudyDefinition],
                  seconds_per_statement: float = DEFAULT_SECONDS_PER_STATEMENT) -> pd.DataFrame:
    """The data-quality rules for every response.

    ``responses`` has the columns of :class:`storage.monitoring.MonitoringData`
    (``id``, ``version``, ``label`` and the stored checks ``sort_seconds``,
    ``against_presort``, ``placement_hash``; see :func:`response_checks`).
    Returns one row per response (same order) with ``id``, ``label``,
    ``version``, ``sort_seconds``, ``too_fast_below`` (the threshold in
    seconds for its version), ``too_fast``, ``contradictions`` (count),
    ``identical_to`` (label of the earlier identical response, or None) and
    ``flags`` (the rules it breaks, as text; empty when none).
    """
    n = len(responses)
    versions = responses["version"].to_numpy()
    sizes = {v: len(d.statements) for v, d in definitions.items()}
    threshold = float(seconds_per_statement) * pd.Series(versions, dtype="float64").map(sizes) \
        .to_numpy(dtype=float) if n else np.zeros(0)
    seconds = pd.to_numeric(responses["sort_seconds"], errors="coerce").to_numpy(dtype=float)
    too_fast = seconds < threshold                          # NaN (not recorded) is never too fast
    contra = pd.to_numeric(responses["against_presort"], errors="coerce").fillna(0) \
        .to_numpy(dtype=int)
    labels = responses["label"].to_numpy(dtype=object)
    first = first_identical(responses["placement_hash"].tolist(), versions.tolist())
    identical = np.where(first >= 0, labels[np.maximum(first, 0)], None) if n else np.zeros(0)
    fast_text = np.where(too_fast, "too fast", "")
    contra_text = np.where(contra > 0, pd.Series(contra).astype(str).to_numpy(dtype=object)
                           + " against its pre-sort", "") if n else np.zeros(0)
    same_text = np.where(first >= 0, "identical to " + identical.astype(str), "") if n \
        else np.zeros(0)
    flags = ["; ".join(x for x in parts if x) for parts in zip(fast_text, contra_text, same_text)]
    return pd.DataFrame({"id": responses["id"].to_numpy(), "label": labels, "version": versions,
                         "sort_seconds": seconds, "too_fast_below": threshold,
                         "too_fast": too_fast, "contradictions": contra,
                         "identical_to": pd.Series(identical, dtype="object"),
                         "flags": pd.Series(flags, dtype="object")})


@dataclass
class Summary:
    """Everything the monitoring page shows for a study.

    ``consented``: sessions that gave consent (purged drafts no longer count);
    ``finished``: responses; ``completion``: finished / consented (NaN if no
    consent); ``excluded``: responses excluded from analysis; ``daily``: see
    :func:`daily_counts`; ``steps``: see :func:`step_times`; ``devices``:
    responses per device (:data:`DEVICES` order); ``quality``: see
    :func:`quality_table`; ``seconds_per_statement``: the too-fast threshold used.
    """

    consented: int
    finished: int
    completion: float
    excluded: int
    daily: pd.DataFrame
    steps: pd.DataFrame
    devices: pd.Series
    quality: pd.DataFrame
    seconds_per_statement: float


def devices(user_agents: Iterable[str | None]) -> pd.Series:
    """Responses per device, in :data:`DEVICES` order (each user agent parsed once)."""
    agents = pd.Series(list(user_agents), dtype="object").fillna("")
    kinds = agents.map({ua: device_of(ua) for ua in agents.unique()})
    return kinds.value_counts().reindex(list(DEVICES), fill_value=0).astype("int64")


def summarise(responses: pd.DataFrame, consents_per_day: pd.Series,
              definitions: Mapping[int, StudyDefinition],
              seconds_per_statement: float = DEFAULT_SECONDS_PER_STATEMENT) -> Summary:
    """Every figure of the monitoring page, from
    :class:`storage.monitoring.MonitoringData`'s ``responses`` and ``consents``."""
    finished = len(responses)
    # imported responses have no consent on record: they still count as one
    consented = max(int(pd.Series(consents_per_day, dtype="float64").sum()), finished)
    counts = responses["device"].fillna("unknown").value_counts() if finished else pd.Series()
    return Summary(
        consented=consented, finished=finished,
        completion=finished / consented if consented else float("nan"),
        excluded=int(responses["excluded"].sum()) if finished else 0,
        daily=daily_counts(consents_per_day, responses["submitted_at"]),
        steps=step_times(responses["timings"]),
        devices=counts.reindex(list(DEVICES), fill_value=0).astype("int64"),
        quality=quality_table(responses, definitions, seconds_per_statement),
        seconds_per_statement=float(seconds_per_statement),
    )
