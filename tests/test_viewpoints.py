"""Calibrated viewpoint matching: the statistic, the permutation p-values, the
decisions and their explanations (the rates on simulated studies are in
test_viewpoint_rates.py)."""
from itertools import combinations

import numpy as np
import pandas as pd
import pytest
from refdata import REPO

import qmethod as qm
from analysis import viewpoints as vp
from analysis.viewpoints import ViewpointError, match_result, match_viewpoints
from studies.demo import simulate_participants
from studies.loader import load_study


@pytest.fixture(scope="module")
def study():
    return load_study(REPO / "statements" / "coproduction.yaml")


@pytest.fixture(scope="module")
def demo_result(study):
    parts = simulate_participants(study, 40, 0)
    df = pd.DataFrame({p["participant_id"]: p["placements"] for p in parts}).loc[study.statement_ids()]
    return qm.analyze(df, 3)


@pytest.fixture(scope="module")
def tags(study):
    return {s.id: s.tags["perspective"] for s in study.statements}


def _ideal(ids, tags, value):
    return np.array([1.0 if tags[i] == value else -0.5 for i in ids])


def test_statistic_is_the_standardised_difference_of_means(study, demo_result, tags):
    m = match_viewpoints(demo_result.zscores, tags, permutations=199)
    z = demo_result.zscores
    n = len(z)
    for f in z.columns:
        for v in m.values:
            member = np.array([tags[i] == v for i in z.index])
            r = np.corrcoef(z[f], member.astype(float))[0, 1]
            # T = sqrt(n - 1) * point-biserial r, and = difference / (s sqrt(1/n1 + 1/n2)).
            assert m.statistic.loc[f, v] == pytest.approx(np.sqrt(n - 1) * r, abs=1e-10)
            d = z.loc[member, f].mean() - z.loc[~member, f].mean()
            s = z[f].std(ddof=1)
            assert m.statistic.loc[f, v] == pytest.approx(d / (s * np.sqrt(1 / 12 + 1 / 24)), abs=1e-10)
            row = m.evidence[(m.evidence.factor == f) & (m.evidence.value == v) & (m.evidence.contrast == "rest")]
            assert row.difference.iloc[0] == pytest.approx(d)


def test_adjusted_p_matches_the_exact_permutation_distribution():
    # 8 statements, tags a a a a b b b b: 70 relabellings in all. Enumerate them and
    # compare the exact max-T adjusted p with the Monte Carlo one.
    ids = [f"s{i}" for i in range(8)]
    tags = dict(zip(ids, "aaaabbbb"))
    z = pd.DataFrame({"f1": [1.9, 1.1, 0.8, -0.2, 0.3, -0.9, -1.4, -1.6],
                      "f2": [0.2, -0.5, 1.0, 0.4, -1.2, 0.9, -0.3, 0.6]}, index=ids)
    m = match_viewpoints(z, tags, permutations=40_000, seed=5)
    Zs = (z - z.mean()) / z.std(ddof=1)
    w_scale = np.sqrt(1 / 4 + 1 / 4)
    maxima = []
    for chosen in combinations(range(8), 4):
        a = np.zeros(8, bool)
        a[list(chosen)] = True
        T = (Zs[a].mean() - Zs[~a].mean()) / w_scale      # a vs rest; b vs rest is -T
        maxima.append(np.abs(T).max())
    maxima = np.array(maxima)
    for f in ("f1", "f2"):
        exact = np.mean(maxima >= abs(m.statistic.loc[f, "a"]) - 1e-12)
        assert m.p_adjusted.loc[f, "a"] == pytest.approx(exact, abs=0.01)
        assert m.p_adjusted.loc[f, "b"] == pytest.approx(m.p_adjusted.loc[f, "a"])


