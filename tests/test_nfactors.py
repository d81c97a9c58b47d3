"""Aids for choosing the number of factors: eigenvalues, Kaiser, Humphrey,
significant loadings, Horn's parallel analysis, and the recommendation."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import synthetic
from refdata import load_dataset

from qmethod import OptionError, analyze
from qmethod.correlation import correlation_factor
from qmethod.extraction import pca
from qmethod.nfactors import FactorAids, factor_aids, parallel_eigenvalues

ROOT = Path(__file__).resolve().parents[1]


def planted(n=40, N=40, **kw):
    return synthetic.planted(n, N, **kw)


@pytest.fixture(scope="module")
def study():
    return planted(seed=21)


@pytest.fixture(scope="module")
def aids(study):
    return factor_aids(study, parallel_iterations=300, seed=1)


def test_recommends_the_three_planted_factors(aids):
    assert isinstance(aids, FactorAids)
    assert aids.recommended == 3
    assert aids.counts["parallel"] == 3
    text = aids.report()
    assert "Recommendation: 3 factors." in text
    assert "Parallel analysis keeps 3 factors" in text
    assert len(aids.reasons) >= 3


@pytest.mark.parametrize("shape,k", [((40, 90), 3), ((40, 24), 2), ((40, 60), 4)])
def test_recommendation_on_other_planted_studies(shape, k):
    n, N = shape
    res = factor_aids(planted(n, N, k=k, seed=5), parallel_iterations=200, seed=2)
    assert res.recommended == k, res.report()


def test_parallel_eigenvalues_are_below_real_factors_and_above_noise(aids):
    t = aids.table
    assert (t.eigenvalue.iloc[:3] > t.parallel_eigenvalue.iloc[:3]).all()
    assert (t.eigenvalue.iloc[3:] < t.parallel_eigenvalue.iloc[3:]).all()
    assert t.parallel_eigenvalue.is_monotonic_decreasing
    assert (t.parallel_eigenvalue >= t.parallel_mean).all()


def test_table_columns_follow_their_definitions(study, aids):
    t = aids.table
    n, N = study.shape
    res = analyze(study, 3, rotation="none")
    np.testing.assert_allclose(t.eigenvalue, res.eigenvalues.iloc[:8], atol=1e-12)
    np.testing.assert_allclose(t.explained_variance, 100 * t.eigenvalue / N)
    np.testing.assert_allclose(t.cumulative, np.cumsum(100 * t.eigenvalue / N))
    assert (t.kaiser == (t.eigenvalue > 1)).all()
    L = pca(correlation_factor(study.to_numpy()), 8).loadings  # unrotated PCA loadings
    np.testing.assert_allclose(aids.loadings.iloc[:, :3], res.unrotated_loadings, atol=1e-12)
    top2 = np.sort(np.abs(L), axis=0)[-2:]
    np.testing.assert_allclose(t.humphrey_product, top2[0] * top2[1], atol=1e-12)
    assert (t.humphrey == (t.humphrey_product > 2 / np.sqrt(n))).all()
    np.testing.assert_array_equal(t.n_significant, (np.abs(L) > 1.96 / np.sqrt(n)).sum(axis=0))
    assert list(t.index) == list(range(1, 9)) and len(aids.eigenvalues) == min(n, N)


def test_parallel_analysis_uses_random_sorts_of_the_grid(study):
    W = correlation_factor(study.to_numpy())
    n, N = W.shape
    vals = parallel_eigenvalues(W, 50, min(n, N), seed=3)
    # every random study is a correlation matrix of N standardised sorts
    np.testing.assert_allclose(vals.sum(axis=1), N, rtol=1e-10)
    assert (np.diff(vals, axis=1) <= 1e-12).all()
    # same law as random permutations of the grid drawn one by one
    rng = np.random.default_rng(0)
    grid = np.sort(study.iloc[:, 0].to_numpy())
    ref = np.array([np.linalg.eigvalsh(np.corrcoef(
        np.stack([rng.permutation(grid) for _ in range(N)], axis=1), rowvar=False))[-1]
        for _ in range(150)])
    big = parallel_eigenvalues(W, 600, 1, seed=4)[:, 0]
    assert abs(big.mean() - ref.mean()) < 4 * ref.std() / np.sqrt(150) + 0.02


def test_parallel_analysis_with_fewer_sorts_than_statements():
    small = planted(40, 12, k=2, seed=9)
    res = factor_aids(small, parallel_iterations=100, seed=1)
    vals = parallel_eigenvalues(correlation_factor(small.to_numpy()), 20, 12, seed=1)
    np.testing.assert_allclose(vals.sum(axis=1), 12, rtol=1e-10)
    assert res.table.shape[0] == 8 and res.recommended >= 1


def test_seed_progress_and_options(study):
    seen = []
    a = factor_aids(study, parallel_iterations=60, seed=5, progress=lambda f, m: seen.append(f))
    b = factor_aids(study, parallel_iterations=60, seed=5)
    pd.testing.assert_frame_equal(a.table, b.table)
    assert seen == sorted(seen) and seen[0] == 0.0 and seen[-1] == 1.0
    none = factor_aids(study, parallel_iterations=0)
    assert none.table.parallel_eigenvalue.isna().all() and "parallel" not in none.counts
    assert none.recommended >= 1 and "Without parallel analysis" in none.reasons[0]
    for bad in (dict(max_factors=0), dict(parallel_iterations=-1), dict(percentile=100)):
        with pytest.raises(OptionError):
            factor_aids(study, **bad)
    assert factor_aids(study, max_factors=3, parallel_iterations=0).table.shape[0] == 3


def test_reference_study_lipset():
    res = factor_aids(load_dataset("lipset"), parallel_iterations=300, seed=1)
    # 9 sorts: at most 9 components, Kaiser keeps the four eigenvalues above 1
    assert res.counts["kaiser"] == 4 and res.table.shape[0] == 8
    assert 1 <= res.recommended <= 3


def test_cli_nfactors_prints_table_and_recommendation(tmp_path, study):
    src = tmp_path / "sorts.csv"
    study.to_csv(src, index_label="statement")
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    p = subprocess.run([sys.executable, "-m", "qmethod", "nfactors", str(src), "--iterations", "200",
                        "--seed", "1"], cwd=ROOT, env=env, capture_output=True, text=True,
                       timeout=120)
    assert p.returncode == 0, p.stderr
    assert "eigenvalue" in p.stdout and "Kaiser" in p.stdout and "random 95%" in p.stdout
    assert "Recommendation: 3 factors." in p.stdout
    rows = [ln for ln in p.stdout.splitlines() if ln.strip()[:1].isdigit()]
    assert len(rows) == 8
    assert "parallel analysis [" in p.stderr  # the progress bar


def test_cli_nfactors_bad_option(capsys, tmp_path, study):
    from qmethod.cli import main
    src = tmp_path / "sorts.csv"
    study.to_csv(src, index_label="statement")
    with pytest.raises(SystemExit) as e:
        main(["nfactors", str(src), "--percentile", "150"])
    assert e.value.code == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "percentile" in err
