"""Single steps of the method checked against their definitions."""
import numpy as np
import pytest
from scipy.stats import kendalltau, spearmanr

import qmethod as qm
from qmethod.correlation import correlation_matrix
from qmethod.extraction import centroid


def test_correlations_match_scipy(lipset):
    X = lipset.to_numpy()
    P = correlation_matrix(X, "pearson")
    np.testing.assert_allclose(P, np.corrcoef(X, rowvar=False), atol=1e-12)
    S = correlation_matrix(X, "spearman")
    np.testing.assert_allclose(S, spearmanr(X).statistic, atol=1e-12)
    K = correlation_matrix(X, "kendall")
    for a in range(X.shape[1]):
        for b in range(X.shape[1]):
            assert abs(K[a, b] - kendalltau(X[:, a], X[:, b]).statistic) < 1e-12


def test_rotate_pair_convention():
    L = np.array([[1.0, 0.0], [0.0, 1.0]])
    R = qm.rotate_pair(L, 0, 1, 90)
    # Axes turn counter-clockwise: the sort on axis 1 now reads -1 on axis 2.
    np.testing.assert_allclose(R, [[0.0, 1.0], [-1.0, 0.0]], atol=1e-15)
    with pytest.raises(qm.OptionError, match="two different factors"):
        qm.rotate_pair(L, 0, 0, 10)
    np.testing.assert_allclose(qm.invert_factor(L, 1), [[1, 0], [0, -1]])


def test_varimax_improves_simplicity(lipset):
    L = qm.analyze(lipset, 3, rotation="none").loadings.to_numpy()
    R, T = qm.varimax(L)
    np.testing.assert_allclose(T @ T.T, np.eye(3), atol=1e-12)
    np.testing.assert_allclose(L @ T, R, atol=1e-12)

    def crit(M):
        h = M / np.sqrt((M ** 2).sum(axis=1, keepdims=True))
        return ((h ** 4).mean(axis=0) - (h ** 2).mean(axis=0) ** 2).sum()
    assert crit(R) > crit(L)


def test_centroid_reproduces_a_rank_one_matrix():
    f = np.array([0.9, 0.8, 0.7, 0.6, -0.5])
    R = np.outer(f, f)
    np.fill_diagonal(R, 1)
    L = centroid(R, 1, threshold=1e-12).loadings[:, 0]
    # The communality iteration converges on the true loadings (up to sign).
    np.testing.assert_allclose(np.abs(L), np.abs(f), atol=1e-6)
    assert np.sign(L[4]) == -np.sign(L[0])


def test_judgmental_rotation_in_analyze_rescores(lipset):
    base = qm.analyze(lipset, 3)
    hist = qm.RotationHistory().rotate(0, 1, 15)
    rotated = qm.analyze(lipset, 3, judgmental=hist)
    np.testing.assert_allclose(rotated.loadings.to_numpy(), hist.apply(base.loadings.to_numpy()))
    assert rotated.info.judgmental == ["rotate f1 and f2 by +15 degrees"]
    assert not np.allclose(rotated.zscores["f1"], base.zscores["f1"])
    np.testing.assert_allclose(rotated.zscores["f3"], base.zscores["f3"])


def test_progress_callback_reaches_one(lipset):
    seen = []
    qm.analyze(lipset, 2, progress=lambda f, m: seen.append(f))
    assert seen[0] == 0.0 and seen[-1] == 1.0 and seen == sorted(seen)


def test_summary_and_json_file(lipset, tmp_path):
    res = qm.analyze(lipset, 3)
    text = res.summary()
    assert "9 Q-sorts" in text and "f1 defined by 3" in text
    files = res.write(tmp_path)
    assert {p.name for p in files} == {"loadings.csv", "flags.csv", "zscores.csv", "factor_arrays.csv",
                                       "characteristics.csv", "factor_correlations.csv",
                                       "distinguishing.csv", "result.json", "result.npz"}
    back = qm.QResult.load(tmp_path / "result.json")
    assert back.summary().splitlines()[2:] == text.splitlines()[2:]
