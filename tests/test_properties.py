"""Invariants of the method, checked on random forced-grid studies (hypothesis)."""
import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import qmethod as qm
from qmethod.extraction import ORDER_NOTE

GRIDS = [qm.Grid.from_range(-2, 2, [2, 3, 4, 3, 2]),
         qm.Grid.from_range(-3, 3, [2, 3, 4, 5, 4, 3, 2]),
         qm.Grid.from_range(-4, 4, [2, 3, 4, 6, 6, 6, 4, 3, 2])]


@st.composite
def studies(draw, min_sorts=4, max_sorts=14):
    grid = draw(st.sampled_from(GRIDS))
    N = draw(st.integers(min_sorts, max_sorts))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    n = grid.n_statements
    # Sorts built around two latent views so factors exist, plus noise.
    views = rng.normal(size=(n, 2))
    cols = []
    for j in range(N):
        latent = views[:, j % 2] + rng.normal(scale=0.8, size=n)
        cols.append(grid.distribution()[np.argsort(np.argsort(latent))])
    X = np.column_stack(cols)
    return pd.DataFrame(X, index=[f"s{i + 1}" for i in range(n)],
                        columns=[f"p{j + 1}" for j in range(N)])


CONFIG = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@CONFIG
@given(studies(), st.sampled_from(["pca", "centroid"]), st.sampled_from(["pearson", "spearman", "kendall"]))
def test_zscores_have_mean_0_and_sd_1(data, extraction, correlation):
    res = qm.analyze(data, 2, extraction=extraction, correlation=correlation)
    for f in res.factor_names:
        z = res.zscores[f]
        if z.isna().all():
            assert res.characteristics.loc[f, "defining_sorts"] == 0
            continue
        assert abs(z.mean()) < 1e-10
        assert abs(z.std(ddof=1) - 1) < 1e-10


@CONFIG
@given(studies())
def test_factor_arrays_fill_the_grid(data):
    res = qm.analyze(data, 2, ties="grid")
    grid = sorted(res.grid.distribution())
    for f in res.factor_names:
        if res.zscores[f].isna().any():
            continue
        assert sorted(res.factor_arrays[f].astype(int)) == grid
    # qmethod's tie rule fills the grid too whenever the z-scores have no ties.
    q = qm.analyze(data, 2)
    for f in q.factor_names:
        z = q.zscores[f]
        if z.isna().any() or np.isclose(np.diff(np.sort(z)), 0, atol=1e-10).any():
            continue
        assert sorted(q.factor_arrays[f].astype(int)) == grid
        # ...and orders statements like their z-scores.
        assert (np.diff(q.factor_arrays[f].to_numpy()[np.argsort(z)].astype(int)) >= 0).all()


@CONFIG
@given(studies(), st.randoms(use_true_random=False), st.sampled_from(["pca", "centroid"]))
def test_loadings_do_not_depend_on_participant_order(data, rnd, extraction):
    cols = list(data.columns)
    rnd.shuffle(cols)
    a = qm.analyze(data, 2, extraction=extraction, rotation="none")
    b = qm.analyze(data[cols], 2, extraction=extraction, rotation="none")
    if extraction == "pca":
        np.testing.assert_allclose(a.loadings.loc[cols].to_numpy(), b.loadings.to_numpy(), atol=1e-8)
    elif not np.allclose(np.abs(a.loadings.loc[cols].to_numpy()), np.abs(b.loadings.to_numpy()),
                         atol=1e-8):
        # The centroid's reflections pick by position between equal column sums
        # (as qmethod's do), so another order may give other factors 2..k; the
        # result must then say so (qmethod.extraction.centroid).
        assert ORDER_NOTE in a.notes + b.notes
        np.testing.assert_allclose(np.abs(a.loadings.loc[cols].to_numpy())[:, 0],
                                   np.abs(b.loadings.to_numpy())[:, 0], atol=1e-8)
    v = qm.analyze(data, 2)
    w = qm.analyze(data[cols], 2)
    np.testing.assert_allclose(v.loadings.loc[cols].to_numpy(), w.loadings.to_numpy(), atol=1e-8)
    np.testing.assert_allclose(v.zscores.to_numpy(), w.zscores.to_numpy(), atol=1e-8)


@CONFIG
@given(studies(min_sorts=3, max_sorts=8))
def test_result_json_round_trip(data):
    res = qm.analyze(data, 2)
    back = qm.QResult.from_json(res.to_json())
    for name in ("data", "loadings", "flags", "zscores", "factor_arrays", "characteristics",
                 "factor_correlations", "sed", "distinguishing", "unrotated_loadings"):
        pd.testing.assert_frame_equal(getattr(back, name), getattr(res, name), check_names=False,
                                      check_index_type=False, check_column_type=False)
    assert back.grid == res.grid
    assert back.info == res.info
    np.testing.assert_array_equal(back.eigenvalues.to_numpy(), res.eigenvalues.to_numpy())


