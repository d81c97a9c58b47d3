"""Every input error is a typed exception whose message names the problem."""
import numpy as np
import pandas as pd
import pytest

import qmethod as qm


def small(values=None, ids=("a", "b", "c")):
    X = values if values is not None else [[-1, 0, 1], [0, 1, -1], [1, -1, 0]]
    return pd.DataFrame(X, index=["s1", "s2", "s3"], columns=list(ids))


def test_deviating_sort_names_participant_and_column(lipset):
    bad = lipset.copy()
    bad.loc["sta_1", "US3"] = 4  # was 2: column +4 over full, +2 under full
    with pytest.raises(qm.GridError) as e:
        qm.analyze(bad, 2)
    msg = str(e.value)
    assert "'US3'" in msg
    assert "column +4 holds 3 statements, 1 over its 2" in msg
    assert "column +2 holds 3 statements, 1 under its 4" in msg
    assert "US1" not in msg


def test_many_deviating_sorts_are_counted(lipset):
    bad = lipset.copy()
    bad.iloc[0, :] = 4
    with pytest.raises(qm.GridError, match=r"^\d+ Q-sorts do not follow the forced grid"):
        qm.validate_sorts(bad)


def test_free_distribution_needs_a_grid():
    with pytest.raises(qm.InputError, match="supply the grid"):
        qm.validate_sorts(small(), forced=False)


def test_free_distribution_with_grid_is_accepted():
    X = small([[-1, -1, 1], [0, -1, -1], [1, 1, 0]])  # not a forced sort
    with pytest.raises(qm.GridError):
        qm.validate_sorts(X)
    sorts, grid = qm.validate_sorts(X, forced=False, grid=qm.Grid.from_range(-1, 1, [1, 1, 1]))
    assert sorts.shape == (3, 3) and grid.n_statements == 3


def test_grid_of_wrong_size_for_free_distribution():
    with pytest.raises(qm.InputError, match="grid holds 5 statements but the data have 3"):
        qm.validate_sorts(small(), forced=False, grid=qm.Grid.from_range(-1, 1, [1, 3, 1]))


def test_duplicated_participant_ids():
    with pytest.raises(qm.InputError, match="duplicated participant id: 'a'"):
        qm.validate_sorts(small(ids=("a", "b", "a")))


def test_duplicated_statement_ids():
    X = small()
    X.index = ["s1", "s1", "s3"]
    with pytest.raises(qm.InputError, match="duplicated statement id: 's1'"):
        qm.validate_sorts(X)


def test_missing_cell_is_named():
    X = small().astype(float)
    X.loc["s2", "b"] = np.nan
    with pytest.raises(qm.InputError, match="statement 's2', participant 'b' is missing"):
        qm.validate_sorts(X)


def test_non_numeric_cell_is_named():
    X = small().astype(object)
    X.loc["s3", "c"] = "x"
    with pytest.raises(qm.InputError, match=r"statement 's3', participant 'c' is not a number \('x'\)"):
        qm.validate_sorts(X)


def test_fractional_cell_is_named():
    X = small().astype(float)
    X.loc["s1", "a"] = 0.5
    with pytest.raises(qm.InputError, match="statement 's1', participant 'a' is 0.5"):
        qm.validate_sorts(X)


@pytest.mark.parametrize("shape,what", [((1, 3), "1 statement;"), ((3, 1), "1 Q-sort;")])
def test_too_small(shape, what):
    X = pd.DataFrame(np.zeros(shape, dtype=int))
    with pytest.raises(qm.InputError, match=what):
        qm.validate_sorts(X)


def test_constant_sort_is_refused():
    X = small([[0, 0, 1], [0, 1, -1], [0, -1, 0]])
    with pytest.raises(qm.InputError, match="participant 'a' gave every statement the same score"):
        qm.analyze(X, 1, forced=False, grid=qm.Grid.from_range(-1, 1, [1, 1, 1]))


def test_bad_options(lipset):
    with pytest.raises(qm.OptionError, match="cannot extract 10 factors from 9 Q-sorts"):
        qm.analyze(lipset, 10)
    with pytest.raises(qm.OptionError, match="unknown extraction 'ml'"):
        qm.analyze(lipset, 2, extraction="ml")
    with pytest.raises(qm.OptionError, match="unknown rotation 'geomin'"):
        qm.analyze(lipset, 2, rotation="geomin")
    with pytest.raises(qm.OptionError, match="'oblimin' is offered after PCA only"):
        qm.analyze(lipset, 2, extraction="centroid", rotation="oblimin")
    with pytest.raises(qm.OptionError, match="unknown correlation 'cosine'"):
        qm.analyze(lipset, 2, correlation="cosine")
    with pytest.raises(qm.OptionError, match="at least 1"):
        qm.analyze(lipset, 0)


