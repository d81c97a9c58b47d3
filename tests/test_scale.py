"""The large-N path gives the small-N path's numbers, and nothing is N x N.

``eigen_path='gram'`` decomposes the n x n (or m x m) matrix WW' instead of the
N x N correlation matrix; these tests force each path on the same data and
require every table of the result to agree to 1e-8, on the reference studies
in every configuration and on a synthetic study with more sorts than
statements. Speed lives in bench/bench_engine.py, not here.
"""
from __future__ import annotations

import tracemalloc
import warnings

import numpy as np
import pandas as pd
import pytest
import synthetic
from refdata import REFERENCE, load_dataset

from qmethod import analyze
from qmethod.correlation import correlation_factor
from qmethod.extraction import eigen_from_factor

DATASETS = ("lipset", "senmon")
TOL = 1e-8


def planted(n=30, N=120, seed=0, heights=(2, 3, 4, 5, 2, 5, 4, 3, 2)):
    return synthetic.planted(n, N, seed=seed, lo=0.5, heights=heights)


def _reference(name: str) -> pd.DataFrame:
    return load_dataset(name)


def _run(data, k, path, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return analyze(data, k, eigen_path=path, **kw)


def assert_same(a, b, tol=TOL):
    """Every table of two QResults agrees (floats to tol, the rest exactly)."""
    np.testing.assert_allclose(a.eigenvalues.to_numpy(), b.eigenvalues.to_numpy(), rtol=0, atol=tol)
    for name in ("unrotated_loadings", "loadings", "zscores", "factor_correlations", "sed"):
        np.testing.assert_allclose(getattr(a, name).to_numpy(float), getattr(b, name).to_numpy(float),
                                   rtol=0, atol=tol, err_msg=name)
    np.testing.assert_allclose(a.characteristics.to_numpy(float), b.characteristics.to_numpy(float),
                               rtol=0, atol=tol)
    np.testing.assert_array_equal(a.flags.to_numpy(), b.flags.to_numpy())
    np.testing.assert_array_equal(a.factor_arrays.to_numpy(float, na_value=np.nan),
                                  b.factor_arrays.to_numpy(float, na_value=np.nan))
    bool_cols = [c for c in a.distinguishing.columns if a.distinguishing[c].dtype == bool]
    np.testing.assert_array_equal(a.distinguishing[bool_cols].to_numpy(),
                                  b.distinguishing[bool_cols].to_numpy())


#: Every extraction x rotation x correlation; the number of factors varied on
#: the default (PCA, Pearson) where the path matters most.
CONFIGS = ([(k, "pca", rot, "pearson") for k in (1, 2, 3, 4) for rot in ("varimax", "none")]
           + [(3, ex, rot, corr) for ex in ("pca", "centroid") for rot in ("varimax", "none")
              for corr in ("pearson", "spearman") if (ex, corr) != ("pca", "pearson")]
           # Kendall's factor has n(n-1)/2 rows: its 'gram' matrix is the big one here
           + [(3, ex, "varimax", "kendall") for ex in ("pca", "centroid")]
           + [(k, "centroid", "varimax", "pearson") for k in (2, 4)])


@pytest.mark.parametrize("dataset", DATASETS)
def test_gram_equals_full_on_reference_studies(dataset):
    data = _reference(dataset)
    for k, ex, rot, corr in CONFIGS:
        kw = dict(extraction=ex, rotation=rot, correlation=corr)
        gram, full = _run(data, k, "gram", **kw), _run(data, k, "full", **kw)
        try:
            assert_same(gram, full)
        except AssertionError as e:
            raise AssertionError(f"{dataset} {k}f-{ex}-{rot}-{corr}: {e}") from None


@pytest.mark.parametrize("dataset", DATASETS)
def test_gram_path_matches_qmethod_reference_outputs(dataset):
    data = _reference(dataset)
    outputs = REFERENCE / "outputs" / dataset
    folders = sorted(p for p in outputs.iterdir() if p.is_dir()) if outputs.exists() else []
    if not folders:
        pytest.skip("no reference outputs")
    for folder in folders:
        k, ex, rot = folder.name.split("-")
        res = _run(data, int(k.rstrip("f")), "gram", extraction=ex, rotation=rot)
        for table in ("loadings", "zscores"):
            ref = pd.read_csv(folder / f"{table}.csv", index_col=0)
            np.testing.assert_allclose(getattr(res, table).to_numpy(float), ref.to_numpy(float),
                                       rtol=0, atol=TOL, err_msg=f"{folder.name} {table}")
        ref = pd.read_csv(folder / "factor_arrays.csv", index_col=0)
        np.testing.assert_array_equal(res.factor_arrays.to_numpy(float), ref.to_numpy(float))


@pytest.mark.parametrize("corr", ["pearson", "spearman"])
def test_gram_equals_full_with_more_sorts_than_statements(corr):
    data = planted(n=30, N=60, seed=1)
    for k in (1, 3, 5):
        for ex, rot in (("pca", "varimax"), ("pca", "none"), ("centroid", "varimax")):
            kw = dict(extraction=ex, rotation=rot, correlation=corr)
            assert_same(_run(data, k, "gram", **kw), _run(data, k, "full", **kw))


def test_gram_equals_full_kendall_with_more_sorts_than_statement_pairs():
    # Kendall's factor has n(n-1)/2 rows: 10 statements give 45 < 60 sorts
    data = planted(n=10, N=60, seed=5, heights=(1, 2, 4, 2, 1))
    for ex in ("pca", "centroid"):
        kw = dict(extraction=ex, rotation="varimax", correlation="kendall")
        assert_same(_run(data, 3, "gram", **kw), _run(data, 3, "full", **kw))


def test_auto_path_is_gram_when_sorts_outnumber_statements():
    data = planted(n=30, N=120, seed=2)
    assert_same(_run(data, 3, "auto"), _run(data, 3, "gram"), tol=0)


def test_gram_eigenvalues_are_those_of_the_correlation_matrix():
    data = planted(n=30, N=80, seed=3)
    W = correlation_factor(data.to_numpy())
    vals, L = eigen_from_factor(W, path="gram")
    R = np.corrcoef(data.to_numpy(), rowvar=False)
    ref = np.sort(np.linalg.eigvalsh(R))[::-1][: len(vals)]
    assert len(vals) == min(W.shape)
    np.testing.assert_allclose(vals, np.maximum(ref, 0), atol=1e-9)
    # the loadings reproduce R's leading structure: L L' = R when all are kept
    np.testing.assert_allclose(L @ L.T, R, atol=1e-9)


def test_analyze_never_builds_an_n_by_n_matrix():
    """20,000 sorts: an N x N float matrix would take 3.2 GB; the whole analysis
    must stay within a small multiple of the data (3.2 MB)."""
    data = planted(n=30, N=20_000, seed=4)
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        res = _run(data, 3, "auto")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert res.loadings.shape == (20_000, 3)
    assert res.characteristics["defining_sorts"].sum() > 15_000
    assert peak < 150 * 2 ** 20, f"peak {peak / 2**20:.0f} MB"


# -- correlation factors made a block of sorts at a time ------------------------------------
def test_block_factors_give_the_whole_array_and_its_products():
    from scipy.stats import kendalltau, spearmanr

    from qmethod.correlation import KendallFactor, PearsonFactor
    X = planted(n=12, N=50, seed=7, heights=(1, 2, 3, 3, 2, 1)).to_numpy()
    U = np.random.default_rng(0).normal(size=(66, 3))
    for W, method in ((PearsonFactor(X, block=7), "pearson"), (PearsonFactor(X, ranks=True, block=7), "spearman"),
                      (KendallFactor(X, block=7), "kendall")):
        dense = W.dense()
        assert dense.shape == W.shape
        np.testing.assert_allclose(dense, correlation_factor(X, method), atol=1e-15)
        np.testing.assert_allclose(W.gram(), dense @ dense.T, atol=1e-12)
        np.testing.assert_allclose(W.rmatmul(U[:W.shape[0]]), dense.T @ U[:W.shape[0]], atol=1e-12)
        R = dense.T @ dense
        if method == "pearson":
            np.testing.assert_allclose(R, np.corrcoef(X.T), atol=1e-12)
        elif method == "spearman":
            np.testing.assert_allclose(R, spearmanr(X).statistic, atol=1e-12)
        else:
            for a, b in ((0, 1), (3, 40), (17, 49)):
                assert abs(R[a, b] - kendalltau(X[:, a], X[:, b]).statistic) < 1e-12


@pytest.mark.parametrize("correlation", ["pearson", "spearman", "kendall"])
def test_analysis_with_many_blocks_equals_the_full_matrix(monkeypatch, correlation):
    import qmethod.correlation as corr
    monkeypatch.setattr(corr, "KENDALL_BLOCK_FLOATS", 1000)   # a dozen sorts per block
    monkeypatch.setattr(corr, "PEARSON_BLOCK_FLOATS", 300)
    data = planted(n=30, N=200, seed=9)
    assert_same(_run(data, 3, "gram", correlation=correlation),
                _run(data, 3, "full", correlation=correlation))
