"""The monitoring page's figures and data-quality rules, on plain data."""
from __future__ import annotations

import math

import pandas as pd
import pytest

from qmethod.grid import Grid
from studies.definition import Pile, Statement, StudyDefinition
from studies.quality import (
    contradictions,
    daily_counts,
    device_of,
    first_identical,
    pile_sides,
    placement_hash,
    quality_table,
    response_checks,
    sort_seconds,
    step_times,
    summarise,
)

IDS = ["a", "b", "c", "d", "e"]


def defn(piles=True) -> StudyDefinition:
    return StudyDefinition(
        slug="five", title="Five", statements=tuple(Statement(i, f"Text {i}") for i in IDS),
        grid=Grid((-1, 0, 1), (1, 3, 1), ("Disagree", "Neutral", "Agree")),
        instruction="Sort.", welcome="Hi.", consent="OK?", thank_you="Thanks.",
        presort_piles=(Pile("no", "Disagree"), Pile("meh", "Unsure"), Pile("yes", "Agree"))
        if piles else ())


@pytest.mark.parametrize("ua, kind", [
    ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148",
     "phone"),
    ("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 Chrome/120 Mobile Safari/537.36",
     "phone"),
    ("Mozilla/5.0 (Linux; Android 13; SM-X700) AppleWebKit/537.36 Chrome/120 Safari/537.36",
     "tablet"),
    ("Mozilla/5.0 (iPad; CPU OS 17_0 like Mac OS X) AppleWebKit/605.1.15", "tablet"),
    ("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/120 Safari/537.36", "desktop"),
    ("Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:121.0) Gecko/20100101 Firefox/121.0", "desktop"),
    ("simulated participant (demo data)", "unknown"),
    ("", "unknown"),
])
def test_device_of(ua, kind):
    assert device_of(ua) == kind


def test_pile_sides_by_words_then_by_place():
    assert pile_sides(defn().presort_piles) == {"no": -1, "meh": 0, "yes": 1}
    odd = (Pile("p1", "Low"), Pile("p2", "Middle"), Pile("p3", "High"))
    assert pile_sides(odd) == {"p1": -1, "p2": 0, "p3": 1}


def test_contradictions_count_statements_placed_against_their_pile():
    d = defn()
    placements = [{"a": -1, "b": 0, "c": 0, "d": 0, "e": 1},       # agrees with its piles
                  {"a": 1, "b": 0, "c": 0, "d": 0, "e": -1}]       # both ends reversed
    presort = [{"a": "no", "e": "yes", "b": "meh"}, {"a": "no", "e": "yes", "c": "no"}]
    assert contradictions(placements, presort, d).tolist() == [0, 2]
    assert contradictions([], [], d).tolist() == []
    # a study without piles has nothing to contradict
    assert contradictions(placements, [{}, {}], defn(piles=False)).tolist() == [0, 0]


def test_first_identical_points_at_the_earlier_copy_of_the_same_version():
    d = defn()
    a = {"a": -1, "b": 0, "c": 0, "d": 0, "e": 1}
    b = {"a": 1, "b": 0, "c": 0, "d": 0, "e": -1}
    hashes = [placement_hash(d, x) for x in (a, b, dict(reversed(a.items())), b, a, a)]
    assert hashes[0] == hashes[2] != hashes[1]          # key order does not matter
    assert first_identical(hashes).tolist() == [-1, -1, 0, 1, 0, 0]
    assert first_identical(hashes, [1, 1, 1, 1, 1, 2]).tolist() == [-1, -1, 0, 1, 0, -1]
    assert first_identical([]).tolist() == []


def test_response_checks_are_worked_out_once_per_response():
    d = defn()
    checks = response_checks(d, {"a": 1, "b": 0, "c": 0, "d": 0, "e": -1}, {"a": "no", "e": "yes"},
                             {"presort": 3, "grid": 4.5}, "Mozilla/5.0 (iPad; CPU OS 17_0)")
    assert checks == {"device": "tablet", "sort_seconds": 7.5, "against_presort": 2,
                      "placement_hash": placement_hash(d, {"a": 1, "b": 0, "c": 0, "d": 0, "e": -1})}
    assert response_checks(d, {}, {}, {}, "")["sort_seconds"] is None


