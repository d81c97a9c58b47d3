"""Proposing perspectives for factors: a hypothesis with its evidence."""
import numpy as np
import pandas as pd
import pytest

import qmethod as qm
from analysis.perspectives import critical_r, match_perspectives
from studies.demo import simulate_participants
from studies.ideal_types import ideal_type_sort, ideal_type_sorts, perspectives
from studies.loader import load_study
from refdata import REPO


@pytest.fixture(scope="module")
def study():
    return load_study(REPO / "statements" / "coproduction.yaml")


@pytest.fixture(scope="module")
def demo_result(study):
    parts = simulate_participants(study, 40, 0)
    df = pd.DataFrame({p["participant_id"]: p["placements"] for p in parts}).loc[study.statement_ids()]
    return qm.analyze(df, 3)


def test_critical_r_for_36_statements():
    assert critical_r(36) == pytest.approx(0.3291, abs=1e-4)
    assert critical_r(36, 0.01) > critical_r(36)


def test_demo_factors_match_the_three_perspectives_one_to_one(study, demo_result):
    m = match_perspectives(demo_result.zscores, ideal_type_sorts(study))
    assert set(m.proposals["perspective"]) == set(perspectives(study))
    assert (m.proposals["status"] == "match").all()
    assert (m.proposals["r"] > 0.5).all()
    for f, stmts in m.drivers.items():
        persp = m.proposals.loc[f, "perspective"]
        tags = {s.id: s.tags["perspective"] for s in study.statements}
        assert sum(tags[s] == persp for s in stmts) >= 3  # driven by the perspective's own statements


def test_tie_break_rule_changes_nothing_material(study, demo_result):
    a = match_perspectives(demo_result.zscores, ideal_type_sorts(study))
    b = match_perspectives(demo_result.zscores, ideal_type_sorts(study, tie_break="design"))
    c = match_perspectives(demo_result.zscores,
                           {p: ideal_type_sort(study, p, tie_break=7) for p in perspectives(study)})
    for other in (b, c):
        # Same proposal, same status, same significance pattern; matched r moves little.
        assert other.proposals["perspective"].tolist() == a.proposals["perspective"].tolist()
        assert other.proposals["status"].tolist() == a.proposals["status"].tolist()
        assert ((other.correlations >= other.threshold) == (a.correlations >= a.threshold)).all().all()
        assert np.abs(other.proposals["r"] - a.proposals["r"]).max() < 0.1


def test_inverted_factor_is_bipolar_and_noise_is_a_new_viewpoint(study, demo_result):
    z = demo_result.zscores.copy()
    z["f1"] = -z["f1"]
    ideal = ideal_type_sorts(study)
    # A viewpoint unrelated to every perspective: noise with the ideal types projected out.
    rng = np.random.default_rng(3)
    I = pd.DataFrame(ideal).loc[z.index].to_numpy(float)
    I = np.column_stack([np.ones(len(z)), I])
    noise = rng.normal(size=len(z))
    z["f3"] = noise - I @ np.linalg.lstsq(I, noise, rcond=None)[0]
    m = match_perspectives(z, ideal)
    assert m.correlations.loc["f3"].abs().max() < 1e-10
    assert m.proposals.loc["f1", "status"] == "bipolar" and m.proposals.loc["f1", "r"] < 0
    assert m.proposals.loc["f3", "status"] == "new viewpoint"
    assert pd.isna(m.proposals.loc["f3", "perspective"])
    assert any("mirror" in line for line in m.describe())


def test_hybrid_when_two_perspectives_are_positive(study):
    ideal = ideal_type_sorts(study)
    ids = study.statement_ids()
    a = pd.Series(ideal["clarification"]).loc[ids].astype(float)
    b = pd.Series(ideal["provocation"]).loc[ids].astype(float)
    mix = (a - a.mean()) / a.std() + (b - b.mean()) / b.std()
    z = pd.DataFrame({"f1": (mix - mix.mean()) / mix.std()}, index=ids)
    m = match_perspectives(z, ideal)
    assert m.proposals.loc["f1", "status"] == "hybrid"
    assert m.proposals.loc["f1", "perspective"] in ("clarification", "provocation")


def test_factor_without_zscores_is_listed(study, demo_result):
    z = demo_result.zscores.copy()
    z["f4"] = np.nan
    m = match_perspectives(z, ideal_type_sorts(study))
    assert m.proposals.loc["f4", "status"] == "no defining sort"
    assert list(m.proposals.index) == ["f1", "f2", "f3", "f4"]
    assert any(line.startswith("f4: no Q-sort defines it") for line in m.describe())
