"""The plots draw what they claim (checked on the figure's artists)."""
import matplotlib.pyplot as plt
import numpy as np
import pytest

import qmethod as qm
from analysis import plots
from analysis.perspectives import match_perspectives
from qmethod.bootstrap import bootstrap
from qmethod.nfactors import factor_aids
from synthetic import planted


@pytest.fixture(scope="module")
def study():
    return planted(N=30, seed=4)


def test_scree_plot_shows_data_random_and_kaiser(study):
    aids = factor_aids(study, parallel_iterations=100, seed=1)
    fig = plots.scree_plot(aids)
    ax = fig.axes[0]
    lines = {l.get_label(): l for l in ax.get_lines()}
    np.testing.assert_allclose(lines["data"].get_ydata(), aids.table["eigenvalue"])
    assert any(k.startswith("random studies") for k in lines)
    assert lines["Kaiser-Guttman (1)"].get_ydata()[0] == 1.0
    assert f"recommended: {aids.recommended}" in lines
    plt.close(fig)


def test_composite_sort_places_every_statement_in_its_column(study):
    res = qm.analyze(study, 3)
    fig = plots.composite_sort(res.factor_arrays["f1"], res.grid, title="f1")
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert sorted(texts) == sorted(res.factor_arrays.index)
    # The box of each statement sits in the column of its grid score.
    scores = sorted(res.grid.scores)
    for t in fig.axes[0].texts:
        col = int(t.get_position()[0])
        assert scores[col] == res.factor_arrays.loc[t.get_text(), "f1"]
    plt.close(fig)


def test_zscore_and_bootstrap_plots(study, tmp_path):
    res = qm.analyze(study, 3)
    fig = plots.zscore_plot(res.zscores)
    assert len(fig.axes[0].get_lines()) >= 3
    fig.savefig(tmp_path / "z.png")
    assert (tmp_path / "z.png").stat().st_size > 1000
    boot = bootstrap(study, 3, resamples=30, seed=1)
    fig2 = plots.bootstrap_plot(boot, "f1")
    full = [l for l in fig2.axes[0].get_lines() if l.get_label() == "full sample"][0]
    np.testing.assert_allclose(np.sort(full.get_xdata()), np.sort(boot.zscore_full["f1"]))
    plt.close("all")


def test_perspective_heatmap_marks_significant_cells():
    import pandas as pd
    ids = [f"s{i}" for i in range(12)]
    ideal = {"a": dict(zip(ids, [2, 2, 1, 1, 0, 0, 0, 0, -1, -1, -2, -2])),
             "b": dict(zip(ids, [-2, -2, -1, -1, 0, 0, 0, 0, 1, 1, 2, 2]))}
    z = pd.DataFrame({"f1": np.linspace(1.5, -1.5, 12)}, index=ids)
    m = match_perspectives(z, ideal)
    fig = plots.perspective_heatmap(m)
    bold = [t.get_text() for t in fig.axes[0].texts if t.get_fontweight() == "bold"]
    assert len(bold) == 2          # |r| is large for both (one positive, one negative)
    plt.close(fig)
