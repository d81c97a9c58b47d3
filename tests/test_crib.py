"""Crib sheets (analysis.crib), checked against the factor arrays they read."""
import numpy as np
import pytest
from refdata import reference_path

import qmethod as qm
from analysis.crib import SECTIONS, crib_sheet, crib_sheets, crib_table


@pytest.fixture(scope="module")
def lipset():
    data = qm.io.read_any(reference_path("datasets", "lipset", "sorts.csv"))
    return qm.analyze(data, 3)


def _expected(res, f, n_ext=1, exclude=True):
    arrays = res.factor_arrays.astype(float)
    scores = sorted(s for s, h in zip(res.grid.scores, res.grid.heights) if h)
    a = arrays[f]
    rest = arrays.drop(columns=f)
    top = set(a.index[a.isin(scores[-n_ext:])])
    bottom = set(a.index[a.isin(scores[:n_ext])])
    higher = {s for s in a.index if all(a[s] > rest.loc[s])}
    lower = {s for s in a.index if all(a[s] < rest.loc[s])}
    if exclude:
        higher -= top | bottom
        lower -= top | bottom
    return {"top": top, "bottom": bottom, "higher": higher, "lower": lower}


@pytest.mark.parametrize("n_ext", [1, 2])
def test_sections_follow_the_factor_arrays(lipset, n_ext):
    sheets = crib_sheets(lipset, extreme_columns=n_ext)
    assert list(sheets) == lipset.factor_names
    for f, sheet in sheets.items():
        want = _expected(lipset, f, n_ext)
        for name in SECTIONS:
            assert set(sheet.section(name).index) == want[name], (f, name)
        # the extremes hold exactly the grid's end columns
        top_heights = [h for h in lipset.grid.heights if h][-n_ext:]
        assert len(sheet.top) == sum(top_heights)
        # ordered by z-score, texts and scores are the result's own
        assert sheet.top["zscore"].is_monotonic_decreasing
        assert sheet.bottom["zscore"].is_monotonic_increasing
        assert sheet.lower["zscore"].is_monotonic_increasing
        for s, row in sheet.higher.iterrows():
            assert row["text"] == lipset.statements[s]
            assert row["score"] == lipset.factor_arrays.loc[s, f]
            assert row["zscore"] == lipset.zscores.loc[s, f]
    assert any(len(s.higher) for s in sheets.values())
    assert any(len(s.lower) for s in sheets.values())


def test_keeping_extremes_lists_them_again(lipset):
    for f in lipset.factor_names:
        keep = crib_sheet(lipset, f, exclude_extremes=False)
        want = _expected(lipset, f, exclude=False)
        assert set(keep.higher.index) == want["higher"]
        assert set(keep.lower.index) == want["lower"]
        assert set(crib_sheet(lipset, f).higher.index) <= set(keep.higher.index)


def test_a_factor_without_defining_sorts_is_empty_and_left_out(lipset):
    flagged = lipset.flags.index[lipset.flags["f3"]].tolist()
    assert flagged
    res = qm.analyze(qm.io.read_any(reference_path("datasets", "lipset", "sorts.csv")), 3,
                     manual_flags={p: [] for p in flagged})
    assert res.factor_arrays["f3"].isna().all()
    sheets = crib_sheets(res)
    assert all(len(sheets["f3"].section(s)) == 0 for s in SECTIONS)
    a = res.factor_arrays.astype(float)
    for f, g in (("f1", "f2"), ("f2", "f1")):
        assert set(sheets[f].higher.index) == set(a.index[(a[f] > a[g])]) - \
            set(sheets[f].top.index) - set(sheets[f].bottom.index)
        assert "f3" not in sheets[f].higher.columns


def test_one_factor_has_only_extremes_and_table_is_long(lipset):
    res = qm.analyze(qm.io.read_any(reference_path("datasets", "lipset", "sorts.csv")), 1)
    sheet = crib_sheet(res, "f1")
    assert len(sheet.higher) == 0 and len(sheet.lower) == 0 and len(sheet.top) > 0
    table = crib_table(lipset)
    assert list(table.columns) == ["factor", "statement", "section", "text", "score", "zscore"]
    counts = table.groupby(["factor", "section"]).size()
    sheets = crib_sheets(lipset)
    for (f, s), n in counts.items():
        assert n == len(sheets[f].section(s))
    assert np.isin(table["section"].unique(), SECTIONS).all()
    with pytest.raises(KeyError, match="no factor 'f9'"):
        crib_sheet(lipset, "f9")
