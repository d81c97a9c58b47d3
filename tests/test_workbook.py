"""The XLSX workbook (analysis.workbook), read back with openpyxl."""
import io

import numpy as np
import openpyxl
import pandas as pd
import pytest
from refdata import reference_path

import qmethod as qm
from analysis.crib import crib_table
from analysis.workbook import FLAG_FILL, MANUAL_FILL, _neutralise, analysis_workbook

EVIL = '=HYPERLINK("http://example.invalid","click")'


@pytest.fixture(scope="module")
def made():
    data = qm.io.read_any(reference_path("datasets", "lipset", "sorts.csv"))
    texts = data.statements.copy()
    texts.iloc[0] = EVIL
    texts.iloc[1] = "-minus first, then words"
    sorts = data.sorts.rename(columns={data.sorts.columns[2]: "@p3"})
    data = qm.QSortData(sorts=sorts, statements=texts)
    history = qm.RotationHistory().rotate(0, 1, 15.0)
    manual = {"US1": [2]}
    res = qm.analyze(data, 3, judgmental=history, manual_flags=manual)
    wb = openpyxl.load_workbook(io.BytesIO(analysis_workbook(res, history=history,
                                                             manual_flags=manual)))
    return res, wb


def frame(ws) -> pd.DataFrame:
    rows = list(ws.values)
    return pd.DataFrame(rows[1:], columns=rows[0]).set_index(rows[0][0])


def test_sheets_and_frozen_headers(made):
    _, wb = made
    assert wb.sheetnames == ["Settings", "Loadings", "Z-scores", "Factor arrays", "Distinguishing",
                             "Consensus", "Characteristics", "Factor correlations", "Crib sheets"]
    for ws in wb.worksheets:
        assert ws.freeze_panes in ("A2", "B2", "C2"), ws.title
        assert ws["A1"].font.bold
    assert wb["Z-scores"].column_dimensions["B"].width >= 40     # the text column reads


def test_numbers_equal_the_result(made):
    res, wb = made
    names = res.factor_names
    ids = ["'@p3" if p == "@p3" else p for p in res.loadings.index]
    lo = frame(wb["Loadings"])
    assert lo.index.tolist() == ids
    np.testing.assert_allclose(lo[names].to_numpy(float), res.loadings.to_numpy(), atol=1e-12, rtol=0)
    z = frame(wb["Z-scores"])
    np.testing.assert_allclose(z[names].to_numpy(float), res.zscores.to_numpy(), atol=1e-12, rtol=0)
    fa = frame(wb["Factor arrays"])
    np.testing.assert_array_equal(fa[names].to_numpy(float), res.factor_arrays.to_numpy(float))
    ch = frame(wb["Characteristics"])
    np.testing.assert_allclose(ch.to_numpy(float), res.characteristics.to_numpy(float),
                               atol=1e-12, rtol=0)
    fc = frame(wb["Factor correlations"])
    np.testing.assert_allclose(fc.to_numpy(float), res.factor_correlations.to_numpy(),
                               atol=1e-12, rtol=0)
    d = frame(wb["Distinguishing"])
    assert d["consensus"].tolist() == res.distinguishing["consensus"].tolist()
    np.testing.assert_allclose(d["f1_f2"].to_numpy(float), res.distinguishing["f1_f2"], atol=1e-12)
    cons = frame(wb["Consensus"])
    assert len(cons) == int(res.distinguishing["consensus"].sum())
    crib = list(wb["Crib sheets"].values)
    assert len(crib) - 1 == len(crib_table(res))


def test_flags_are_filled_and_manual_ones_differently(made):
    res, wb = made
    ws = wb["Loadings"]
    for r, pid in enumerate(res.loadings.index, start=2):
        for j, f in enumerate(res.factor_names, start=2):
            colour = ws.cell(row=r, column=j).fill.start_color.rgb
            if res.flags.loc[pid, f]:
                want = MANUAL_FILL if pid == "US1" else FLAG_FILL
                assert colour.endswith(want.start_color.rgb[-6:]), (pid, f)
            else:
                assert ws.cell(row=r, column=j).fill.fill_type is None
    assert res.flags.loc["US1"].tolist() == [False, True, False]


def test_text_cells_are_neutralised(made):
    res, wb = made
    z = wb["Z-scores"]
    first = res.zscores.index[0]
    row = next(r for r in z.iter_rows(min_row=2) if r[0].value == first)
    assert row[1].value == "'" + EVIL and row[1].data_type == "s"
    assert any(c.value == "'-minus first, then words" for c in z["B"])
    assert any(c.value == "'@p3" for c in wb["Loadings"]["A"])
    negatives = [c.value for c in wb["Loadings"]["B"][1:] if c.value < 0]
    assert negatives and all(isinstance(v, float) for v in negatives)
    settings = {r[0]: r[1] for r in wb["Settings"].values if r and r[0]}
    assert settings["step 1"] == "rotate f1 and f2 by +15 degrees"
    assert settings["US1"] == "f2" and settings["rotation"] == "varimax"
    assert _neutralise(-3) == -3 and _neutralise("\tx") == "'\tx" and _neutralise("ok") == "ok"


def test_workbook_numbers_equal_a_rerun_of_the_analysis_file(made, tmp_path):
    import subprocess
    import sys

    from refdata import REPO

    from qmethod.analysis_file import write_analysis_file
    res, wb = made
    data = qm.QSortData(sorts=res.data, statements=res.statements)
    path = write_analysis_file(tmp_path / "a.json", data, qm.AnalysisOptions(3),
                               qm.RotationHistory().rotate(0, 1, 15.0), {"US1": [2]})
    p = subprocess.run([sys.executable, "-m", "qmethod", "rerun", str(path), "--out",
                        str(tmp_path / "out")], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    for sheet, name in (("Loadings", "loadings"), ("Z-scores", "zscores")):
        mine = frame(wb[sheet])[res.factor_names].to_numpy(float)
        rerun = pd.read_csv(tmp_path / "out" / f"{name}.csv", index_col=0).to_numpy()
        np.testing.assert_allclose(mine, rerun, atol=1e-12, rtol=0)
