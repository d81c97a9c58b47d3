"""The Plotly figures draw their inputs (checked on the traces' data, not pixels)."""
import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest
from synthetic import planted

import qmethod as qm
from analysis import figures
from analysis.perspectives import critical_r, ideal_type_correlations
from analysis.viewpoints import match_viewpoints
from qmethod.bootstrap import bootstrap
from qmethod.flagging import flag_threshold
from qmethod.nfactors import factor_aids


@pytest.fixture(scope="module")
def study():
    return planted(N=30, seed=4)


@pytest.fixture(scope="module")
def result(study):
    return qm.analyze(study, 3)


@pytest.fixture(scope="module")
def texts(study):
    return {sid: f"Statement {sid} says something rather long about co-production and its uses, "
                 f"long enough to need wrapping." for sid in study.index}


def _unwrap(s: str) -> str:
    return s.replace("<br>", " ")


def test_scree_shows_data_random_studies_kaiser_and_the_recommendation(study):
    aids = factor_aids(study, parallel_iterations=100, seed=1)
    fig = figures.scree(aids)
    assert isinstance(fig, go.Figure)
    traces = {t.name: t for t in fig.data}
    np.testing.assert_allclose(traces["data"].y, aids.table["eigenvalue"])
    np.testing.assert_array_equal(traces["data"].x, np.arange(1, len(aids.table) + 1))
    random = [t for name, t in traces.items() if name.startswith("random studies")]
    assert len(random) == 1
    np.testing.assert_allclose(random[0].y, aids.table["parallel_eigenvalue"])
    assert list(traces["Kaiser-Guttman (1)"].y) == [1.0, 1.0]
    assert [s.x0 for s in fig.layout.shapes] == [aids.recommended]
    assert any(f"recommended: {aids.recommended}" == a.text for a in fig.layout.annotations)


def test_scree_without_parallel_analysis_has_no_random_line(study):
    aids = factor_aids(study, parallel_iterations=0)
    names = [t.name for t in figures.scree(aids).data]
    assert names == ["data", "Kaiser-Guttman (1)"]


def test_composite_sort_places_every_statement_in_its_column_with_its_text(result, texts):
    fa = result.factor_arrays["f1"]
    fig = figures.composite_sort(fa, result.grid, texts=texts, title="f1")
    (trace,) = fig.data
    assert sorted(trace.customdata) == sorted(fa.index)
    for sid, x, hover in zip(trace.customdata, trace.x, trace.hovertext):
        assert x == fa.loc[sid]
        assert texts[sid] in _unwrap(hover)
    # Rows within a column are 0, 1, 2, ...: one box per statement of that score.
    for score in result.grid.scores:
        rows = sorted(y for x, y in zip(trace.x, trace.y) if x == score)
        assert rows == list(range(len(rows)))
        assert len(rows) == (fa == score).sum()
    assert fig.layout.title.text == "f1"


def test_composite_sort_labels_replace_ids_in_the_boxes(result):
    fa = result.factor_arrays["f2"]
    labels = {sid: str(i + 1) for i, sid in enumerate(fa.index)}
    (trace,) = figures.composite_sort(fa, result.grid, labels=labels).data
    assert [labels[s] for s in trace.customdata] == list(trace.text)


def test_zscore_dots_one_trace_per_factor_with_texts_on_hover(result, texts):
    fig = figures.zscore_dots(result.zscores, texts=texts)
    assert [t.name for t in fig.data] == result.factor_names
    z = result.zscores
    spread = (z.max(axis=1) - z.min(axis=1))
    for t in fig.data:
        np.testing.assert_allclose(t.x, z.loc[list(t.customdata), t.name])
        assert list(t.y) == list(t.customdata)
        assert all(texts[s] in _unwrap(h) for s, h in zip(t.customdata, t.hovertext))
    # Ordered by increasing spread (the largest spread ends on top of the chart).
    assert np.all(np.diff(spread.loc[list(fig.data[0].customdata)].to_numpy()) >= 0)