def test_deterministic_per_seed_and_independent_of_chunking(demo_result, tags, monkeypatch):
    a = match_viewpoints(demo_result.zscores, tags, permutations=999, seed=11)
    b = match_viewpoints(demo_result.zscores, tags, permutations=999, seed=11)
    pd.testing.assert_frame_equal(a.evidence, b.evidence)
    monkeypatch.setattr(vp, "_CHUNK_FLOATS", 500)
    c = match_viewpoints(demo_result.zscores, tags, permutations=999, seed=11)
    pd.testing.assert_frame_equal(a.evidence, c.evidence)
    d = match_viewpoints(demo_result.zscores, tags, permutations=999, seed=12)
    assert d.proposals["status"].tolist() == a.proposals["status"].tolist()
    assert a.table()["seed"].eq(11).all() and a.table()["permutations"].eq(999).all()
    assert a.evidence_table()["seed"].eq(11).all()


def test_demo_factors_are_each_matched_to_one_perspective_with_an_explanation(study, demo_result):
    m = match_result(demo_result, study, permutations=999, seed=0)
    p = m.proposals
    assert (p.status == "matched").all()
    assert sorted(p.perspective) == ["clarification", "elucidation", "provocation"]
    assert (p.p_adjusted <= 0.05).all() and (p.statistic > m.critical).all()
    tags = {s.id: s.tags["perspective"] for s in study.statements}
    texts = {s.id: s.text for s in study.statements}
    for f, row in p.iterrows():
        text = row.explanation
        assert text.startswith(f"Factor {f} matches {row.perspective}:")
        assert f"standardised difference {row.statistic:.2f}" in text
        assert "999 permutations" in text and "seed 0" in text
        # The perspective's own statements that the factor ranks highest are quoted.
        own = [s for s in demo_result.zscores.index if tags[s] == row.perspective]
        best = demo_result.zscores.loc[own, f].idxmax()
        assert f"{best} \u201c{texts[best]}\u201d" in text
        assert "Unlike the perspective" in text


def test_an_inverted_factor_never_takes_the_perspective(study, demo_result, tags):
    z = demo_result.zscores.copy()
    m0 = match_viewpoints(z, tags, permutations=999)
    f = m0.proposals.index[0]
    name = m0.proposals.loc[f, "perspective"]
    z[f] = -z[f]
    m = match_viewpoints(z, tags, permutations=999)
    row = m.proposals.loc[f]
    assert name not in row.members and row.rejected == name
    assert m.statistic.loc[f, name] < -m.critical
    # With three perspectives, "the other two above it" is the same pattern: a hybrid.
    assert row.status in ("hybrid", "rejects")
    if row.status == "hybrid":
        assert "same pattern as rejecting " + name in row.explanation
    # The other factors keep their names.
    for g in m.proposals.index.drop(f):
        assert m.proposals.loc[g, "perspective"] == m0.proposals.loc[g, "perspective"]


