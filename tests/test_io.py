"""Importers and exporters of qmethod.io: round trips, reference files, errors."""
from __future__ import annotations

import json
import string
import tempfile
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qmethod.data import QSortData, validate_sorts
from qmethod.errors import FormatError, InputError
from qmethod.grid import Grid
from qmethod.io import (
    FormatWarning,
    read_any,
    read_dat,
    read_kenq_json,
    read_sorts_csv,
    read_sta,
    write_any,
    write_dat,
    write_kenq_json,
    write_sorts_csv,
    write_sta,
)

REF = Path(__file__).resolve().parent / "reference"
FORMATS = REF / "formats"
DATASETS = REF / "datasets"
LIPSET_DAT = FORMATS / "LIPSET.DAT"
LIPSET_STA = FORMATS / "LIPSET.STA"
KENQ = FORMATS / "kenq-senmon.json"

# -- helpers ---------------------------------------------------------------

def table(values, statement_ids, participant_ids) -> pd.DataFrame:
    return pd.DataFrame(np.asarray(values, dtype=np.int64),
                        index=pd.Index(list(statement_ids), name="statement"),
                        columns=pd.Index(list(participant_ids), name="participant"))


def texts(values, statement_ids) -> pd.Series:
    return pd.Series(list(values), index=pd.Index(list(statement_ids), name="statement"),
                     name="text")


def error_of(call, *args) -> str:
    with pytest.raises(FormatError) as info:
        call(*args)
    return str(info.value)


def lipset_lines() -> list[str]:
    return LIPSET_DAT.read_bytes().decode("ascii").split("\r\n")[:-1]


def write_lines(path: Path, lines: list[str]) -> Path:
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("utf-8"))
    return path


def lipset_variant(tmp_path: Path, change) -> Path:
    """LIPSET.DAT with ``change(lines)`` applied, without its .STA."""
    lines = lipset_lines()
    change(lines)
    return write_lines(tmp_path / "BROKEN.DAT", lines)


def reference_csv(name: str) -> pd.DataFrame:
    df = pd.read_csv(DATASETS / name / "sorts.csv", index_col=0)
    return df


# -- PQMethod ----------------------------------------------------------------

def test_lipset_dat_is_read_with_its_sta_grid_and_title():
    data = read_dat(LIPSET_DAT)
    assert data.sorts.shape == (33, 9)
    assert list(data.sorts.columns) == ["US1", "US2", "US3", "US4", "JP5", "CA6", "UK7", "US8", "FR9"]
    assert list(data.sorts.index) == [f"s{k}" for k in range(1, 34)]
    assert data.sorts.dtypes.eq(np.int64).all()
    assert data.grid == Grid.from_range(-4, 4, [2, 3, 4, 5, 5, 5, 4, 3, 2])
    assert data.title == "Lipset Study (PQMETHOD testfile; cf. Brown, 1980, pp. 183ff.)"
    assert data.statements is not None and len(data.statements) == 33
    # The leading 1/2 of every LIPSET.STA line is kept: the format has no field for it.
    assert data.statements["s1"] == "1We accept improvements in status and power of lower class"
    assert data.statements["s33"] == "1Emphasis is on getting ahead"
    validate_sorts(data.sorts, grid=data.grid)


def test_lipset_dat_equals_the_lipset_csv_dataset():
    data = read_dat(LIPSET_DAT)
    ref = reference_csv("lipset")
    assert list(data.sorts.columns) == list(ref.columns)
    np.testing.assert_array_equal(data.sorts.to_numpy(), ref.to_numpy())


def test_lipset_written_back_is_byte_identical(tmp_path):
    data = read_dat(LIPSET_DAT)
    write_dat(data, tmp_path / "LIPSET.DAT")
    write_sta(data, tmp_path / "LIPSET.STA")
    assert (tmp_path / "LIPSET.DAT").read_bytes() == LIPSET_DAT.read_bytes()
    assert (tmp_path / "LIPSET.STA").read_bytes() == LIPSET_STA.read_bytes()


def test_write_any_writes_dat_and_sta_byte_identical(tmp_path):
    data = read_any(LIPSET_DAT)
    write_any(data, tmp_path / "LIPSET.DAT")
    assert (tmp_path / "LIPSET.DAT").read_bytes() == LIPSET_DAT.read_bytes()
    assert (tmp_path / "LIPSET.STA").read_bytes() == LIPSET_STA.read_bytes()


def test_sta_is_found_whatever_its_case_or_given(tmp_path):
    (tmp_path / "lipset.dat").write_bytes(LIPSET_DAT.read_bytes())
    (tmp_path / "Lipset.Sta").write_bytes(LIPSET_STA.read_bytes())
    assert read_dat(tmp_path / "lipset.dat").statements is not None
    (tmp_path / "other.dat").write_bytes(LIPSET_DAT.read_bytes())
    assert read_dat(tmp_path / "other.dat").statements is None
    assert read_dat(tmp_path / "other.dat", sta_path=LIPSET_STA).statements is not None


