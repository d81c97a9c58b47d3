"""The reproducible analysis file and ``python -m qmethod rerun``."""
import json
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from refdata import REPO, reference_path

import qmethod as qm
from qmethod.analysis_file import (
    analysis_file_text,
    data_fingerprint,
    data_from_json,
    data_to_json,
    parse_analysis_file,
    read_analysis_file,
    rerun,
    write_analysis_file,
)
from qmethod.errors import FormatError

SETTINGS = qm.AnalysisOptions(3, extraction="pca", rotation="varimax", correlation="pearson")


@pytest.fixture
def lipset():
    return qm.io.read_any(reference_path("datasets", "lipset", "sorts.csv"))


def history():
    return qm.RotationHistory().rotate(0, 1, 15.0).rotate(1, 2, -7.5).invert(2)


def manual(data):
    ids = data.sorts.columns
    return {ids[0]: [2], ids[3]: [], ids[5]: [1, 3]}


def test_round_trip_keeps_everything(tmp_path, lipset):
    path = write_analysis_file(tmp_path / "a.json", lipset, SETTINGS, history(), manual(lipset))
    data, settings, hist, flags = read_analysis_file(path)
    assert settings == SETTINGS
    assert hist.steps == history().steps
    assert flags == {str(k): sorted(v) for k, v in manual(lipset).items()}
    pd.testing.assert_frame_equal(data.sorts, lipset.sorts, check_names=False)
    assert data.statements.tolist() == lipset.statements.tolist()
    assert json.loads(path.read_text())["format"] == 1


def test_rerun_cli_reproduces_analyze_exactly(tmp_path, lipset):
    h, m = history(), manual(lipset)
    ref = qm.analyze(lipset, 3, judgmental=h, manual_flags=m)
    path = write_analysis_file(tmp_path / "a.json", lipset, SETTINGS, h, m)
    out = tmp_path / "out"
    p = subprocess.run([sys.executable, "-m", "qmethod", "rerun", str(path), "--out", str(out)],
                       cwd=REPO, capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    for name in ("loadings", "zscores", "factor_correlations"):
        mine = pd.read_csv(out / f"{name}.csv", index_col=0)
        np.testing.assert_array_equal(mine.to_numpy(), getattr(ref, name).to_numpy())
    flags = pd.read_csv(out / "flags.csv", index_col=0)
    np.testing.assert_array_equal(flags.to_numpy(), ref.flags.to_numpy())
    arrays = pd.read_csv(out / "factor_arrays.csv", index_col=0)
    np.testing.assert_array_equal(arrays.to_numpy(), ref.factor_arrays.to_numpy(dtype=float))
    # the history and the manual flags really changed the numbers
    plain = qm.analyze(lipset, 3)
    assert not np.allclose(plain.loadings.to_numpy(), ref.loadings.to_numpy())
    assert ref.flags.loc[lipset.sorts.columns[0]].tolist() == [False, True, False]
    saved = qm.QResult.load(out / "result.json")
    assert saved.info.judgmental_steps == [list(s) for s in h.steps]


def test_rerun_function_matches_analyze(lipset):
    s = qm.AnalysisOptions(2, rotation="none", correlation="spearman", flag_level=0.01)
    text = analysis_file_text(lipset, s, qm.RotationHistory().rotate(0, 1, 30), {})
    res = rerun(*parse_analysis_file(text))
    ref = qm.analyze(lipset, 2, rotation="none", correlation="spearman", flag_level=0.01,
                     judgmental=qm.RotationHistory().rotate(0, 1, 30))
    np.testing.assert_array_equal(res.zscores.to_numpy(), ref.zscores.to_numpy())


def _doc(lipset):
    return json.loads(analysis_file_text(lipset, SETTINGS, history(), manual(lipset)))


@pytest.mark.parametrize("change, fragment", [
    (lambda d: d.update(format=2), "format 2 is not supported"),
    (lambda d: d.pop("kind"), "not a qmethod analysis file"),
    (lambda d: d["settings"].update(rotation="twist"), "unknown rotation 'twist'"),
    (lambda d: d["settings"].update(colour="red"), "unknown setting 'colour'"),
    (lambda d: d.update(rotation_history=[["spin", 1]]), "rotation step 1"),
    (lambda d: d.update(manual_flags={"US1": ["two"]}), "manual flags of participant 'US1'"),
    (lambda d: d["data"]["sorts"][0].pop(), "the sort of participant 'US1' must list 33"),
    (lambda d: d["data"]["sorts"].pop(), "9 participants but 8 sorts"),
    (lambda d: d["data"]["sorts"][1].__setitem__(0, 1.5), "not a whole number"),
    (lambda d: d["data"]["statements"][2].update(text="bad \ud800 text"), "lone surrogate"),
])
def test_bad_files_give_one_line_errors(lipset, change, fragment):
    doc = _doc(lipset)
    change(doc)
    with pytest.raises(FormatError) as e:
        parse_analysis_file(json.dumps(doc), name="mine.json")
    msg = str(e.value)
    assert fragment in msg and msg.startswith("mine.json: ") and "\n" not in msg


def test_not_json_and_cli_error(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    with pytest.raises(FormatError, match="bad.json, line 1: not valid JSON"):
        read_analysis_file(bad)
    p = subprocess.run([sys.executable, "-m", "qmethod", "rerun", str(bad)], cwd=REPO,
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 2 and p.stderr.count("\n") == 1 and "not valid JSON" in p.stderr


def test_fingerprint_ignores_order_and_texts_but_not_scores(lipset):
    fp = data_fingerprint(lipset)
    assert len(fp) == 64 and int(fp, 16) >= 0
    shuffled = lipset.sorts.sample(frac=1, random_state=1).sample(frac=1, axis=1, random_state=2)
    assert not shuffled.index.equals(lipset.sorts.index)
    assert data_fingerprint(qm.QSortData(sorts=shuffled)) == fp
    retexted = qm.QSortData(sorts=lipset.sorts, statements=lipset.statements + " (edited)")
    assert data_fingerprint(retexted) == fp
    swapped = lipset.sorts.copy()
    col = swapped.columns[4]
    a, b = swapped[col].iloc[0], swapped[col].iloc[-1]
    assert a != b
    swapped.iloc[0, 4], swapped.iloc[-1, 4] = b, a
    assert data_fingerprint(qm.QSortData(sorts=swapped)) != fp
    renamed = lipset.sorts.rename(columns={col: "someone"})
    assert data_fingerprint(qm.QSortData(sorts=renamed)) != fp
    assert data_fingerprint(data_from_json(data_to_json(lipset))) == fp


def test_missing_and_oversized_files(tmp_path, monkeypatch, lipset):
    import qmethod.analysis_file as af
    with pytest.raises(FormatError, match="nothere.json: file not found"):
        read_analysis_file(tmp_path / "nothere.json")
    path = write_analysis_file(tmp_path / "a.json", lipset, SETTINGS)
    monkeypatch.setattr(af, "MAX_FILE_BYTES", 100)
    with pytest.raises(FormatError, match="a.json: the analysis file is .* more than"):
        read_analysis_file(path)