def test_rejects_when_no_value_is_above(study):
    # Four values of 9: the factor ranks d's statements low and the rest evenly.
    ids = [f"s{i}" for i in range(36)]
    tags = {s: "abcd"[i // 9] for i, s in enumerate(ids)}
    rng = np.random.default_rng(2)
    z = pd.DataFrame({"f1": np.r_[rng.normal(0, 1, 27), rng.normal(-2.5, 0.5, 9)]}, index=ids)
    m = match_viewpoints(z, tags, tag="theme", permutations=999)
    row = m.proposals.loc["f1"]
    assert row.status == "rejects" and row.rejected == "d" and row.perspective == ""
    assert row.statistic < 0 and row.p_adjusted <= 0.05
    assert row.explanation.startswith("Factor f1 rejects d:")


def test_hybrid_when_two_values_are_above_and_neither_dominates(study, tags):
    ids = study.statement_ids()
    a, b = _ideal(ids, tags, "clarification"), _ideal(ids, tags, "provocation")
    rng = np.random.default_rng(0)
    z = pd.DataFrame({"f1": a + b + rng.normal(0, 0.3, len(ids)),
                      "f2": a + rng.normal(0, 0.3, len(ids))}, index=ids)
    m = match_viewpoints(z, tags, permutations=999)
    h, p = m.proposals.loc["f1"], m.proposals.loc["f2"]
    assert h.status == "hybrid" and set(h.members) == {"clarification", "provocation"}
    assert h.perspective in ("clarification + provocation", "provocation + clarification")
    assert "hybrid of" in h.explanation and "same pattern as rejecting elucidation" in h.explanation
    # A factor leaning to one value is a match to it, not a hybrid.
    assert p.status == "matched" and p.perspective == "clarification"


def test_unmatched_and_no_defining_sort(study, tags):
    ids = study.statement_ids()
    rng = np.random.default_rng(3)
    # A viewpoint with the tag means projected out: exactly unrelated to the design.
    noise = rng.normal(size=len(ids))
    for v in set(tags.values()):
        member = np.array([tags[i] == v for i in ids])
        noise[member] -= noise[member].mean()
    z = pd.DataFrame({"f1": noise, "f2": np.nan}, index=ids)
    m = match_viewpoints(z, tags, permutations=999)
    assert list(m.proposals.index) == ["f1", "f2"]
    assert m.proposals.loc["f1", "status"] == "unmatched" and m.proposals.loc["f1", "perspective"] == ""
    assert m.proposals.loc["f1", "p_adjusted"] == 1.0
    assert "matches no perspective" in m.proposals.loc["f1", "explanation"]
    assert m.proposals.loc["f2", "status"] == "no defining sort"
    assert list(m.statistic.index) == ["f1"]
    assert set(m.table().columns) >= {"factor", "perspective", "status", "statistic", "p_adjusted",
                                      "explanation"}


def test_two_valued_tag_and_untagged_statements(study):
    ids = study.statement_ids()
    angle = {s.id: s.tags["angle"] for s in study.statements}
    z = pd.DataFrame({"f1": [1.0 if angle[i] == "belief" else -1.0 for i in ids]}, index=ids)
    z["f1"] += np.random.default_rng(0).normal(0, 0.2, len(ids))
    m = match_viewpoints(z, angle, tag="angle", permutations=999)
    assert m.proposals.loc["f1", "status"] == "matched" and m.proposals.loc["f1", "perspective"] == "belief"
    assert set(m.evidence.contrast) == {"rest"}        # no statements of neither: no pair contrasts
    partial = {k: v for k, v in angle.items() if k not in ids[:4]}
    m2 = match_viewpoints(z, partial, tag="angle", permutations=999)
    assert m2.notes == ["4 statement(s) without the tag 'angle' count among the rest"]
    assert m2.proposals.loc["f1", "perspective"] == "belief"


def test_any_tag_of_the_study(study, demo_result):
    m = match_result(demo_result, study, tag="theme", permutations=999)
    assert m.values == ["1", "2", "3", "4", "5", "6"] and m.tag == "theme"
    assert m.statistic.shape == (3, 6)
    # 6 values: 6 against the rest, and each of 15 pairs two ways against the rest.
    assert len(m.evidence) == 3 * (6 + 30)


def test_errors_are_clear(study, demo_result, tags):
    z = demo_result.zscores
    with pytest.raises(ViewpointError, match="at least 99"):
        match_viewpoints(z, tags, permutations=10)
    with pytest.raises(ViewpointError, match="not in the z-scores: zz"):
        match_viewpoints(z, {**tags, "zz": "clarification"})
    with pytest.raises(ViewpointError, match="no statement carries the tag"):
        match_viewpoints(z, {})
    with pytest.raises(ViewpointError, match="has the tag 'colour'"):
        match_result(demo_result, study, tag="colour")
    other = demo_result.zscores.rename(index={"c01": "x01"})
    res = type(demo_result)(**{**demo_result.__dict__, "zscores": other})
    with pytest.raises(ViewpointError, match="do not match study 'coproduction'"):
        match_result(res, study)