def test_dat_wraps_long_sorts_at_35_values_and_reads_them_back(tmp_path):
    grid = Grid.from_range(-5, 5, [3, 4, 6, 8, 9, 10, 9, 8, 6, 4, 3])  # 70 statements
    rng = np.random.default_rng(7)
    cols = [rng.permutation(grid.distribution()) for _ in range(3)]
    ids = [f"s{k}" for k in range(1, 71)]
    data = QSortData(sorts=table(np.column_stack(cols), ids, ["A", "B", "C"]), grid=grid,
                     title="wrapped")
    write_dat(data, tmp_path / "W.DAT")
    lines = (tmp_path / "W.DAT").read_bytes().decode().split("\r\n")[:-1]
    assert len(lines) == 2 + 3 * 2
    assert all(len(line) <= 80 for line in lines)
    assert lines[3].startswith(" " * 10) and len(lines[3]) == 10 + 2 * 35
    back = read_dat(tmp_path / "W.DAT")
    pd.testing.assert_frame_equal(back.sorts, data.sorts)
    assert back.grid == grid


def test_dat_reader_accepts_unindented_and_unwrapped_sort_lines(tmp_path):
    lines = lipset_lines()
    # US1 split after 20 values with the rest flush left; US2 split with the
    # 10-blank indent; the others stay on one line.
    us1, us2 = lines[2], lines[3]
    lines[2:4] = [us1[:50], us1[50:], us2[:30], " " * 10 + us2[30:]]
    data = read_dat(write_lines(tmp_path / "X.DAT", lines))
    pd.testing.assert_frame_equal(data.sorts, read_dat(LIPSET_DAT).sorts)


def test_dat_reader_ignores_blank_lines_and_a_dos_eof_mark(tmp_path):
    raw = LIPSET_DAT.read_bytes().replace(b"\r\nUS3", b"\r\n\r\nUS3") + b"\x1a"
    (tmp_path / "X.DAT").write_bytes(raw)
    pd.testing.assert_frame_equal(read_dat(tmp_path / "X.DAT").sorts, read_dat(LIPSET_DAT).sorts)


# One test per .DAT error message. Lines of LIPSET.DAT: 1 header, 2 grid,
# 3..11 the sorts US1..FR9 (statement k sits at columns 11+2(k-1)..12+2(k-1)).

def set_value(line: str, statement: int, text: str) -> str:
    at = 10 + 2 * (statement - 1)
    return line[:at] + text + line[at + 2:]


def test_dat_error_value_not_a_number(tmp_path):
    def change(lines):
        lines[4] = set_value(lines[4], 7, "x1")
    msg = error_of(read_dat, lipset_variant(tmp_path, change))
    assert msg.startswith("BROKEN.DAT, line 5: ")
    assert "value for statement 7 of sort 'US3'" in msg and "'x1' is not a number" in msg


def test_dat_error_blank_value(tmp_path):
    def change(lines):
        lines[3] = set_value(lines[3], 12, "  ")
    msg = error_of(read_dat, lipset_variant(tmp_path, change))
    assert "line 4: " in msg and "statement 12 of sort 'US2'" in msg and "is blank" in msg


def test_dat_error_heights_do_not_add_up(tmp_path):
    def change(lines):
        lines[1] = lines[1][:6] + "  0  0  2  3  4  5  5  4  4  3  2" + lines[1][39:]
    msg = error_of(read_dat, lipset_variant(tmp_path, change))
    assert "line 2: column heights add up to 32 but line 1 says 33 statements" in msg


def test_dat_error_height_outside_the_grid(tmp_path):
    def change(lines):
        lines[1] = " -3  3" + lines[1][6:]  # heights still run -4..+4
    msg = error_of(read_dat, lipset_variant(tmp_path, change))
    assert "line 2: column -4 has height 2 but the grid runs from -3 to 3" in msg


def test_dat_error_height_not_a_count(tmp_path):
    def change(lines):
        lines[1] = lines[1][:12] + "  a" + lines[1][15:]
    msg = error_of(read_dat, lipset_variant(tmp_path, change))
    assert "line 2: columns 13-15 should hold the height of column -4, found '  a'" in msg


def test_dat_error_bad_grid_range(tmp_path):
    def low_high_swapped(lines):
        lines[1] = "  4 -4" + lines[1][6:]
    assert "line 2: the lowest grid value 4 is above the highest -4" in error_of(
        read_dat, lipset_variant(tmp_path, low_high_swapped))

    def bad_low(lines):
        lines[1] = " ?4" + lines[1][3:]
    assert "line 2: columns 1-3 should hold the lowest grid value, found ' ?4'" in error_of(
        read_dat, lipset_variant(tmp_path, bad_low))

    def too_low(lines):
        lines[1] = " -7  4" + lines[1][6:]
    assert "line 2: the grid runs from -7 to 4 but the column heights cover -6 to 13" in error_of(
        read_dat, lipset_variant(tmp_path, too_low))


