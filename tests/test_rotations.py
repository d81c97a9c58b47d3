"""Analytic rotations (qmethod/psych's quartimax, equamax, promax, oblimin):
what the reference outputs cannot show (Phi, the model they reproduce, scale),
and how they reach the user. The loadings, flags, z-scores, factor arrays and
distinguishing statements of every rotation are compared with qmethod 1.8.4 in
test_reference.py."""
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from refdata import REPO, load_dataset, reference_path
from synthetic import planted

import qmethod as qm
from qmethod.analytic_rotation import _rotator_class, rotate
from qmethod.options import OBLIQUE_ROTATIONS, ROTATIONS

ORTHOGONAL = [r for r in ROTATIONS if r not in OBLIQUE_ROTATIONS]


def unrotated(data, k=3):
    return qm.analyze(data, k, rotation="none").loadings.to_numpy()


@pytest.fixture(scope="module")
def lipset_L0():
    return unrotated(load_dataset("lipset"))


@pytest.mark.parametrize("method", ORTHOGONAL)
def test_orthogonal_rotations_keep_communalities_and_the_model(lipset_L0, method):
    R = rotate(lipset_L0, method)
    assert R.phi is None
    np.testing.assert_allclose((R.loadings ** 2).sum(axis=1), (lipset_L0 ** 2).sum(axis=1), atol=1e-12)
    np.testing.assert_allclose(R.loadings @ R.loadings.T, lipset_L0 @ lipset_L0.T, atol=1e-12)


@pytest.mark.parametrize("method", OBLIQUE_ROTATIONS)
def test_oblique_rotations_reproduce_the_model_with_phi(lipset_L0, method):
    R = rotate(lipset_L0, method)
    phi = R.phi
    np.testing.assert_allclose(phi, phi.T, atol=1e-12)
    np.testing.assert_allclose(np.diag(phi), 1.0, atol=1e-12)
    assert np.all(np.linalg.eigvalsh(phi) > 0)
    # the pattern P with Phi reproduces what the unrotated factors explain: L0 L0' = P Phi P'
    np.testing.assert_allclose(R.loadings @ phi @ R.loadings.T, lipset_L0 @ lipset_L0.T, atol=1e-10)
    # the factors really are oblique here
    assert np.abs(phi - np.eye(3)).max() > 0.01


@pytest.mark.parametrize("method", ROTATIONS)
def test_rotated_columns_are_signed_and_ordered_as_psych(lipset_L0, method):
    L = rotate(lipset_L0, method).loadings
    assert (L.sum(axis=0) >= 0).all()
    ss = (L ** 2).sum(axis=0)
    if method != "none":
        assert (np.diff(ss) <= 1e-12).all()


def test_phi_follows_the_columns_it_belongs_to():
    # Reverse and flip the unrotated columns: psych's tidy-up gives the same
    # solution, so Phi must come back the same (signed and permuted with them).
    L0 = unrotated(load_dataset("senmon"))
    a = rotate(L0, "promax")
    b = rotate(-L0[:, ::-1], "promax")
    np.testing.assert_allclose(b.loadings, a.loadings, atol=1e-10)
    np.testing.assert_allclose(b.phi, a.phi, atol=1e-10)


def test_equamax_uses_psychs_kappa_and_the_library_criterion(lipset_L0):
    # Our O(N k) objective gives factor_analyzer's own equamax (kappa = k / 2N, as
    # psych's equamax passes to GPArotation) to rounding, without its N x N matrix.
    from factor_analyzer.rotator import Rotator
    kappa = 3 / (2 * lipset_L0.shape[0])
    stock = Rotator(method="equamax", kappa=kappa, max_iter=1000).fit_transform(lipset_L0)
    ours = _rotator_class()(method="equamax", kappa=kappa, max_iter=1000).fit_transform(lipset_L0)
    np.testing.assert_allclose(ours, stock, atol=1e-12)
    # and it is not quartimax (factor_analyzer's default kappa = 0)
    assert np.abs(rotate(lipset_L0, "equamax").loadings - rotate(lipset_L0, "quartimax").loadings).max() > 1e-3


def test_every_rotation_runs_on_many_sorts():
    # 3,000 sorts: equamax's criterion would need a 3,000 x 3,000 matrix in factor_analyzer
    data = planted(n=40, N=3000, seed=4)
    for method in ROTATIONS:
        res = qm.analyze(data, 3, rotation=method)
        assert res.flags.to_numpy().any(axis=0).all(), method
        assert (res.rotation_factor_correlations is not None) == (method in OBLIQUE_ROTATIONS)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 10_000), st.integers(2, 4))
