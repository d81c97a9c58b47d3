"""The command line contract: files written, summary printed, one-line errors."""
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from refdata import REFERENCE, REPO, reference_path

CONTRACT = {"loadings.csv", "flags.csv", "zscores.csv", "factor_arrays.csv", "characteristics.csv",
            "factor_correlations.csv", "distinguishing.csv", "result.json", "result.npz"}


def run(*args, cwd=REPO):
    return subprocess.run([sys.executable, "-m", "qmethod", *map(str, args)], cwd=cwd,
                          capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("config", ["3f-pca-varimax", "3f-centroid-varimax", "3f-pca-none"])
def test_analyze_writes_exactly_the_contract(tmp_path, config):
    k, ex, rot = config.split("-")
    p = run("analyze", reference_path("datasets", "lipset", "sorts.csv"), "--factors", k[0],
            "--extraction", ex, "--rotation", rot, "--out", tmp_path)
    assert p.returncode == 0, p.stderr
    assert "33 statements, 9 Q-sorts, 3 factors" in p.stdout
    assert {f.name for f in tmp_path.iterdir()} == CONTRACT
    for name in ("loadings", "zscores"):
        mine = pd.read_csv(tmp_path / f"{name}.csv", index_col=0)
        ref = pd.read_csv(REFERENCE / "outputs" / "lipset" / config / f"{name}.csv", index_col=0)
        np.testing.assert_allclose(mine.to_numpy(), ref.to_numpy(), atol=1e-6)


def test_dat_and_kenq_inputs_give_the_reference_numbers(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    assert run("analyze", reference_path("formats", "LIPSET.DAT"), "-k", 3, "--out", a).returncode == 0
    assert run("analyze", reference_path("formats", "kenq-senmon.json"), "-k", 3, "--out", b).returncode == 0
    for out, ds in ((a, "lipset"), (b, "senmon")):
        mine = pd.read_csv(out / "zscores.csv", index_col=0)
        ref = pd.read_csv(REFERENCE / "outputs" / ds / "3f-pca-varimax" / "zscores.csv", index_col=0)
        np.testing.assert_allclose(mine.to_numpy(), ref.to_numpy(), atol=1e-6)


@pytest.mark.parametrize("dataset", ["ipad", "cegebe"])
def test_other_datasets_run(tmp_path, dataset):
    p = run("analyze", reference_path("datasets", dataset, "sorts.csv"), "-k", 3, "--out", tmp_path)
    assert p.returncode == 0, p.stderr
    fa = pd.read_csv(tmp_path / "factor_arrays.csv", index_col=0)
    data = pd.read_csv(reference_path("datasets", dataset, "sorts.csv"), index_col=0)
    assert fa.shape == (data.shape[0], 3)
    assert set(np.unique(fa.to_numpy())) <= set(np.unique(data.iloc[:, 0]))


def test_spearman_and_kendall_run(tmp_path):
    for c in ("spearman", "kendall"):
        p = run("analyze", reference_path("datasets", "senmon", "sorts.csv"), "-k", 2, "--correlation", c)
        assert p.returncode == 0 and f"{c} correlation" in p.stdout


def one_line_error(p, *fragments):
    assert p.returncode == 2
    lines = p.stderr.strip().splitlines()
    assert len(lines) == 1, p.stderr
    assert "Traceback" not in p.stderr
    for f in fragments:
        assert f in lines[0], lines[0]


def test_errors_are_one_line_with_exit_2(tmp_path):
    lipset = reference_path("datasets", "lipset", "sorts.csv")
    one_line_error(run("analyze", lipset, "-k", 12), "cannot extract 12 factors from 9 Q-sorts")
    one_line_error(run("analyze", lipset, "-k", "two"), "'two' is not a whole number")
    one_line_error(run("analyze", lipset, "-k", 2, "--rotation", "geomin"), "invalid choice: 'geomin'")
    one_line_error(run("analyze", lipset, "-k", 2, "--extraction", "centroid", "--rotation", "promax"),
                   "'promax' is offered after PCA only")
    one_line_error(run("analyze", tmp_path / "missing.csv", "-k", 2), "missing.csv", "not found")
    one_line_error(run("analyze", tmp_path / "x.xlsx", "-k", 2), "extension")
    bad = pd.read_csv(lipset, index_col=0)
    bad.loc["sta_3", "UK7"] = 4
    bad.to_csv(tmp_path / "bad.csv")
    one_line_error(run("analyze", tmp_path / "bad.csv", "-k", 2), "'UK7'", "column +4 holds 3 statements")
    (tmp_path / "broken.csv").write_text("statement,a,b\ns1,1,x\ns2,0,1\n")
    one_line_error(run("analyze", tmp_path / "broken.csv", "-k", 1), "s1", "x")
    one_line_error(run("analyze", lipset, "-k", 2, "--free"), "supply the grid")
    one_line_error(run("analyze", lipset, "-k", 2, "--grid=-4..4:1,2"), "grid")


def test_free_distribution_with_grid(tmp_path):
    lipset = pd.read_csv(reference_path("datasets", "lipset", "sorts.csv"), index_col=0)
    free = lipset.copy()
    free.loc["sta_1", "US1"] = 0  # breaks the forced grid
    free.to_csv(tmp_path / "free.csv")
    p = run("analyze", tmp_path / "free.csv", "-k", 2, "--free", "--grid=-4..4:2,3,4,5,5,5,4,3,2",
            "--out", tmp_path / "out")
    assert p.returncode == 0, p.stderr
    fa = pd.read_csv(tmp_path / "out" / "factor_arrays.csv", index_col=0)
    assert sorted(fa["f1"]) == sorted(lipset["US1"])  # arrays use the supplied grid


def test_more_input_errors_are_one_line(tmp_path):
    lipset = reference_path("datasets", "lipset", "sorts.csv")
    (tmp_path / "file").write_text("x")
    one_line_error(run("analyze", lipset, "-k", 2, "--out", tmp_path / "file"), "not a folder")
    one_line_error(run("bootstrap", lipset, "-k", 2, "--resamples", 10, "--out", tmp_path / "file"),
                   "not a folder")
    (tmp_path / "big.csv").write_text("statement,a,b\ns1,1e30,0\ns2,0,1\n")
    one_line_error(run("analyze", tmp_path / "big.csv", "-k", 1), "'1e30'", "line 2")
    (tmp_path / "eof.dat").write_bytes(b"\x1a")
    one_line_error(run("analyze", tmp_path / "eof.dat", "-k", 1), "empty")
    same = pd.read_csv(lipset, index_col=0)[["US2"]]
    pd.concat([same.rename(columns={"US2": c}) for c in "abc"], axis=1).to_csv(tmp_path / "dup.csv")
    one_line_error(run("analyze", tmp_path / "dup.csv", "-k", 2, "--extraction", "centroid"),
                   "only 1 centroid factor")


def test_free_distribution_in_nfactors_and_bootstrap(tmp_path):
    free = pd.read_csv(reference_path("datasets", "lipset", "sorts.csv"), index_col=0)
    free.loc["sta_1", "US1"] = 0
    free.to_csv(tmp_path / "free.csv")
    p = run("nfactors", tmp_path / "free.csv", "--free", "--iterations", 50, "--seed", 1)
    assert p.returncode == 0, p.stderr
    p = run("bootstrap", tmp_path / "free.csv", "-k", 2, "--resamples", 20, "--seed", 1, "--free",
            "--grid=-4..4:2,3,4,5,5,5,4,3,2", "--out", tmp_path / "boot", "-q")
    assert p.returncode == 0, p.stderr
    assert (tmp_path / "boot" / "bootstrap.json").exists()