def test_dat_error_grid_line_missing(tmp_path):
    msg = error_of(read_dat, write_lines(tmp_path / "X.DAT", lipset_lines()[:1]))
    assert "X.DAT, line 2: line 2 should hold the grid" in msg


def test_dat_error_header_counts(tmp_path):
    def change(lines):
        lines[0] = "  0 x9" + lines[0][6:]
    msg = error_of(read_dat, lipset_variant(tmp_path, change))
    assert "line 1: columns 4-6 should hold the number of sorts, found ' x9'" in msg


def test_dat_error_sort_count_differs_from_header(tmp_path):
    def change(lines):
        del lines[-1]
    msg = error_of(read_dat, lipset_variant(tmp_path, change))
    assert "line 1: line 1 says 9 sorts but the file holds 8" in msg


def test_dat_error_sort_with_too_few_values(tmp_path):
    def change(lines):
        lines[4] = lines[4][:-4]
    msg = error_of(read_dat, lipset_variant(tmp_path, change))
    assert "line 5: sort 'US3' has 31 values, but line 1 says 33 statements" in msg

    def last_short(lines):
        lines[-1] = lines[-1][:-2]
    msg = error_of(read_dat, lipset_variant(tmp_path, last_short))
    assert "line 11: sort 'FR9' has 32 values, but line 1 says 33 statements" in msg


def test_dat_error_sort_with_too_many_values(tmp_path):
    def change(lines):
        lines[2] += " 1"
    msg = error_of(read_dat, lipset_variant(tmp_path, change))
    assert "line 3: sort 'US1' has 34 values, but line 1 says 33 statements" in msg


def test_dat_error_values_not_in_two_character_columns(tmp_path):
    def change(lines):
        lines[2] = lines[2][:10] + " " + lines[2][10:]
    msg = error_of(read_dat, lipset_variant(tmp_path, change))
    assert "line 3: the values of sort 'US1' do not fill whole 2-character columns" in msg


def test_dat_error_repeated_sort_name(tmp_path):
    def change(lines):
        lines[5] = "US1" + lines[5][3:]
    msg = error_of(read_dat, lipset_variant(tmp_path, change))
    assert "line 6: sort name 'US1' repeats line 3" in msg


def test_dat_error_not_utf8(tmp_path):
    raw = LIPSET_DAT.read_bytes().replace(b"JP5 ", b"JP\xe95")
    (tmp_path / "X.DAT").write_bytes(raw)
    msg = error_of(read_dat, tmp_path / "X.DAT")
    assert "X.DAT, line 7: byte 0xe9 at column 3 is not UTF-8 text" in msg


def test_dat_error_empty_file(tmp_path):
    (tmp_path / "E.DAT").write_bytes(b"")
    assert error_of(read_dat, tmp_path / "E.DAT") == "E.DAT: the file is empty"


def test_sta_error_too_few_and_too_many_statements(tmp_path):
    dat = tmp_path / "L.DAT"
    dat.write_bytes(LIPSET_DAT.read_bytes())
    lines = LIPSET_STA.read_bytes().decode().split("\r\n")[:-1]
    write_lines(tmp_path / "L.STA", lines[:-1])
    msg = error_of(read_dat, dat)
    assert "L.STA, line 32: the file ends after 32 statements, but L.DAT has 33" in msg
    write_lines(tmp_path / "L.STA", lines + ["An extra statement"])
    msg = error_of(read_dat, dat)
    assert "L.STA, line 34: statement 34, but L.DAT has 33 statements" in msg
    # Blank lines after the last statement are not statements.
    write_lines(tmp_path / "L.STA", lines + ["", "   "])
    assert read_sta(tmp_path / "L.STA", 33) == read_sta(LIPSET_STA)


def test_write_dat_cuts_long_names_and_titles_with_a_warning(tmp_path):
    data = QSortData(sorts=table([[1, -1], [-1, 1]], ["a", "b"], ["participant1", "x"]),
                     title="T" * 70)
    with pytest.warns(FormatWarning) as record:
        write_dat(data, tmp_path / "A.DAT")
    messages = [str(w.message) for w in record]
    assert any("sort names longer than 8 characters were cut: 'participant1'" in m for m in messages)
    assert "A.DAT: the title was cut to 68 characters" in messages
    back = read_dat(tmp_path / "A.DAT")
    assert list(back.sorts.columns) == ["particip", "x"]
    assert back.title == "T" * 68
    clash = QSortData(sorts=table([[1, -1], [-1, 1]], ["a", "b"], ["person_01", "person_02"]))
    with pytest.warns(FormatWarning), pytest.raises(InputError, match="both 'person_0' once cut"):
        write_dat(clash, tmp_path / "B.DAT")