def test_rotations_of_random_loadings(seed, k):
    rng = np.random.default_rng(seed)
    L0 = rng.uniform(-0.9, 0.9, (25, k))
    for method in ROTATIONS:
        R = rotate(L0, method)
        assert np.isfinite(R.loadings).all()
        if R.phi is None:
            np.testing.assert_allclose((R.loadings ** 2).sum(axis=1), (L0 ** 2).sum(axis=1), atol=1e-10)
        else:
            np.testing.assert_allclose(R.loadings @ R.phi @ R.loadings.T, L0 @ L0.T, atol=1e-8)


def test_one_factor_is_not_rotated(lipset_L0):
    for method in ROTATIONS:
        R = rotate(lipset_L0[:, :1], method)
        np.testing.assert_array_equal(R.loadings, lipset_L0[:, :1])


# -- how the user meets them -------------------------------------------------------------
def test_result_reports_phi_and_a_note():
    res = qm.analyze(load_dataset("lipset"), 3, rotation="oblimin")
    phi = res.rotation_factor_correlations
    assert list(phi.index) == list(phi.columns) == ["f1", "f2", "f3"]
    assert res.notes[0].startswith("oblimin is an oblique rotation, not standard in Q studies")
    text = res.summary()
    assert "factor correlations of the oblimin rotation (Phi):" in text
    assert f"{phi.loc['f1', 'f2']:.3f}" in text
    # z-score correlations stay what they were: a different table
    assert not np.allclose(res.factor_correlations.to_numpy(), phi.to_numpy())
    var = qm.analyze(load_dataset("lipset"), 3)
    assert var.rotation_factor_correlations is None
    assert not any("standard" in n for n in var.notes) and "Phi" not in var.summary()
    assert any("equamax is not standard in Q studies" in n for n in qm.analyze(load_dataset("lipset"), 3,
                                                                   rotation="equamax").notes)


def test_phi_is_saved_and_loaded(tmp_path):
    res = qm.analyze(load_dataset("senmon"), 3, rotation="promax")
    files = {p.name for p in res.write(tmp_path)}
    assert "rotation_factor_correlations.csv" in files
    on_disk = pd.read_csv(tmp_path / "rotation_factor_correlations.csv", index_col=0)
    np.testing.assert_array_equal(on_disk.to_numpy(), res.rotation_factor_correlations.to_numpy())
    for back in (qm.QResult.load(tmp_path / "result.json"), qm.QResult.from_json(res.to_json())):
        pd.testing.assert_frame_equal(back.rotation_factor_correlations, res.rotation_factor_correlations)
        assert back.info.rotation == "promax"


def test_judgmental_rotation_needs_orthogonal_factors():
    with pytest.raises(qm.OptionError, match="promax is oblique"):
        qm.analyze(load_dataset("lipset"), 3, rotation="promax",
                   judgmental=qm.RotationHistory().rotate(0, 1, 10))
    res = qm.analyze(load_dataset("lipset"), 3, rotation="quartimax",
                     judgmental=qm.RotationHistory().rotate(0, 1, 10))
    assert res.info.judgmental == ["rotate f1 and f2 by +10 degrees"]


def run(*args):
    return subprocess.run([sys.executable, "-m", "qmethod", *map(str, args)], cwd=REPO,
                          capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("rotation", ["promax", "quartimax"])
def test_command_line_warns_in_one_line(tmp_path, rotation):
    p = run("analyze", reference_path("datasets", "lipset", "sorts.csv"), "-k", 3,
            "--rotation", rotation, "--out", tmp_path)
    assert p.returncode == 0, p.stderr
    lines = p.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"warning: {rotation} ") and "not standard" in lines[0]
    assert (tmp_path / "rotation_factor_correlations.csv").exists() == (rotation == "promax")
    assert f"{rotation} rotation" in p.stdout


def test_command_line_refuses_other_rotations_after_centroid_before_reading(tmp_path):
    p = run("analyze", tmp_path / "does-not-exist.csv", "-k", 3, "--extraction", "centroid",
            "--rotation", "equamax")
    assert p.returncode == 2
    assert p.stderr.strip() == ("error: rotation 'equamax' is offered after PCA only; after "
                                "centroid extraction use varimax or none (as qmethod does)")