def test_bootstrap_intervals_show_full_sample_and_bootstrap_mean(study, texts):
    boot = bootstrap(study, 3, resamples=30, seed=1)
    fig = figures.bootstrap_intervals(boot, "f1", texts=texts)
    traces = {t.name: t for t in fig.data}
    full, mean = traces["full sample"], traces["bootstrap mean +- 1.96 SE"]
    ids = list(full.customdata)
    np.testing.assert_allclose(full.x, boot.zscore_full.loc[ids, "f1"])
    np.testing.assert_allclose(mean.x, boot.zscore_mean.loc[ids, "f1"])
    np.testing.assert_allclose(mean.error_x.array, 1.96 * boot.zscore_se.loc[ids, "f1"])
    assert np.all(np.diff(full.x) >= 0)
    assert texts[ids[0]] in _unwrap(full.hovertext[0])


def test_viewpoint_heatmap_holds_statistics_and_adjusted_p():
    ids = [f"s{i}" for i in range(24)]
    tags = {s: ("a" if i < 8 else "b" if i < 16 else "c") for i, s in enumerate(ids)}
    rng = np.random.default_rng(0)
    z = pd.DataFrame({"f1": [2.0] * 8 + [-1.0] * 16 + rng.normal(0, 0.3, 24),
                      "f2": rng.normal(size=24)}, index=ids)
    m = match_viewpoints(z, tags, permutations=999, seed=3)
    fig = figures.viewpoint_heatmap(m)
    (hm,) = fig.data
    np.testing.assert_allclose(hm.z, m.statistic.to_numpy())
    np.testing.assert_allclose(hm.customdata, m.p_adjusted.to_numpy())
    assert list(hm.x) == ["a", "b", "c"] and list(hm.y) == ["f1", "f2"]
    # The significant cell is starred, and the hover names statistic and adjusted p.
    assert m.p_adjusted.loc["f1", "a"] <= 0.05
    for i, f in enumerate(hm.y):
        for j, v in enumerate(hm.x):
            assert hm.text[i][j].endswith("\u2605") == (m.p_adjusted.loc[f, v] <= m.alpha)
    assert f"{m.statistic.loc['f1', 'a']:.2f}" in hm.hovertext[0][0]
    assert f"adjusted p {m.p_adjusted.loc['f1', 'a']:.4f}" in hm.hovertext[0][0]
    assert "999 permutations" in fig.layout.title.text


def test_correlation_heatmap_marks_cells_above_the_threshold():
    ids = [f"s{i}" for i in range(12)]
    ideal = {"a": dict(zip(ids, [2, 2, 1, 1, 0, 0, 0, 0, -1, -1, -2, -2])),
             "b": dict(zip(ids, [-2, -2, -1, -1, 0, 0, 0, 0, 1, 1, 2, 2]))}
    z = pd.DataFrame({"f1": np.linspace(1.5, -1.5, 12)}, index=ids)
    C = ideal_type_correlations(z, ideal)
    fig = figures.correlation_heatmap(C, critical_r(12))
    (hm,) = fig.data
    np.testing.assert_allclose(hm.z, C.to_numpy())
    assert all(t.endswith("\u2605") for t in hm.text[0])   # |r| large for both (+ and -)


def test_loadings_scatter_points_flags_and_threshold(result):
    thr = flag_threshold(result.data.shape[0])
    manual = result.flags.copy() & False
    first = result.flags.index[result.flags["f1"].to_numpy()][0]
    manual.loc[first, "f1"] = True
    fig = figures.loadings_scatter(result.loadings, result.flags, "f1", "f2", thr, manual=manual)
    seen = []
    for t in fig.data:
        ids = list(t.customdata)
        seen += ids
        np.testing.assert_allclose(t.x, result.loadings.loc[ids, "f1"])
        np.testing.assert_allclose(t.y, result.loadings.loc[ids, "f2"])
        for pid, hover in zip(ids, t.hovertext):
            assert hover.startswith(f"<b>{pid}</b>")
        if t.name == "flagged on f1":
            assert result.flags.loc[ids, "f1"].all()
        if t.name == "not flagged":
            assert not result.flags.loc[ids].to_numpy().any()
    assert sorted(seen) == sorted(result.loadings.index)
    lines = sorted((s.x0 if s.x0 == s.x1 else s.y0) for s in fig.layout.shapes)
    np.testing.assert_allclose(lines, [-thr, -thr, thr, thr])
    (hover,) = [h for t in fig.data for pid, h in zip(t.customdata, t.hovertext) if pid == first]
    assert "flagged: f1 (by hand)" in hover
