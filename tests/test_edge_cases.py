"""Edge cases found in review: exhausted centroid, Heywood loadings, a factor
without defining sorts, three-way ties, misaligned loadings."""
import numpy as np
import pandas as pd
import pytest

import qmethod as qm
from qmethod.scores import HEYWOOD_LOADING, factor_array, factor_weights


def test_centroid_with_identical_sorts_says_how_many_factors_fit(lipset):
    same = pd.DataFrame({f"c{i}": lipset["US2"] for i in range(3)})
    with pytest.raises(qm.OptionError, match="only 1 centroid factor can be extracted"):
        qm.analyze(same, 2, extraction="centroid")
    one = qm.analyze(same, 1, extraction="centroid", rotation="none")
    assert one.flags["f1"].all()
    np.testing.assert_allclose(one.loadings["f1"], 1.0, atol=1e-6)


def test_bootstrap_survives_resamples_that_exhaust_the_centroid(lipset):
    from qmethod.bootstrap import bootstrap
    res = bootstrap(lipset.iloc[:, :4], 2, resamples=60, seed=0, extraction="centroid")
    assert np.isfinite(res.zscore_mean.to_numpy()).all()


def test_heywood_loading_is_weighted_as_099_and_noted():
    L = np.array([[1.2, 0.1], [0.5, 0.2], [-1.0, 0.0]])
    w = factor_weights(L, np.ones_like(L, dtype=bool))
    cap = HEYWOOD_LOADING / (1 - HEYWOOD_LOADING ** 2)
    assert w[0, 0] == pytest.approx(cap) and w[2, 0] == pytest.approx(-cap)
    assert w[1, 0] == pytest.approx(0.5 / 0.75)           # below 1: qmethod's weight


def test_heywood_case_in_analysis_is_reported(lipset):
    base = qm.analyze(lipset, 2, rotation="none")
    L = base.loadings.copy()
    L.loc["US3", "f1"] = 1.05
    res = qm.score(base.data, L, grid=base.grid)
    assert res.flags.loc["US3", "f1"]
    assert any("US3" in n and "Heywood" in n for n in res.notes)
    assert np.isfinite(res.zscores["f1"]).all()


def test_empty_factor_leaves_the_others_comparable(lipset):
    base = qm.analyze(lipset, 3)
    f3 = base.flags.index[base.flags["f3"]].tolist()
    res = qm.analyze(lipset, 3, manual_flags={p: [] for p in f3})
    d = res.distinguishing
    assert res.zscores["f3"].isna().all()
    assert not d["distinguishes_f3"].any()
    assert d["f1_f3"].isna().all() and (d["sig_f1_f3"] == "").all()
    # f1 and f2 are still compared: the labels agree with the booleans.
    assert d["distinguishes_f1"].sum() > 5
    assert (d["consensus"] == (d["label"] == "Consensus")).all()
    assert set(d["label"]) <= {"Consensus", "Distinguishing"}
    expected = (d["f1_f2"].abs() > 1.96 * res.sed.loc["f1", "f2"])
    assert (d["distinguishes_f1"] == expected).all() and (d["distinguishes_f2"] == expected).all()
    # Writing, JSON and the summary all cope with the empty factor.
    back = qm.QResult.from_json(res.to_json())
    assert back.zscores["f3"].isna().all()
    assert "f3 defined by 0" in res.summary()


def test_three_way_tie_follows_qmethods_fractional_index():
    # Grid values sorted: -1 -1 0 0 0 1; statements 2, 3, 4 tie at ranks 2-4
    # (average rank 3): R's qscores[3] is 0 for all three.
    z = np.array([-2.0, 0.0, 0.0, 0.0, 1.0, 2.0])
    dist = np.array([-1, -1, 0, 0, 0, 1])
    assert factor_array(z, dist).tolist() == [-1, 0, 0, 0, 0, 1]
    # A tie of two at positions 1-2 (average 1.5) takes position 1.
    assert factor_array(np.array([0.0, 0.0, 1, 2, 3, 4]), dist).tolist() == [-1, -1, 0, 0, 0, 1]
    assert sorted(factor_array(z, dist, ties="grid").tolist()) == dist.tolist()


def test_score_aligns_loadings_by_participant(lipset):
    base = qm.analyze(lipset, 3)
    shuffled = base.loadings.iloc[::-1]
    res = qm.score(base.data, shuffled, grid=base.grid)
    np.testing.assert_allclose(res.zscores.to_numpy(), base.zscores.to_numpy(), atol=1e-12)
    with pytest.raises(qm.OptionError, match="no row for participant 'US1'"):
        qm.score(base.data, base.loadings.drop(index="US1"), grid=base.grid)