@CONFIG
@given(studies(min_sorts=3, max_sorts=10), st.floats(-180, 180), st.floats(-180, 180))
def test_judgmental_rotation_preserves_communalities_and_undoes(data, a, b):
    L = qm.analyze(data, 3 if data.shape[1] >= 3 else 2, rotation="none").loadings.to_numpy()
    hist = qm.RotationHistory().rotate(0, 1, a).invert(1).rotate(1, 0, b)
    R = hist.apply(L)
    np.testing.assert_allclose((R ** 2).sum(axis=1), (L ** 2).sum(axis=1), atol=1e-12)
    back = qm.RotationHistory().rotate(1, 0, -b).invert(1).rotate(0, 1, -a).apply(R)
    np.testing.assert_allclose(back, L, atol=1e-12)
    assert hist.undo().undo().undo().apply(L).tolist() == L.tolist()


def _table(text: str) -> pd.DataFrame:
    """Statements s1.. (rows) x sorts p1.. (columns) written as whitespace-separated numbers."""
    rows = [[int(x) for x in line.split()] for line in text.splitlines()]
    return pd.DataFrame(rows, index=[f"s{i + 1}" for i in range(len(rows))],
                        columns=[f"p{j + 1}" for j in range(len(rows[0]))])


# Found by HYPOTHESIS_PROFILE=explore: 12 weakly related sorts whose second centroid
# factor changes with the order of the sorts.
ORDER_DEPENDENT = """\
-1 1 -2 -2 -1 -2 -1 0 -2 -1 -1 0
0 2 0 1 2 1 1 -1 0 1 -1 0
-1 0 -1 -1 1 0 2 1 1 0 1 -1
-1 -1 -1 1 -1 2 -1 1 -1 -1 0 1
1 1 0 0 -1 1 0 2 -1 2 0 1
0 1 1 1 0 0 -1 -2 1 0 0 0
1 0 2 0 0 -1 2 -1 1 -2 2 0
-2 -2 -1 -1 -2 0 -2 0 -2 0 -1 -1
-2 -2 -2 -2 -2 -1 -2 -1 -1 -2 -2 -2
0 0 1 -1 1 0 1 0 0 1 2 1
1 -1 0 0 0 -2 0 -2 2 -1 -2 -2
2 2 0 2 0 2 1 2 2 2 1 2
2 -1 2 2 1 1 0 1 0 0 0 -1
0 0 1 0 2 -1 0 0 0 1 1 2"""


def test_an_order_dependent_centroid_solution_says_so(lipset):
    data = _table(ORDER_DEPENDENT)
    orders = [list(data.columns), list(data.columns[::-1])]
    results = [qm.analyze(data[cols], 2, extraction="centroid", rotation="none") for cols in orders]
    second = [np.abs(r.loadings.loc[data.columns, "f2"].to_numpy()) for r in results]
    assert np.abs(second[0] - second[1]).max() > 0.05             # the orders disagree...
    assert all(ORDER_NOTE in r.notes for r in results)           # ...and each result says so
    assert ORDER_NOTE in results[0].summary()
    # a study with clear viewpoints has no such note, in any order
    for cols in (list(lipset.columns), list(lipset.columns[::-1])):
        assert ORDER_NOTE not in qm.analyze(lipset[cols], 3, extraction="centroid").notes


# Found by HYPOTHESIS_PROFILE=explore: a sum that is 0 in exact arithmetic (p3's,
# while factor 1 is reflected) came out as -5.6e-17 or +0 depending on the order
# of the sorts, and reflecting it or not gave two solutions (p2 loading 1.72 or 2.20).
ZERO_SUM = """\
-1 -2 -1 -2 2
2 -1 2 0 2
0 1 -1 1 -1
1 0 1 2 0
0 0 0 -1 -2
-2 2 1 1 -1
0 0 -2 0 0
2 1 0 0 -2
0 -1 -1 0 0
-1 0 0 1 1
1 -1 -2 -1 1
-1 1 1 -1 -1
-2 2 0 2 1
1 -2 2 -2 0"""


def test_a_zero_column_sum_does_not_depend_on_the_order():
    import itertools
    data = _table(ZERO_SUM)
    solutions = set()
    for cols in itertools.permutations(data.columns):
        res = qm.analyze(data[list(cols)], 2, extraction="centroid", rotation="none")
        solutions.add(tuple(np.abs(res.loadings.loc[data.columns].to_numpy()).round(6).ravel()))
    assert len(solutions) == 1
