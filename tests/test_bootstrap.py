"""Bootstrap: alignment that cannot fail, resamples analysed exactly like the
full pipeline, reproducible, and a command line that writes its files."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from refdata import load_dataset
from synthetic import GRID40, planted

from qmethod import OptionError
from qmethod.bootstrap import BootstrapResult, bootstrap, permutation_align, procrustes_align
from qmethod.data import validate_sorts
from qmethod.pipeline import analyze, extract_and_rotate, score
from qmethod.scores import factor_arrays

ROOT = Path(__file__).resolve().parents[1]


def lipset() -> pd.DataFrame:
    return load_dataset("lipset")


@pytest.fixture(scope="module")
def clean():
    return planted(N=45, seed=11, lo=0.75, hi=0.9)


@pytest.fixture(scope="module")
def clean_result(clean):
    return bootstrap(clean, 3, resamples=200, seed=7, keep_resamples=True)


# -- alignment --------------------------------------------------------------------
@pytest.mark.parametrize("seed", range(5))
def test_procrustes_recovers_permuted_and_flipped_factors(seed):
    target = analyze(planted(seed=seed), 3).loadings.to_numpy()
    rng = np.random.default_rng(seed)
    perm = rng.permutation(3)
    signs = rng.choice([-1.0, 1.0], 3)
    scrambled = target[:, perm] * signs + rng.normal(0, 0.01, target.shape)
    aligned = procrustes_align(scrambled, target)
    np.testing.assert_allclose(aligned, target, atol=0.05)
    # the rotation found undoes the scrambling (scrambled = target S, S a signed
    # permutation with S[perm[j], j] = signs[j]): it is S' = S^-1
    Q = np.linalg.lstsq(scrambled, aligned, rcond=None)[0]
    S = np.zeros((3, 3))
    S[perm, np.arange(3)] = signs
    np.testing.assert_allclose(Q, S.T, atol=0.05)


@pytest.mark.parametrize("seed", range(5))
def test_permutation_recovers_permuted_and_flipped_factors(seed):
    target = analyze(planted(seed=seed), 3).loadings.to_numpy()
    rng = np.random.default_rng(100 + seed)
    perm = rng.permutation(3)
    signs = rng.choice([-1.0, 1.0], 3)
    scrambled = target[:, perm] * signs + rng.normal(0, 0.01, target.shape)
    aligned, order, back = permutation_align(scrambled, target)
    np.testing.assert_array_equal(perm[order], np.arange(3))
    np.testing.assert_array_equal(back, signs[order])
    np.testing.assert_allclose(aligned, target, atol=0.05)


def test_alignment_never_fails_even_on_unrelated_loadings():
    rng = np.random.default_rng(0)
    for _ in range(50):
        L = rng.normal(size=(20, 4))
        T = rng.normal(size=(20, 4))
        T[:, 2] = 0.0  # a dead target factor
        A = procrustes_align(L, T)
        assert np.isfinite(A).all()
        # orthogonal: the sorts' communalities are unchanged
        np.testing.assert_allclose((A ** 2).sum(axis=1), (L ** 2).sum(axis=1), atol=1e-12)
        P, order, signs = permutation_align(L, T)
        assert sorted(order) == [0, 1, 2, 3] and set(np.abs(signs)) == {1.0}
    # stacked Procrustes equals one at a time
    Ls, Ts = rng.normal(size=(6, 15, 3)), rng.normal(size=(6, 15, 3))
    stacked = procrustes_align(Ls, Ts)
    for j in range(6):
        np.testing.assert_allclose(stacked[j], procrustes_align(Ls[j], Ts[j]), atol=1e-12)


# -- the resamples are analysed as the pipeline would -----------------------------------
@pytest.mark.parametrize("extraction,rotation,align", [
    ("pca", "varimax", "procrustes"), ("pca", "varimax", "permutation"),
    ("pca", "none", "procrustes"), ("centroid", "varimax", "procrustes"),
    ("pca", "quartimax", "procrustes"), ("pca", "equamax", "permutation"),
    ("pca", "promax", "procrustes"), ("pca", "oblimin", "procrustes")])
def test_each_resample_equals_the_pipeline(extraction, rotation, align):
    data = lipset()
    res = bootstrap(data, 3, resamples=12, seed=5, extraction=extraction, rotation=rotation,
                    align=align, keep_resamples=True)
    sorts, grid = validate_sorts(data)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        target = analyze(data, 3, extraction=extraction, rotation=rotation).loadings.to_numpy()
        for b in range(12):
            idx = res.indices[b]
            sub = sorts.iloc[:, idx]
            L = extract_and_rotate(sub.to_numpy(), 3, extraction=extraction,
                                   rotation=rotation).loadings
            A = (procrustes_align(L, target[idx]) if align == "procrustes"
                 else permutation_align(L, target[idx])[0])
            np.testing.assert_allclose(res.loadings[b], A, atol=1e-8)
            q = score(sub, A, grid=grid)
            np.testing.assert_array_equal(res.flags[b], q.flags.to_numpy())
            np.testing.assert_allclose(res.zscores[b], q.zscores.to_numpy(float), atol=1e-8)
            np.testing.assert_array_equal(res.arrays[b],
                                          q.factor_arrays.to_numpy(float, na_value=np.nan))


def test_large_n_resamples_equal_the_pipeline():
    data = planted(n=20, N=50, seed=3, heights=(2, 2, 3, 6, 3, 2, 2))  # gram path: N > n
    res = bootstrap(data, 3, resamples=6, seed=1, keep_resamples=True)
    sorts, grid = validate_sorts(data)
    target = analyze(data, 3).loadings.to_numpy()
    for b in range(6):
        idx = res.indices[b]
        L = extract_and_rotate(sorts.to_numpy()[:, idx], 3).loadings
        A = procrustes_align(L, target[idx])
        np.testing.assert_allclose(res.loadings[b], A, atol=1e-8)
        q = score(sorts.iloc[:, idx], A, grid=grid)
        np.testing.assert_allclose(res.zscores[b], q.zscores.to_numpy(float), atol=1e-8)


def _factor_array_by_hand(z, dist, ties):
    """One column the slow, obvious way: average ranks with a tolerance for ties."""
    n = len(z)
    order = sorted(range(n), key=lambda i: z[i])
    out = np.empty(n)
    if ties == "grid":
        out[order] = np.sort(dist)
        return out
    pos = 0
    while pos < n:
        end = pos
        while end + 1 < n and z[order[end + 1]] - z[order[end]] <= 1e-10 * max(1, abs(z[order[end + 1]])):
            end += 1
        avg = (pos + 1 + end + 1) / 2
        for i in order[pos:end + 1]:
            out[i] = np.sort(dist)[int(np.floor(avg)) - 1]
        pos = end + 1
    return out


def test_batched_factor_arrays_equal_factor_arrays_one_by_one():
    rng = np.random.default_rng(0)
    dist = np.repeat(np.arange(-4, 5), GRID40)
    Z = rng.standard_normal((30, 40, 3))
    Z[3, :, 1] = np.nan
    Z[4, :6, 0] = Z[4, 6:12, 0]          # ties
    Z[5, :, 2] = np.round(Z[5, :, 2])    # many ties
    for ties in ("qmethod", "grid"):
        stacked = factor_arrays(Z, dist, ties=ties)
        for j in range(30):
            np.testing.assert_array_equal(stacked[j], factor_arrays(Z[j], dist, ties=ties))
            for f in range(3):
                want = (np.full(40, np.nan) if np.isnan(Z[j, :, f]).any()
                        else _factor_array_by_hand(Z[j, :, f], dist, ties))
                np.testing.assert_array_equal(stacked[j, :, f], want)


# -- the statistics -------------------------------------------------------------------
def test_result_tables_and_statistics(clean, clean_result):
    r = clean_result
    assert isinstance(r, BootstrapResult)
    (n, N), B = clean.shape, 200
    for name in ("zscore_mean", "zscore_se", "array_min", "array_max", "array_sd", "array_mean"):
        assert getattr(r, name).shape == (n, 3), name
    assert r.flag_frequency.shape == (N, 3) and r.congruence.shape == (B, 3)
    assert list(r.flag_frequency.index) == list(clean.columns)
    np.testing.assert_allclose(r.zscore_mean.to_numpy(), np.nanmean(r.zscores, axis=0))
    np.testing.assert_allclose(r.zscore_se.to_numpy(), np.nanstd(r.zscores, axis=0, ddof=1))
    np.testing.assert_array_equal(r.array_min.to_numpy(), np.nanmin(r.arrays, axis=0))
    np.testing.assert_array_equal(r.array_max.to_numpy(), np.nanmax(r.arrays, axis=0))
    assert (r.array_min.to_numpy() <= r.array_full.to_numpy()).all()
    assert (r.array_max.to_numpy() >= r.array_full.to_numpy()).all()
    phi = r.congruence.to_numpy()
    assert np.isfinite(phi).all() and (np.abs(phi) <= 1 + 1e-12).all()
    assert phi.mean() > 0.95  # a clean study replicates
    # flag frequency counts only the resamples that contain the sort
    for s in range(N):
        has = (r.indices == s).any(axis=1)
        assert r.inclusion.iloc[s] == has.sum()
        for f in range(3):
            hits = np.array([r.flags[b][r.indices[b] == s, f].any() for b in np.nonzero(has)[0]])
            assert r.flag_frequency.iat[s, f] == pytest.approx(hits.mean())


def test_strongly_defining_sorts_are_always_flagged(clean, clean_result):
    full = analyze(clean, 3)
    L = full.loadings.to_numpy()
    sq = L ** 2
    strong = (sq.max(axis=1) > 0.45) & (sq.max(axis=1) > 4 * (sq.sum(axis=1) - sq.max(axis=1)))
    assert strong.sum() >= 10
    own = L.argmax(axis=1)
    freq = clean_result.flag_frequency.to_numpy()
    np.testing.assert_array_equal(freq[strong, own[strong]], 1.0)
    freq = bootstrap(clean, 3, resamples=200, seed=8, align="permutation").flag_frequency.to_numpy()
    np.testing.assert_array_equal(freq[strong, own[strong]], 1.0)
    assert "All" in clean_result.summary and "defining sorts are flagged" in clean_result.summary


def test_seed_reproducibility_and_jobs(clean):
    a = bootstrap(clean, 3, resamples=40, seed=3)
    b = bootstrap(clean, 3, resamples=40, seed=3)
    c = bootstrap(clean, 3, resamples=40, seed=4)
    d = bootstrap(clean, 3, resamples=40, seed=3, n_jobs=2, batch_size=7)
    for name in ("zscore_mean", "zscore_se", "array_sd", "flag_frequency", "congruence"):
        pd.testing.assert_frame_equal(getattr(a, name), getattr(b, name))
        pd.testing.assert_frame_equal(getattr(a, name), getattr(d, name))
    assert not np.allclose(a.zscore_se.to_numpy(), c.zscore_se.to_numpy())
    assert d.info["n_jobs"] == 2


def test_progress_and_options(clean):
    seen = []
    bootstrap(clean, 2, resamples=5, seed=1, progress=lambda f, m: seen.append((f, m)))
    fractions = [f for f, _ in seen]
    assert fractions == sorted(fractions) and fractions[0] == 0.0 and fractions[-1] == 1.0
    assert all(isinstance(m, str) for _, m in seen)
    with pytest.raises(OptionError):
        bootstrap(clean, 2, resamples=5, align="hungarian")
    with pytest.raises(OptionError):
        bootstrap(clean, 2, resamples=1)
    with pytest.raises(OptionError):
        bootstrap(clean, 2, resamples=5, n_jobs=0)


def test_write_and_json(clean_result, tmp_path):
    files = clean_result.write(tmp_path / "out")
    names = {p.name for p in files}
    for expected in ("zscore_mean.csv", "zscore_se.csv", "array_min.csv", "array_max.csv",
                     "array_sd.csv", "flag_frequency.csv", "congruence.csv", "summary.txt",
                     "bootstrap.json"):
        assert expected in names
    ff = pd.read_csv(tmp_path / "out" / "flag_frequency.csv", index_col=0)
    np.testing.assert_allclose(ff.to_numpy(), clean_result.flag_frequency.to_numpy())
    doc = json.loads((tmp_path / "out" / "bootstrap.json").read_text())
    assert doc["format"] == "qmethod-bootstrap" and doc["info"]["resamples"] == 200
    assert doc["summary"] == clean_result.summary


# -- command line -----------------------------------------------------------------
def _cli(*args):
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, "-m", "qmethod", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


def test_cli_bootstrap_writes_the_files(tmp_path):
    src = tmp_path / "sorts.csv"
    planted(seed=2).to_csv(src, index_label="statement")
    out = tmp_path / "boot"
    p = _cli("bootstrap", str(src), "--factors", "3", "--resamples", "50", "--seed", "9",
             "--out", str(out))
    assert p.returncode == 0, p.stderr
    assert "Bootstrap of 40 statements x 30 Q-sorts" in p.stdout
    for name in ("zscore_mean.csv", "zscore_se.csv", "array_sd.csv", "flag_frequency.csv",
                 "congruence.csv", "summary.txt", "bootstrap.json"):
        assert (out / name).is_file(), name
    assert pd.read_csv(out / "congruence.csv", index_col=0).shape == (50, 3)
    assert "bootstrap [" in p.stderr  # the progress bar


def test_cli_bootstrap_bad_option_is_one_line_exit_2(tmp_path):
    src = tmp_path / "sorts.csv"
    planted(seed=2).to_csv(src, index_label="statement")
    p = _cli("bootstrap", str(src), "--factors", "3", "--resamples", "1", "--out", str(tmp_path))
    assert p.returncode == 2
    assert len(p.stderr.strip().splitlines()) == 1 and "resamples" in p.stderr
