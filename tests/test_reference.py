"""Every file of every reference configuration (R qmethod 1.8.4) to 1e-6;
flags, factor arrays and distinguishing labels exactly."""
import numpy as np
import pandas as pd
import pytest
from refdata import REFERENCE, load_dataset

import qmethod as qm

CONFIGS = sorted((d.parent.name, d.name) for d in (REFERENCE / "outputs").glob("*/*") if d.is_dir())
EXACT = ("flags", "distinguishing", "factor_arrays")


def test_reference_configurations_found():
    # every study x configuration in tests/reference/outputs, every rotation among them
    assert len(CONFIGS) >= 10
    for study in ("lipset", "senmon"):
        assert {c.split("-")[2] for s, c in CONFIGS if s == study and "-pca-" in c} == set(qm.ROTATIONS)


def _run(dataset: str, config: str, **kw) -> qm.QResult:
    k, extraction, rotation = config.split("-")
    return qm.analyze(load_dataset(dataset), int(k.rstrip("f")), extraction=extraction,
                      rotation=rotation, **kw)


def _compare(result: qm.QResult, folder, atol=1e-6):
    for name, mine in result.contract_tables().items():
        ref = pd.read_csv(folder / f"{name}.csv", index_col=0)
        assert list(map(str, ref.index)) == list(map(str, mine.index)), name
        assert list(ref.columns) == list(mine.columns), name
        if name in EXACT:
            want = ref.astype(str).apply(lambda c: c.str.lower()).to_numpy()
            got = mine.astype(str).apply(lambda c: c.str.lower()).to_numpy()
            assert (want == got).all(), f"{name} differs:\n{ref[want != got]}"
        else:
            np.testing.assert_allclose(mine.to_numpy(float), ref.to_numpy(float), rtol=0,
                                       atol=atol, err_msg=name)


@pytest.mark.parametrize("dataset,config", CONFIGS)
def test_matches_qmethod(dataset, config):
    _compare(_run(dataset, config), REFERENCE / "outputs" / dataset / config)


@pytest.mark.parametrize("dataset,config", CONFIGS)
def test_written_files_match_qmethod(dataset, config, tmp_path):
    """The CSV files on disk (not just the frames) carry the same numbers."""
    res = _run(dataset, config)
    res.write(tmp_path)
    for name in qm.result.CONTRACT_FILES:
        mine = pd.read_csv(tmp_path / f"{name}.csv", index_col=0)
        ref = pd.read_csv(REFERENCE / "outputs" / dataset / config / f"{name}.csv", index_col=0)
        if name in EXACT:
            assert (mine.astype(str).to_numpy() == ref.astype(str).to_numpy()).all(), name
        else:
            np.testing.assert_allclose(mine.to_numpy(float), ref.to_numpy(float), atol=1e-6)


@pytest.mark.parametrize("dataset,config", [c for c in CONFIGS if "-pca-" in c[1]])
def test_gram_and_full_eigen_paths_agree(dataset, config):
    a = _run(dataset, config, eigen_path="gram")
    b = _run(dataset, config, eigen_path="full")
    np.testing.assert_allclose(a.loadings.to_numpy(), b.loadings.to_numpy(), atol=1e-8)
    np.testing.assert_allclose(a.zscores.to_numpy(), b.zscores.to_numpy(), atol=1e-8)


def test_lipset_tie_gets_the_lower_grid_value():
    """sta_18 and sta_30 tie on f1 of lipset 3f-pca-varimax; qmethod gives both
    the lower of their two grid positions (1, not 2)."""
    res = _run("lipset", "3f-pca-varimax")
    z = res.zscores["f1"]
    assert abs(z["sta_18"] - z["sta_30"]) < 1e-12
    assert res.factor_arrays.loc["sta_18", "f1"] == res.factor_arrays.loc["sta_30", "f1"] == 1
    strict = _run("lipset", "3f-pca-varimax", ties="grid")
    assert sorted(strict.factor_arrays["f1"]) == sorted(res.grid.distribution())


def test_negative_flag_is_reported(lipset):
    res = qm.analyze(lipset, 3)
    assert res.flags.loc["JP5", "f1"] and res.loadings.loc["JP5", "f1"] < 0
    assert any("JP5" in n and "negative" in n for n in res.notes)


def test_qmethod_labels_for_three_factors(lipset):
    d = qm.analyze(lipset, 3).distinguishing
    # sta_14 and sta_20 are the consensus statements of the reference.
    assert d.loc["sta_14", "label"] == "Consensus"
    assert d.loc["sta_1", "label"] == "Distinguishes all"
    assert d.loc["sta_2", "label"].startswith("Distinguishes f3")
    # PQMethod's view is more lenient: consensus = nothing significant at .01.
    assert d["pqmethod_consensus"].sum() >= d["consensus"].sum()
    assert (d.loc[d["consensus"], "pqmethod_consensus"]).all()
