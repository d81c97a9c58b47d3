"""QResult on disk: result.json + result.npz round-trip exactly, old files still
load, and the vectorised CSV writer writes what R's write.csv layout asks."""
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from refdata import load_dataset

import qmethod as qm
from qmethod.result_files import to_csv

FIXTURES = Path(__file__).resolve().parent / "fixtures"
TABLES = ("data", "unrotated_loadings", "loadings", "flags", "zscores", "factor_arrays",
          "characteristics", "factor_correlations", "sed", "distinguishing")


def assert_same_result(back: qm.QResult, res: qm.QResult):
    for name in TABLES:
        pd.testing.assert_frame_equal(getattr(back, name), getattr(res, name), check_exact=True,
                                      obj=name)
    pd.testing.assert_series_equal(back.eigenvalues, res.eigenvalues, check_exact=True)
    if res.statements is None:
        assert back.statements is None
    else:
        pd.testing.assert_series_equal(back.statements, res.statements)
    if res.rotation_factor_correlations is None:
        assert back.rotation_factor_correlations is None
    else:
        pd.testing.assert_frame_equal(back.rotation_factor_correlations,
                                      res.rotation_factor_correlations, check_exact=True)
    assert back.info == res.info
    assert back.grid == res.grid
    assert back.notes == res.notes


@pytest.fixture(scope="module")
def results():
    lipset = qm.io.read_any(Path(__file__).resolve().parent / "reference" / "formats" / "LIPSET.DAT")
    senmon = load_dataset("senmon")
    return {
        "statements and judgmental": qm.analyze(lipset, 3, judgmental=qm.RotationHistory().rotate(0, 2, 7)),
        "oblique": qm.analyze(senmon, 3, rotation="oblimin"),
        "empty factor": qm.analyze(senmon, 2, manual_flags={p: [1] for p in senmon.columns}),
        "kendall centroid": qm.analyze(senmon, 2, extraction="centroid", correlation="kendall"),
    }


@pytest.mark.parametrize("case", ["statements and judgmental", "oblique", "empty factor",
                                  "kendall centroid"])
def test_save_and_load_round_trip_exactly(results, case, tmp_path):
    res = results[case]
    paths = res.save(tmp_path / "result.json")
    assert [p.name for p in paths] == ["result.json", "result.npz"]
    assert_same_result(qm.QResult.load(tmp_path / "result.json"), res)
    # and the one self-contained JSON document
    assert_same_result(qm.QResult.from_json(res.to_json()), res)


def test_the_large_tables_go_to_the_sidecar(results, tmp_path):
    res = results["statements and judgmental"]
    res.save(tmp_path / "result.json")
    doc = json.loads((tmp_path / "result.json").read_text())
    assert doc["version"] == 2 and doc["sidecar"] == "result.npz"
    for name in ("data", "loadings", "unrotated_loadings", "flags"):
        assert doc[name]["values"] == {"ref": name}
    with np.load(tmp_path / "result.npz", allow_pickle=False) as z:
        assert z["data"].dtype == np.int8                   # grid scores stored compactly
        assert z["participants"].tolist() == res.data.columns.tolist()   # ids stored once
        np.testing.assert_array_equal(z["loadings"], res.loadings.to_numpy())
    # the JSON alone cannot stand in for the pair
    with pytest.raises(ValueError, match="QResult.load"):
        qm.QResult.from_json((tmp_path / "result.json").read_text())


def test_a_version_1_result_file_still_loads():
    """Written by the engine before result.npz existed (info a plain dict,
    every table column by column)."""
    old = qm.QResult.load(FIXTURES / "result_v1_lipset_2f.json")
    assert isinstance(old.info, qm.ResultInfo)
    assert old.info.judgmental == ["rotate f1 and f2 by +5 degrees"]
    assert old.info.created == "2026-12-01T00:45:29+00:00"
    now = qm.analyze(load_dataset("lipset"), 2, judgmental=qm.RotationHistory().rotate(0, 1, 5))
    for name in TABLES:
        a, b = getattr(old, name), getattr(now, name)
        assert list(a.index) == list(b.index) and list(a.columns) == list(b.columns), name
        if name in ("flags", "factor_arrays", "data"):
            assert (a.astype(str).to_numpy() == b.astype(str).to_numpy()).all(), name
    np.testing.assert_allclose(old.zscores.to_numpy(float), now.zscores.to_numpy(float), atol=1e-12)
    assert old.rotation_factor_correlations is None


def test_info_is_typed_and_still_reads_like_the_old_dict(results):
    info = results["oblique"].info
    assert info.rotation == info["rotation"] == "oblimin"
    assert info.n_sorts == info["n_sorts"] == 10 and info.get("missing", 3) == 3
    with pytest.raises(KeyError):
        info["extra"]
    d = info.to_dict()
    assert qm.ResultInfo.from_dict(d) == info
    assert qm.ResultInfo.from_dict({**d, "from_the_future": 1}).extra == {"from_the_future": 1}


# -- CSV ----------------------------------------------------------------------------------
def _cell_by_cell(df: pd.DataFrame) -> str:
    """R's write.csv layout written the slow, obvious way (the writer before it was vectorised)."""
    def cell(v) -> str:
        if isinstance(v, (bool, np.bool_)):
            return '"true"' if v else '"false"'
        if v is None or v is pd.NA or (isinstance(v, (float, np.floating)) and np.isnan(v)):
            return "NA"
        if isinstance(v, (int, np.integer)):
            return str(int(v))
        if isinstance(v, (float, np.floating)):
            return repr(float(v))
        return '"' + str(v).replace('"', '""') + '"'
    lines = [",".join(cell(str(c)) for c in [df.index.name or "", *df.columns])]
    for idx, row in zip(df.index, df.itertuples(index=False, name=None)):
        lines.append(",".join([cell(str(idx)), *(cell(v) for v in row)]))
    return "\n".join(lines) + "\n"


def test_csv_writer_matches_the_cell_by_cell_layout(results, tmp_path):
    for res in results.values():
        tables = dict(res.contract_tables(), distinguishing_all=res.distinguishing)
        for name, table in tables.items():
            to_csv(table, tmp_path / "t.csv")
            assert (tmp_path / "t.csv").read_text() == _cell_by_cell(table), name
    odd = pd.DataFrame({"text": ['say "yes"', "two\nlines", None], "n": pd.array([1, None, 3], dtype="Int64"),
                        "x": [0.1, np.nan, 1e-300], "b": [True, False, True]},
                       index=pd.Index(['a"1', "b", "c"], name="id"))
    to_csv(odd, tmp_path / "odd.csv")
    assert (tmp_path / "odd.csv").read_text() == (
        '"id","text","n","x","b"\n'
        '"a""1","say ""yes""",1,0.1,"true"\n'
        '"b","two\nlines",NA,NA,"false"\n'
        '"c",NA,3,1e-300,"true"\n')
    flags = pd.DataFrame({"f1": [True, False], "f2": [False, False]},
                         index=pd.Index(['a"1', "two\nlines"], name="participant"))
    to_csv(flags, tmp_path / "flags.csv")
    assert (tmp_path / "flags.csv").read_text() == _cell_by_cell(flags) == (
        '"participant","f1","f2"\n"a""1","true","false"\n"two\nlines","false","false"\n')
