"""Ideal-type correlations: extra evidence beside the calibrated matching."""
import numpy as np
import pandas as pd
import pytest
from refdata import REPO

import qmethod as qm
from analysis.perspectives import critical_r, ideal_type_correlations
from analysis.viewpoints import match_result
from studies.demo import simulate_participants
from studies.ideal_types import ideal_type_sort, ideal_type_sorts, perspectives
from studies.loader import load_study


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
    with pytest.raises(ValueError):
        critical_r(2)


def test_correlations_agree_with_the_calibrated_names(study, demo_result):
    C = ideal_type_correlations(demo_result.zscores, ideal_type_sorts(study))
    assert C.shape == (3, 3) and list(C.columns) == perspectives(study)
    m = match_result(demo_result, study, permutations=999)
    for f, row in m.proposals.iterrows():
        assert row.status == "matched"
        assert C.loc[f].idxmax() == row.perspective and C.loc[f, row.perspective] > 0.5


def test_tie_break_rule_changes_nothing_material(study, demo_result):
    z = demo_result.zscores
    a = ideal_type_correlations(z, ideal_type_sorts(study))
    b = ideal_type_correlations(z, ideal_type_sorts(study, tie_break="design"))
    c = ideal_type_correlations(z, {p: ideal_type_sort(study, p, tie_break=7) for p in perspectives(study)})
    thr = critical_r(len(z))
    for other in (b, c):
        # The same positive significance pattern and the same best perspective; the best r
        # moves little (the negative ones, decided by the order of the low statements, more).
        assert ((other >= thr) == (a >= thr)).all().all()
        assert (other.idxmax(axis=1) == a.idxmax(axis=1)).all()
        assert np.abs(other.max(axis=1) - a.max(axis=1)).max() < 0.1
        assert np.abs(other - a).max().max() < 0.25


def test_factor_without_zscores_is_left_out(study, demo_result):
    z = demo_result.zscores.copy()
    z["f4"] = np.nan
    C = ideal_type_correlations(z, ideal_type_sorts(study))
    assert list(C.index) == ["f1", "f2", "f3"]
    with pytest.raises(ValueError, match="do not cover"):
        ideal_type_correlations(z, {"x": {"c01": 1}})