def test_write_dat_refuses_what_the_layout_cannot_hold(tmp_path):
    data = QSortData(sorts=table([[-7, 7], [7, -7]], ["a", "b"], ["p", "q"]))
    with pytest.raises(InputError, match="the grid runs from -7 to 7"):
        write_dat(data, tmp_path / "A.DAT")
    bad = QSortData(sorts=table([[1, -1], [-1, 1]], ["a", "b"], ["p", "q"]).astype(object))
    bad.sorts.iat[0, 1] = 0.5
    with pytest.raises(InputError, match="statement 'a', participant 'q': 0.5 is not a whole"):
        write_dat(bad, tmp_path / "A.DAT")


def test_write_sta_cuts_long_texts_and_needs_texts(tmp_path):
    data = QSortData(sorts=table([[1, -1], [-1, 1]], ["a", "b"], ["p", "q"]),
                     statements=texts(["x" * 61, "short"], ["a", "b"]))
    with pytest.warns(FormatWarning, match="statements 1 are longer than 60"):
        write_sta(data, tmp_path / "A.STA")
    assert read_sta(tmp_path / "A.STA") == ["x" * 60, "short"]
    with pytest.raises(InputError, match="no statement texts"):
        write_sta(QSortData(sorts=data.sorts), tmp_path / "B.STA")


# -- Ken-Q -----------------------------------------------------------------

def test_kenq_senmon_equals_the_senmon_csv_dataset():
    data = read_kenq_json(KENQ)
    ref = reference_csv("senmon")
    assert list(data.sorts.columns) == list(ref.columns)
    np.testing.assert_array_equal(data.sorts.to_numpy(), ref.to_numpy())
    assert list(data.sorts.index) == [f"s{k}" for k in range(1, 31)]
    p01 = data.extra["P01"]
    assert p01["_key"] == "-L36OzRI9W5xJ6i-mWBD" and p01["randomId"] == "pphlmyz"
    assert "sort" not in p01 and "participantName" not in p01
    assert data.grid is None


def test_kenq_written_back_is_byte_identical(tmp_path):
    write_kenq_json(read_kenq_json(KENQ), tmp_path / "k.json")
    assert (tmp_path / "k.json").read_bytes() == KENQ.read_bytes()


def test_kenq_statement_ids_can_be_given():
    ids = [f"q{k:02d}" for k in range(1, 31)]
    assert list(read_kenq_json(KENQ, statement_ids=ids).sorts.index) == ids
    with pytest.raises(InputError, match="2 statement ids were given"):
        read_kenq_json(KENQ, statement_ids=["a", "b"])


def test_kenq_participant_falls_back_to_the_record_key(tmp_path):
    doc = {"k1": {"sort": "+1|-1"}, "k2": {"participantName": "", "sort": "-1|+1"}}
    (tmp_path / "k.json").write_text(json.dumps(doc))
    data = read_kenq_json(tmp_path / "k.json")
    assert list(data.sorts.columns) == ["k1", "k2"]


def kenq_file(tmp_path: Path, text: str) -> Path:
    (tmp_path / "k.json").write_text(text, encoding="utf-8")
    return tmp_path / "k.json"


def test_kenq_error_bad_json_names_its_line(tmp_path):
    text = KENQ.read_text().replace('"name": "Ken-Q Client",', '"name": "Ken-Q Client"', 1)
    msg = error_of(read_kenq_json, kenq_file(tmp_path, text))
    # json reports the missing comma where the next member starts: line 10.
    assert msg.startswith("k.json, line 10: not valid JSON: Expecting ',' delimiter")


def test_kenq_error_sort_with_the_wrong_count(tmp_path):
    text = KENQ.read_text().replace("-2|+2|+0\",", "-2|+2\",", 1)
    msg = error_of(read_kenq_json, kenq_file(tmp_path, text))
    assert "k.json, line 35: the sort of participant 'P02' has 30 values, but that of 'P01' " \
           "(line 17) has 29" in msg


def test_kenq_error_value_not_a_number(tmp_path):
    text = KENQ.read_text().replace("+2|-2|+0|+3", "+2|-2|x|+3", 1)
    msg = error_of(read_kenq_json, kenq_file(tmp_path, text))
    assert "k.json, line 17: in the sort of participant 'P01', the value for statement 3 " \
           "'x' is not a whole number" in msg
    text = KENQ.read_text().replace("+2|-2|+0|+3", "+2||+0|+3", 1)
    msg = error_of(read_kenq_json, kenq_file(tmp_path, text))
    assert "line 17: in the sort of participant 'P01', the value for statement 2 is missing" in msg


def test_kenq_error_repeated_participant(tmp_path):
    text = KENQ.read_text().replace('"participantName": "P02"', '"participantName": "P01"', 1)
    msg = error_of(read_kenq_json, kenq_file(tmp_path, text))
    assert "line 28: participant 'P01' appears twice (also on line 10)" in msg


def test_kenq_error_repeated_record_key(tmp_path):
    msg = error_of(read_kenq_json, kenq_file(
        tmp_path, '{\n "a": {"sort": "+1|-1"},\n "a": {"sort": "-1|+1"}\n}'))
    assert "k.json, line 3: record key 'a' repeats line 2" in msg


