"""Comparing two runs (analysis.compare): congruence, pairing, who changed factor."""
import numpy as np
import pytest
from refdata import reference_path

import qmethod as qm
from analysis.compare import compare_runs, similarity, tucker


@pytest.fixture(scope="module")
def data():
    return qm.io.read_any(reference_path("datasets", "lipset", "sorts.csv"))


@pytest.fixture(scope="module")
def base(data):
    return qm.analyze(data, 3)


def test_a_run_against_itself(base):
    c = compare_runs(base, base)
    np.testing.assert_allclose(np.diag(c.congruence.to_numpy()), 1.0, atol=1e-12)
    assert c.pairs["factor_b"].tolist() == base.factor_names
    assert (c.pairs["similarity"] == "equal").all() and not c.pairs["inverted"].any()
    assert (c.participants["change"] == "same").all() and c.changed.empty
    assert c.n_statements == len(base.zscores)


def test_congruence_is_tuckers_coefficient(base, data):
    other = qm.analyze(data, 3, rotation="none")
    c = compare_runs(base, other)
    x, y = base.zscores["f2"].to_numpy(), other.zscores["f3"].to_numpy()
    assert c.congruence.loc["f2", "f3"] == pytest.approx(
        (x @ y) / np.sqrt((x @ x) * (y @ y)), abs=1e-12)
    # pairing maximises the sum of |phi| over one-to-one matchings
    import itertools
    phi = np.abs(c.congruence.to_numpy())
    best = max(sum(phi[i, p[i]] for i in range(3)) for p in itertools.permutations(range(3)))
    got = sum(abs(v) for v in c.pairs["congruence"])
    assert got == pytest.approx(best, abs=1e-12)
    assert tucker(-x[:, None], x[:, None])[0, 0] == pytest.approx(-1.0)
    assert similarity(-0.96) == "equal" and similarity(0.9) == "fairly similar"
    assert similarity(0.5) == "different"


def test_swapped_factors_pair_crosswise(base, data):
    # f1 and f2 turned by 90 degrees, then f1 inverted: the two factors swap places
    swapped = qm.analyze(data, 3, judgmental=qm.RotationHistory().rotate(0, 1, 90).invert(0))
    c = compare_runs(base, swapped)
    pairs = dict(zip(c.pairs["factor_a"], c.pairs["factor_b"]))
    assert pairs == {"f1": "f2", "f2": "f1", "f3": "f3"}
    np.testing.assert_allclose(c.pairs["congruence"], 1.0, atol=1e-9)
    assert (c.participants["change"] == "same").all()


def test_who_changed_factor(base, data):
    flagged = {f: base.flags.index[base.flags[f]].tolist() for f in base.factor_names}
    mover, dropped = flagged["f1"][0], flagged["f2"][0]
    unflagged = [p for p in base.flags.index if not base.flags.loc[p].any()]
    manual = {mover: [2], dropped: []}
    if unflagged:
        manual[unflagged[0]] = [3]
    gone = flagged["f3"][-1]
    assert gone not in manual
    fewer = qm.QSortData(sorts=data.sorts.drop(columns=gone), statements=data.statements)
    other = qm.analyze(fewer, 3, manual_flags=manual)
    c = compare_runs(base, other)
    ch = c.participants["change"]
    assert ch[mover] == "moved" and ch[dropped] == "flagged in A only" and ch[gone] == "in A only"
    if unflagged:
        assert ch[unflagged[0]] == "flagged in B only"
    assert c.participants.loc[mover, "factors_b"] == "f2"
    # everyone else: their factors agree through the pairing
    pairs = dict(zip(c.pairs["factor_a"], c.pairs["factor_b"]))
    for p in set(c.participants.index) - set(manual) - {gone}:
        fa = [pairs[f] for f in base.factor_names if base.flags.loc[p, f]]
        fb = [f for f in other.factor_names if other.flags.loc[p, f]]
        assert (ch[p] == "same") == (sorted(fa) == sorted(fb))
    assert set(c.changed.index) == {p for p in ch.index if ch[p] != "same"}


def test_unequal_factor_counts_and_no_shared_statements(base, data):
    two = qm.analyze(data, 2)
    c = compare_runs(base, two)
    assert c.congruence.shape == (3, 2)
    assert c.pairs["factor_b"].isna().sum() == 1
    assert (c.pairs["similarity"] == "unpaired").sum() == 1
    renamed = data.sorts.rename(index=lambda s: "x" + s)
    with pytest.raises(ValueError, match="share 0 statements"):
        compare_runs(base, qm.analyze(renamed, 3))
