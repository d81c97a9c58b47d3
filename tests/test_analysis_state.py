"""The analysis page's state and its result: the same numbers as
qmethod.analyze for the same settings (rotation steps, undo/redo, manual
flags), and the page's tables built from them."""
from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import qmethod as qm
from qmethod.errors import OptionError
from webapp.researcher import analysis_tables as tables
from webapp.researcher.analysis_state import Dataset, Engine, Settings, automatic_flags, manual_mask

DEMO = Path(__file__).resolve().parents[1] / "docs" / "examples" / "coproduction-demo.csv"


@pytest.fixture(scope="module")
def data() -> Dataset:
    return Dataset.of(qm.io.read_any(DEMO), "upload", "demo")


def same(a: qm.QResult, b: qm.QResult) -> None:
    for name in ("loadings", "flags", "zscores", "factor_arrays", "characteristics",
                 "factor_correlations"):
        pd.testing.assert_frame_equal(getattr(a, name).astype(float), getattr(b, name).astype(float),
                                      rtol=0, atol=1e-12, obj=name)


@pytest.mark.parametrize("opts", [dict(nfactors=3), dict(nfactors=4, correlation="spearman"),
                                  dict(nfactors=2, extraction="centroid", rotation="none")])
def test_engine_gives_analyze_numbers_with_steps_and_manual_flags(data, opts):
    s = Settings(**opts).rotate(0, 1, 15).rotate(0, 1, -4).undo().redo_step().invert(1)
    pid = str(data.sorts.columns[5])
    s = s.with_flags(pid, [1], automatic=[])
    assert s.manual_flags == {pid: [1]} and len(s.steps) == 3
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        engine = Engine()
        same(engine.result(data, s), engine.analyze(data, s))
        # a second result of the same settings is the cached one
        assert engine.result(data, s) is engine.result(data, s)


def test_undo_redo_and_a_new_step_clears_redo():
    s = Settings(4).rotate(0, 1, 15).rotate(1, 2, 5)
    u = s.undo()
    assert u.steps == (("rotate", 0, 1, 15.0),) and u.redo == (("rotate", 1, 2, 5.0),)
    assert u.redo_step().steps == s.steps
    assert u.invert(3).redo == () and u.invert(3).steps[-1] == ("invert", 3)
    assert Settings().undo() == Settings()


def test_changing_options_drops_steps_and_flags_and_round_trips_as_dict():
    s = Settings(4).rotate(0, 1, 15).with_flags("p1", [2], [1])
    assert s.with_options(nfactors=4) is s
    assert s.with_options(nfactors=3) == Settings(3)
    assert Settings.from_dict(s.to_dict()) == s


def test_flags_equal_to_the_automatic_ones_are_not_manual(data):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        engine = Engine()
        s = Settings(3)
        res = engine.result(data, s)
        pid = str(res.loadings.index[0])
        auto = automatic_flags(res, pid)
        assert auto == [int(f[1:]) for f in res.flags.columns[res.flags.loc[pid].to_numpy(bool)]]
        assert s.with_flags(pid, auto, auto).manual == ()
        other = [f for f in (1, 2, 3) if f not in auto][:1]
        s2 = s.with_flags(pid, other, auto)
        res2 = engine.result(data, s2)
        mask = manual_mask(res2, s2)
        assert mask.to_numpy().sum() == 1 and bool(mask.loc[pid, f"f{other[0]}"])
        assert not np.allclose(res2.zscores.to_numpy(float), res.zscores.to_numpy(float),
                               equal_nan=True)
        table = tables.loadings_table(res2, mask)
        assert table.loc[pid, "flagged"] == f"f{other[0]} (by hand)"


def test_refused_settings_raise_the_engine_error(data):
    with pytest.raises(OptionError):
        Engine().result(data, Settings(3, extraction="centroid", rotation="promax"))
    with pytest.raises(OptionError, match="oblique"):
        Engine().result(data, Settings(3, rotation="promax").rotate(0, 1, 10))


def test_tables_marks_and_csv(data):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = Engine().result(data, Settings(3))
    t = tables.all_tables(res)
    assert set(t) >= {"loadings", "zscores", "characteristics", "factor_correlations", "consensus",
                      "distinguishing_f1", "distinguishing_f3"}
    d = tables.distinguishing_table(res, "f1")
    assert len(d) == int(res.distinguishing["distinguishes_f1"].sum())
    assert set(d["mark"]) <= {"*", "**"}
    for _, row in d.iterrows():       # ** exactly when both comparisons are p < .01
        strong = all(str(res.distinguishing.loc[row["statement"], c]) in tables.STRONG
                     for c in ("sig_f1_f2", "sig_f1_f3"))
        assert (row["mark"] == "**") == strong
    z = t["zscores"]
    assert np.allclose(z["f2 z"].to_numpy(float), res.zscores["f2"].to_numpy(float))
    assert tables.csv_bytes(t["loadings"]).startswith(b"participant,f1,f2,f3,flagged")


def test_csv_text_cells_cannot_run_as_formulas():
    t = pd.DataFrame({"text": ["=HYPERLINK(1)", "+1", "plain", "@x"], "z": [-1.5, 2.0, 0.0, 1.0]},
                     index=pd.Index(["-a", "b", "c", "d"], name="statement"))
    lines = tables.csv_bytes(t).decode().splitlines()
    assert lines[1] == "'-a,'=HYPERLINK(1),-1.5"
    # text that reads as a number is a number to a spreadsheet, not a formula: kept as written
    assert lines[2] == "b,+1,2.0" and lines[3] == "c,plain,0.0" and lines[4] == "d,'@x,1.0"