def test_kenq_error_structure(tmp_path):
    assert "line 1: expected an object of participants" in error_of(
        read_kenq_json, kenq_file(tmp_path, '[1, 2]'))
    assert "line 1: the file holds no participants" in error_of(
        read_kenq_json, kenq_file(tmp_path, '{}'))
    assert "line 2: record 'a' should be an object" in error_of(
        read_kenq_json, kenq_file(tmp_path, '{\n "a": 3}'))
    assert "line 2: participant 'a' has no \"sort\" field" in error_of(
        read_kenq_json, kenq_file(tmp_path, '{\n "a": {"x": 1}}'))
    assert "line 3: the sort of participant 'a' should be a text" in error_of(
        read_kenq_json, kenq_file(tmp_path, '{\n "a": {\n "sort": 5}}'))
    assert error_of(read_kenq_json, kenq_file(tmp_path, "\n")) == "k.json: the file is empty"


# -- CSV tables ----------------------------------------------------------------

@pytest.mark.parametrize("name", ["lipset", "senmon", "ipad", "cegebe"])
def test_reference_csv_read_and_written_back_byte_identical(name, tmp_path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FormatWarning)  # cegebe's "S8" ids, see below
        data = read_sorts_csv(DATASETS / name / "sorts.csv")
    ref = reference_csv(name)
    np.testing.assert_array_equal(data.sorts.to_numpy(), ref.to_numpy())
    assert list(data.sorts.columns) == list(ref.columns)
    assert list(data.sorts.index) == list(ref.index)
    assert data.statements is not None and list(data.statements.index) == list(ref.index)
    write_sorts_csv(data, tmp_path / "sorts.csv")
    assert (tmp_path / "sorts.csv").read_bytes() == (DATASETS / name / "sorts.csv").read_bytes()


def test_statements_txt_numbered_and_cr_only():
    senmon = read_sorts_csv(DATASETS / "senmon" / "sorts.csv").statements
    assert senmon["s1"] == "We should raise TOEIC scores of current students."
    assert senmon["s30"] == "We should remodel the cafeteria."
    ipad = read_sorts_csv(DATASETS / "ipad" / "sorts.csv").statements  # CR line ends
    assert len(ipad) == 30 and ipad.map(len).gt(5).all()
    assert ipad["s30"] == "授業中のiPadを使用すると、不便でした"


def test_statements_csv_ids_differing_in_case_are_matched_with_a_warning():
    with pytest.warns(FormatWarning, match=r"'S8' \(line 9\) as 's8'"):
        data = read_sorts_csv(DATASETS / "cegebe" / "sorts.csv")
    assert data.statements["s8"] == "Apply biotechnology and bioengineering solutions"


def small_table(tmp_path: Path, statements: str | None = None, name="statements.txt") -> Path:
    (tmp_path / "sorts.csv").write_text("statement,A,B\ns1,1,-1\ns2,0,0\ns3,-1,1\n")
    if statements is not None:
        (tmp_path / name).write_text(statements, encoding="utf-8")
    return tmp_path / "sorts.csv"


def test_statements_txt_layouts(tmp_path):
    path = small_table(tmp_path, "1. one 2. two, too 3. three")
    assert read_sorts_csv(path).statements.tolist() == ["one", "two, too", "three"]
    path = small_table(tmp_path, "2) two\n\n3) three\n1) one\n\n")
    assert read_sorts_csv(path).statements.tolist() == ["one", "two", "three"]
    path = small_table(tmp_path, "alpha\r\nbeta\r\ngamma\r\n")
    assert read_sorts_csv(path).statements.tolist() == ["alpha", "beta", "gamma"]


def test_statements_txt_that_cannot_be_matched_leaves_texts_out(tmp_path):
    path = small_table(tmp_path, "alpha\nbeta\n")
    with pytest.warns(FormatWarning, match="2 non-blank lines for the 3 statements"):
        assert read_sorts_csv(path).statements is None
    path = small_table(tmp_path, "one run-on text without numbers")
    with pytest.warns(FormatWarning, match="texts left out"):
        assert read_sorts_csv(path).statements is None


def test_statements_file_can_be_given(tmp_path):
    path = small_table(tmp_path)
    other = tmp_path / "texts.csv"
    other.write_text("id,wording\ns3,c\ns1,a\ns2,b\n")
    assert read_sorts_csv(path, statements_path=other).statements.tolist() == ["a", "b", "c"]
    assert read_sorts_csv(path).statements is None


def test_texts_named_after_the_table_come_first(tmp_path):
    # python -m storage export-sorts FILE.csv writes FILE.statements.csv beside it
    path = small_table(tmp_path)
    (tmp_path / f"{path.stem}.statements.csv").write_text("statement,text\ns1,own\ns2,b\ns3,c\n")
    (tmp_path / "statements.csv").write_text("statement,text\ns1,generic\ns2,b\ns3,c\n")
    assert read_sorts_csv(path).statements.tolist() == ["own", "b", "c"]