def test_sort_seconds_and_step_times():
    assert sort_seconds({"presort": 40, "grid": 80.5, "postsort": 100}) == 120.5
    assert math.isnan(sort_seconds({"postsort": 3})) and math.isnan(sort_seconds(None))
    table = step_times([{"grid": 10, "presort": 1}, {"grid": 20, "presort": 2}, {"grid": 30},
                        {"grid": 40, "extra": 5}, None])
    assert list(table.index) == ["presort", "grid", "extra"]          # participant order first
    assert table.loc["grid"].tolist() == [4, 17.5, 25.0, 32.5]
    assert table.loc["presort", "n"] == 2 and table.loc["presort", "median"] == 1.5
    assert step_times([]).empty


def test_daily_counts_fill_every_day():
    consented = pd.Series({pd.Timestamp("2026-01-01", tz="UTC"): 2,
                           pd.Timestamp("2026-01-03", tz="UTC"): 1})
    finished = pd.Series(pd.to_datetime(["2026-01-01 12:00", "2026-01-03 10:00"], utc=True))
    daily = daily_counts(consented, finished)
    assert [str(d.date()) for d in daily.index] == ["2026-01-01", "2026-01-02", "2026-01-03"]
    assert daily["consented"].tolist() == [2, 0, 1] and daily["finished_total"].tolist() == [1, 1, 2]
    assert daily_counts(pd.Series([], dtype="int64"),
                        pd.Series([], dtype="datetime64[ns, UTC]")).empty
    # a late finish after the last consent still gets its day
    late = daily_counts(consented, pd.Series(pd.to_datetime(["2026-01-05 08:00"], utc=True)))
    assert len(late) == 5 and late["finished"].tolist() == [0, 0, 0, 0, 1]


def frames():
    d = defn()
    a = {"a": -1, "b": 0, "c": 0, "d": 0, "e": 1}
    b = {"a": 1, "b": 0, "c": 0, "d": 0, "e": -1}
    placements = [a, b, a, a]
    presorts = [{}, {"a": "no"}, {}, {}]
    timings = [{"presort": 4, "grid": 4}, {"presort": 30, "grid": 30}, {}, {"grid": 10.5}]
    agents = ["Mozilla/5.0 (iPhone) Mobile", "Mozilla/5.0 (X11; Linux)", "", "x"]
    checks = [response_checks(d, p, q, t, u) for p, q, t, u in zip(placements, presorts,
                                                                  timings, agents)]
    responses = pd.DataFrame({
        "id": [11, 12, 13, 14], "version": [1, 1, 1, 1],
        "label": ["r0001", "r0002", "r0003", "r0004"],
        "submitted_at": pd.to_datetime(["2026-01-01"] * 4, utc=True),
        **{k: [c[k] for c in checks] for k in checks[0]},
        "timings": timings,
        "excluded": [False, True, False, False], "exclusion_reason": [None, "x", None, None]})
    consents = pd.Series({pd.Timestamp("2026-01-01", tz="UTC"): 6})
    return responses, consents


def test_quality_table_applies_the_three_rules():
    responses, _ = frames()
    q = quality_table(responses, {1: defn()}, seconds_per_statement=2.0)
    assert q["too_fast_below"].tolist() == [10.0] * 4                 # 2 s x 5 statements
    assert q["too_fast"].tolist() == [True, False, False, False]       # no timings: not flagged
    assert q["contradictions"].tolist() == [0, 1, 0, 0]
    assert q["identical_to"].tolist() == [None, None, "r0001", "r0001"]
    assert q["flags"].tolist() == ["too fast", "1 against its pre-sort", "identical to r0001",
                                   "identical to r0001"]
    # the threshold moves with the setting
    assert quality_table(responses, {1: defn()}, 3.0)["too_fast"].tolist() == [True, False, False, True]


def test_summarise():
    responses, consents = frames()
    s = summarise(responses, consents, {1: defn()})
    assert (s.consented, s.finished, s.excluded) == (6, 4, 1)
    assert s.completion == pytest.approx(4 / 6)
    assert s.devices.to_dict() == {"phone": 1, "tablet": 0, "desktop": 1, "unknown": 2}
    assert s.daily["finished"].tolist() == [4]
    empty = summarise(responses.iloc[:0], consents.iloc[:0], {1: defn()})
    assert empty.finished == 0 and math.isnan(empty.completion) and empty.quality.empty
