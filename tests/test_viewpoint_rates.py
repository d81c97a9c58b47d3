"""The rates of viewpoint matching on simulated co-production studies (fixed seeds).

100 studies per kind on the study's own Q-set and grid (see analysis.calibration
for the model and the grading), 999 permutations each. The benchmark
bench/bench_viewpoints.py measures the same rates over 1,000 studies per kind.
"""
import pandas as pd
import pytest
from refdata import REPO

from analysis import calibration as cal
from studies.loader import load_study

STUDIES = 100


@pytest.fixture(scope="module")
def design():
    d = load_study(REPO / "statements" / "coproduction.yaml")
    return [s.tags.get("perspective") for s in d.statements], d.grid.distribution(), d.statement_ids()


@pytest.fixture(scope="module")
def rates(design):
    labels, grid, ids = design
    # Seeds differ per kind so no two kinds share a random stream.
    tables = [cal.run(labels, grid, kind, range(1000 * i, 1000 * i + STUDIES), ids=ids, permutations=999)
              for i, kind in enumerate(cal.KINDS)]
    return pd.concat(tables).groupby("kind")


def test_pure_noise_gets_a_perspective_claimed_in_at_most_5_percent(rates):
    noise = rates.get_group("noise")
    assert len(noise) == STUDIES
    assert noise["any_claim"].mean() <= 0.05


@pytest.mark.parametrize("kind", ["three", "two", "one_other"])
def test_each_planted_perspective_is_named_on_its_factor_in_95_percent(rates, kind):
    t = rates.get_group(kind)
    assert len(t) == STUDIES
    assert t["all_found"].mean() >= 0.95
    assert t["false_claim"].mean() <= 0.05


def test_hybrids_are_detected(rates):
    t = rates.get_group("hybrid")
    assert t["all_found"].mean() >= 0.90
    assert t["false_claim"].mean() <= 0.05


def test_the_simulation_plants_what_it_says(design):
    labels, grid, ids = design
    st = cal.simulate_study(labels, grid, "hybrid", 7, ids=ids)
    assert st.nfactors == 2 and st.planted[1] == cal.OTHER and "+" in st.planted[0]
    assert st.truth.value_counts().tolist() == [20, 20]
    # Every sort is forced into the grid.
    assert all(sorted(st.sorts[c]) == sorted(grid) for c in st.sorts.columns)
    noise = cal.simulate_study(labels, grid, "noise", 7, ids=ids)
    assert set(noise.truth) == {cal.NOISE} and noise.planted == []
    again = cal.simulate_study(labels, grid, "hybrid", 7, ids=ids)
    pd.testing.assert_frame_equal(st.sorts, again.sorts)