def test_csv_with_semicolons_and_blanks(tmp_path):
    (tmp_path / "t.csv").write_text("\ufeffstatement; A ;B\n\ns1; 1;-1\ns2;+0; 0.0\n")
    data = read_sorts_csv(tmp_path / "t.csv")
    pd.testing.assert_frame_equal(data.sorts, table([[1, -1], [0, 0]], ["s1", "s2"], ["A", "B"]))


def csv_file(tmp_path: Path, text: str) -> Path:
    (tmp_path / "t.csv").write_bytes(text.encode("utf-8"))
    return tmp_path / "t.csv"


@pytest.mark.parametrize("text, expected", [
    ("statement,A,B\ns1,1,-1\ns2,0,x1\n", "t.csv, line 3: the value for statement 's2', participant 'B' 'x1' is not a whole number"),
    ("statement,A,B\ns1,1,-1\ns2,0, \n", "t.csv, line 3: the value for statement 's2', participant 'B' is missing"),
    ("statement,A,B\ns1,1,2.5\n", "t.csv, line 2: the value for statement 's1', participant 'B' '2.5' is not a whole number"),
    ("statement,A,B\ns1,1,-1\ns2,0\n", "t.csv, line 3: 2 cells, but the header has 3 columns"),
    ("statement,A,B\ns1,1,-1\ns1,0,0\n", "t.csv, line 3: statement id 's1' repeats line 2"),
    ("statement,A,B\n,1,-1\n", "t.csv, line 2: the statement id (first cell) is empty"),
    ("statement,A,A\ns1,1,-1\n", "t.csv, line 1: participant id 'A' is in columns 2 and 3"),
    ("statement,A,,B\ns1,1,-1,0\n", "t.csv, line 1: column 3 of the header has no participant id"),
    ("statement\ns1\n", "t.csv, line 1: the header names no participants"),
    ("statement,A,B\n\n", "t.csv, line 1: there are no statement rows after the header"),
    ('statement,A,B\ns1,1,-1\n"s2,0,0\n', "t.csv, line 3: a quoted cell is not closed"),
    ("", "t.csv: the file is empty"),
])
def test_csv_error_messages(tmp_path, text, expected):
    assert error_of(read_sorts_csv, csv_file(tmp_path, text)).startswith(expected)


# -- the fast path of the CSV reader ---------------------------------------------------------
def _render(values, ids, cols, style) -> str:
    delim, quote_ids, pad, plus, crlf, blank_after = style
    end = "\r\n" if crlf else "\n"
    head = delim.join(["statement", *cols])
    lines = [head]
    for i, (sid, row) in enumerate(zip(ids, values)):
        cells = [(f"+{v}" if plus and v > 0 else str(v)) for v in row]
        cells = [f"{pad}{c}{pad}" for c in cells]
        lines.append(delim.join([f'"{sid}"' if quote_ids else sid, *cells]))
        if i == blank_after:
            lines.append("")
    return end.join(lines) + end


_STYLE = st.tuples(st.sampled_from([",", ";", "\t"]), st.booleans(), st.sampled_from(["", " ", "\t"]),
                   st.booleans(), st.booleans(), st.integers(-1, 4))
_EDIT = st.lists(st.tuples(st.integers(0, 10 ** 6),
                           st.sampled_from(list("x ,;\t\"+-.0e9\n\r_") + ["", "1.5", "- ", " 1"])),
                 max_size=3)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(1, 6), st.integers(1, 7), st.data(), _STYLE, _EDIT)
def test_fast_csv_path_accepts_only_what_the_checked_reader_accepts(n, N, draw, style, edits):
    """The NumPy path either declines (the cell-by-cell reader then reads the
    file or names the problem) or gives exactly the checked reader's table."""
    from qmethod.io.sorts_csv import _checked_table, _fast_table
    values = draw.draw(st.lists(st.lists(st.integers(-6, 6), min_size=N, max_size=N),
                                min_size=n, max_size=n))
    text = _render(values, [f"s{i}" for i in range(n)], [f"P{j}" for j in range(N)], style)
    for at, typed in edits:                   # random slips of the keyboard (or deletions)
        at %= len(text) + 1
        text = text[:at] + typed + text[at + (1 if typed == "" else 0):]
    try:
        want = _checked_table(text, "t.csv")
    except FormatError:
        want = None
    got = _fast_table(text)
    if got is None:
        return
    assert want is not None, f"fast path accepted a file the checked reader refuses:\n{text!r}"
    assert got[0] == want[0] and got[1] == want[1]
    np.testing.assert_array_equal(got[2], np.array(want[2], dtype=np.int64))