def test_manual_flags_override_and_are_checked(lipset):
    res = qm.analyze(lipset, 3, manual_flags={"FR9": [1], "US1": []})
    assert res.flags.loc["FR9"].tolist() == [True, False, False]
    assert not res.flags.loc["US1"].any()
    assert res.info.flagging == "automatic + manual"
    auto = qm.analyze(lipset, 3)
    assert not np.allclose(res.zscores["f1"], auto.zscores["f1"])
    with pytest.raises(qm.OptionError, match="unknown participant 'nobody'"):
        qm.analyze(lipset, 3, manual_flags={"nobody": [1]})
    with pytest.raises(qm.OptionError, match="names factor 4, but there are 3 factors"):
        qm.analyze(lipset, 3, manual_flags={"FR9": [4]})


def test_factor_without_flags_has_no_zscores(lipset):
    flags = {p: [1] for p in lipset.columns}
    res = qm.analyze(lipset, 2, manual_flags=flags)
    assert res.zscores["f2"].isna().all()
    assert res.factor_arrays["f2"].isna().all()
    assert res.characteristics.loc["f2", "defining_sorts"] == 0
    assert any("f2 has no flagged sort" in n for n in res.notes)


def test_grid_errors():
    with pytest.raises(qm.GridError, match="4 column scores but 3 column heights"):
        qm.Grid((1, 2, 3, 4), (1, 1, 1))
    with pytest.raises(qm.GridError, match="runs from -1 to 1 \\(3 columns\\) but 2 column heights"):
        qm.Grid.from_range(-1, 1, [1, 2])
    g = qm.Grid.from_range(-1, 1, [1, 2, 1])
    with pytest.raises(qm.GridError, match="places 3 statements but the grid holds 4"):
        g.check_sort([0, 0, 1], who="participant 'x'")
    with pytest.raises(qm.GridError, match="score \\+5 is not a column"):
        g.check_sort([5, 0, 0, 1])


def test_many_negative_flags_are_counted_in_one_note(lipset):
    mirrored = pd.concat([lipset] + [(-lipset).add_suffix(f"_m{i}") for i in range(3)], axis=1)
    res = qm.analyze(mirrored, 2)
    negative = int((res.flags.to_numpy() & (res.loadings.to_numpy() < 0)).sum())
    assert negative > 10
    listed = [n for n in res.notes if "is flagged on" in n and "negative loading" in n]
    assert len(listed) == 10
    assert f"{negative - 10:,} more sorts are flagged with a negative loading" in " ".join(res.notes)


def test_changing_the_input_afterwards_leaves_the_result_alone(lipset):
    data = lipset.copy()
    res = qm.analyze(data, 2)
    before = res.data.copy()
    data.iloc[0, 0] = 99
    pd.testing.assert_frame_equal(res.data, before)


@pytest.mark.parametrize("option, message", [
    ({"ties": "random"}, "unknown ties rule 'random'"),
    ({"rotation": "geomin"}, "unknown rotation 'geomin'"),
    ({"extraction": "centroid", "rotation": "promax"}, "'promax' is offered after PCA only"),
    ({"correlation": "cosine"}, "unknown correlation 'cosine'"),
    ({"flag_level": 0.1}, "flagging level must be one of"),
    ({"majority": "yes"}, "majority must be True or False"),
    ({"eigen_path": "fast"}, "unknown eigen path 'fast'"),
])
def test_options_are_checked_before_the_data(option, message):
    """A wrong option is named even when the data are wrong too: nothing runs first."""
    broken = pd.DataFrame({"a": [1, "x"], "b": [0, 1]}, index=["s1", "s2"])
    seen = []
    with pytest.raises(qm.OptionError, match=message):
        qm.analyze(broken, 2, progress=lambda f, m: seen.append(m), **option)
    assert seen == []
    from qmethod.bootstrap import bootstrap
    option.pop("eigen_path", None)
    if option:
        with pytest.raises(qm.OptionError, match=message):
            bootstrap(broken, 2, resamples=5, progress=lambda f, m: seen.append(m), **option)
        assert seen == []


def test_factor_aids_check_their_options_first():
    from qmethod.nfactors import factor_aids
    broken = pd.DataFrame({"a": [1, "x"], "b": [0, 1]}, index=["s1", "s2"])
    for kw, message in (({"max_factors": 0}, "max_factors"), ({"percentile": "high"}, "percentile"),
                        ({"parallel_iterations": -1}, "parallel_iterations")):
        with pytest.raises(qm.OptionError, match=message):
            factor_aids(broken, **kw)