def test_fast_csv_path_reads_the_usual_files():
    from qmethod.io._common import read_text
    from qmethod.io.sorts_csv import _fast_table
    for name in ("lipset", "senmon", "ipad", "cegebe"):
        assert _fast_table(read_text(DATASETS / name / "sorts.csv")) is not None, name
    r_style = '"statement","A","B"\r\n"s1",1,-1\r\n"s2",-1,1\r\n'
    ids, cols, values = _fast_table(r_style)
    assert (ids, cols, values.tolist()) == (["s1", "s2"], ["A", "B"], [[1, -1], [-1, 1]])
    from qmethod.io.sorts_csv import _fast_row
    assert _fast_row(" 1 , -2 ,+3,45,-678,0007", ",", 6).tolist() == [1, -2, 3, 45, -678, 7]
    for bad in ("1,,2", "1 2,3,4", "- 1,2,3", "1,2,-", "1-2,3,4", "+-1,2,3", "1,2,x"):
        assert _fast_row(bad, ",", 3) is None, bad
    # huge numbers are left to the checked reader
    for huge in ("99999999999999999999", "-99999999999999999999", "1000001"):
        assert _fast_table(f"statement,A,B\ns1,1,{huge}\ns2,-1,1\n") is None
    # a blank cell is not a 0 (numpy alone would read it so)
    assert _fast_table("statement,A,B\ns1,1, \ns2, ,1\n") is None


def test_a_bad_cell_in_a_large_file_is_still_named(tmp_path):
    rng = np.random.default_rng(0)
    X = rng.integers(-3, 4, size=(20, 5000))
    df = pd.DataFrame(X, index=[f"s{i}" for i in range(20)], columns=[f"p{j}" for j in range(5000)])
    df.index.name = "statement"
    df.to_csv(tmp_path / "big.csv")
    assert read_sorts_csv(tmp_path / "big.csv").sorts.shape == (20, 5000)
    lines = (tmp_path / "big.csv").read_text().splitlines()
    cells = lines[7].split(",")
    cells[4001] = "3.5"
    lines[7] = ",".join(cells)
    (tmp_path / "big.csv").write_text("\n".join(lines) + "\n")
    assert error_of(read_sorts_csv, tmp_path / "big.csv") == (
        "big.csv, line 8: the value for statement 's6', participant 'p4000' '3.5' is not a whole number")


def test_csv_error_not_utf8(tmp_path):
    (tmp_path / "t.csv").write_bytes(b"statement,A,B\ns1,1,-1\ns2,\x96,0\n")
    assert error_of(read_sorts_csv, tmp_path / "t.csv").startswith(
        "t.csv, line 3: byte 0x96 at column 4 is not UTF-8 text")


def test_statements_csv_error_messages(tmp_path):
    path = small_table(tmp_path, "statement,text\ns1,a\ns9,b\n", name="statements.csv")
    assert "statements.csv, line 3: statement id 's9' is not in the sorts table" in error_of(
        read_sorts_csv, path)
    path = small_table(tmp_path, "statement,text\ns1,a\ns1,b\n", name="statements.csv")
    assert "statements.csv, line 3: statement id 's1' repeats line 2" in error_of(read_sorts_csv, path)
    path = small_table(tmp_path, "statement,text\ns1,a\n", name="statements.csv")
    assert "statements.csv: no text for statements 's2', 's3'" in error_of(read_sorts_csv, path)


# -- read_any / write_any --------------------------------------------------------

def test_read_any_dispatches_on_the_extension_in_any_case(tmp_path):
    (tmp_path / "k.JSON").write_bytes(KENQ.read_bytes())
    assert read_any(tmp_path / "k.JSON").sorts.shape == (30, 10)
    assert read_any(LIPSET_DAT).sorts.shape == (33, 9)
    assert read_any(DATASETS / "senmon" / "sorts.csv").sorts.shape == (30, 10)


def test_read_any_errors(tmp_path):
    assert error_of(read_any, tmp_path / "x.xlsx").startswith(
        "x.xlsx: cannot tell the format from the extension '.xlsx'; known: .csv")
    assert "read the .DAT file; its .STA is read with it" in error_of(read_any, LIPSET_STA)
    assert error_of(read_any, tmp_path / "missing.csv") == "missing.csv: file not found"
    with pytest.raises(FormatError, match="extension '.txt'"):
        write_any(read_dat(LIPSET_DAT), tmp_path / "x.txt")


def test_write_any_round_trips_every_format(tmp_path):
    data = read_dat(LIPSET_DAT)
    for name in ["a.csv", "b.json", "c.dat"]:
        write_any(data, tmp_path / name)
        pd.testing.assert_frame_equal(read_any(tmp_path / name).sorts, data.sorts)
    pd.testing.assert_series_equal(read_any(tmp_path / "a.csv").statements, data.statements)
    pd.testing.assert_series_equal(read_any(tmp_path / "c.dat").statements, data.statements)


# -- property tests: random forced-grid data -> write -> read -> equal -----------

@st.composite
def grids(draw, low=-6, high=6, max_height=7):
    lo = draw(st.integers(low, -1))
    hi = draw(st.integers(1, high))
    heights = draw(st.lists(st.integers(0, max_height), min_size=hi - lo + 1,
                            max_size=hi - lo + 1).filter(lambda h: sum(h) >= 2))
    return Grid.from_range(lo, hi, heights)


def unique_ids(alphabet, max_size):
    return st.lists(st.text(alphabet, min_size=1, max_size=max_size).map(str.strip).filter(bool),
                    min_size=1, max_size=6, unique=True)


@st.composite
def forced_data(draw, ids, statement_ids=None, text=None):
    grid = draw(grids())
    n = grid.n_statements
    pids = draw(ids)
    cols = [draw(st.permutations(grid.distribution().tolist())) for _ in pids]
    sids = (draw(st.lists(statement_ids, min_size=n, max_size=n, unique=True))
            if statement_ids is not None else [f"s{k}" for k in range(1, n + 1)])
    statements = None
    if text is not None:
        statements = texts(draw(st.lists(text, min_size=n, max_size=n)), sids)
    return QSortData(sorts=table(np.array(cols, dtype=np.int64).T.reshape(n, len(pids)), sids, pids),
                     statements=statements, grid=grid)


ANY_TEXT = st.characters(blacklist_categories=("Cs",))
LINE_TEXT = st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp"))
PROPERTY = settings(max_examples=60, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@PROPERTY
@given(forced_data(ids=unique_ids(st.characters(blacklist_categories=("Cs", "Cc")), 12),
                   statement_ids=st.text(st.characters(blacklist_categories=("Cs", "Cc")),
                                         min_size=1, max_size=8).map(str.strip).filter(bool),
                   text=st.text(ANY_TEXT, max_size=40)))
def test_property_csv_round_trip(data):
    with tempfile.TemporaryDirectory() as tmp:
        write_sorts_csv(data, Path(tmp) / "sorts.csv")
        back = read_sorts_csv(Path(tmp) / "sorts.csv")
    pd.testing.assert_frame_equal(back.sorts, data.sorts)
    pd.testing.assert_series_equal(back.statements, data.statements)


@PROPERTY
@given(forced_data(ids=unique_ids(string.ascii_letters + string.digits + "_-. ", 8),
                   text=st.text(LINE_TEXT, max_size=60).map(str.rstrip)),
       st.text(LINE_TEXT, max_size=68).map(str.strip))
def test_property_dat_sta_round_trip(data, title):
    data.title = title
    with tempfile.TemporaryDirectory() as tmp:
        write_dat(data, Path(tmp) / "P.DAT")
        write_sta(data, Path(tmp) / "P.STA")
        back = read_dat(Path(tmp) / "P.DAT")
    pd.testing.assert_frame_equal(back.sorts, data.sorts)
    pd.testing.assert_series_equal(back.statements, data.statements)
    assert back.grid == data.grid
    assert back.title == title


@PROPERTY
@given(forced_data(ids=unique_ids(ANY_TEXT, 12)),
       st.dictionaries(st.text(max_size=8).filter(lambda k: k not in ("sort", "participantName", "_key")),
                       st.one_of(st.text(ANY_TEXT, max_size=10), st.integers(), st.booleans()),
                       max_size=3))
def test_property_kenq_round_trip(data, fields):
    data.extra = {p: dict(fields) for p in data.sorts.columns}
    with tempfile.TemporaryDirectory() as tmp:
        write_kenq_json(data, Path(tmp) / "k.json")
        back = read_kenq_json(Path(tmp) / "k.json")
    pd.testing.assert_frame_equal(back.sorts, data.sorts)
    for p in data.sorts.columns:
        assert back.extra[p] == {**fields, "_key": p}


EDIT_BYTES = b" -+0123456789|,\"{}[]:\r\n\x00\xe9ax."


@PROPERTY
@given(st.sampled_from(["LIPSET.DAT", "kenq.json", "sorts.csv"]),
       st.lists(st.tuples(st.sampled_from(["set", "insert", "delete", "cut"]),
                          st.floats(0, 1, exclude_max=True), st.sampled_from(list(EDIT_BYTES))),
                min_size=1, max_size=6))
def test_property_damaged_files_raise_only_format_errors(name, edits):
    source, reader = {"LIPSET.DAT": (LIPSET_DAT, read_dat), "kenq.json": (KENQ, read_kenq_json),
                      "sorts.csv": (DATASETS / "senmon" / "sorts.csv", read_sorts_csv)}[name]
    raw = bytearray(source.read_bytes())
    for op, where, byte in edits:
        i = int(where * len(raw)) if raw else 0
        if op == "set" and raw:
            raw[i] = byte
        elif op == "insert":
            raw.insert(i, byte)
        elif op == "delete" and raw:
            del raw[i]
        elif op == "cut":
            del raw[i:]
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / name).write_bytes(bytes(raw))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FormatWarning)
            try:
                data = reader(Path(tmp) / name)
            except FormatError as exc:
                assert str(exc).startswith(name + ":") or str(exc).startswith(name + ", line ")
                return
    assert data.sorts.dtypes.eq(np.int64).all()
