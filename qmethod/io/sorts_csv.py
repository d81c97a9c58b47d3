"""Statements x participants CSV tables (the qmethod and Ken-Q Analysis layout).

Layout, as in the reference ``datasets/*/sorts.csv``::

    statement,P01,P02,...
    s1,2,-1,...
    s2,0,3,...

Line 1 is the header: its first cell names the id column (``statement``; any
name is accepted) and every further cell is a participant id. Every other line
is a statement id followed by one whole-number grid score per participant.
Cells are separated by commas; a header with semicolons or tabs and no comma is
read with that separator instead (spreadsheet exports in some locales). Ids and
scores are stripped of surrounding blanks, blank lines are skipped, and quoted
cells follow RFC 4180.

Statement texts are read from a file beside the table (or ``statements_path``):

* ``statements.csv``: a header line, then one (id, text) row per statement;
  columns named ``statement`` and ``text`` are used when present, otherwise the
  first two columns. The ids must be the table's ids (in any order).
* ``statements.txt``: one text per line (CRLF, LF or lone CR line ends, all
  seen in the reference data), in the table's row order, optionally numbered
  ``1. `` / ``1) ``; numbered texts are placed by their numbers. When every
  statement sits on one line numbered ``1. ... 2. ...`` it is split at those
  numbers. When the texts cannot be matched one to one with the statements,
  they are left out (``statements`` is None) with a :class:`FormatWarning`.

``<table stem>.statements.csv`` (what ``python -m storage export-sorts`` writes
beside ``FILE.csv``) is used first, then ``statements.csv``, then ``statements.txt``. The reader returns no grid, no
title and no extras: the format has none, and ``write_sorts_csv`` drops them.
It writes UTF-8 with CRLF line ends (RFC 4180, as the reference tables) and,
when the data have texts, ``statements.csv`` beside the table.
"""
from __future__ import annotations

import csv
import io
import re
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from ..cells import safe_cells, unquote_cell
from ..data import QSortData
from ..errors import FormatError, InputError
from ..files import atomic_output
from ._common import (
    _LINE_BREAK,
    MAX_SCORE,
    FormatWarning,
    file_label,
    make_sorts,
    parse_int,
    read_text,
    split_lines,
    table_for_writing,
    texts_for_writing,
)

__all__ = ["read_sorts_csv", "write_sorts_csv"]

_NUMBERED = re.compile(r"\s*(\d+)\s*[.)．）]\s*")


def _rows(text: str, label: str) -> list[tuple[int, list[str]]]:
    """Non-blank CSV records as (first line number, cells)."""
    first = next((ln for ln in split_lines(text) if ln.strip()), "")
    delimiter = ","
    if "," not in first:
        delimiter = ";" if ";" in first else ("\t" if "\t" in first else ",")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    out, line = [], 1
    try:
        for cells in reader:
            if any(c.strip() for c in cells):
                out.append((line, cells))
            line = reader.line_num + 1
    except csv.Error as exc:
        problem = ("a quoted cell is not closed" if "end of data" in str(exc)
                   else f"not valid CSV ({exc})")
        raise FormatError(problem, path=label, line=line) from None
    if not out:
        raise FormatError("the file holds no rows", path=label)
    return out


def read_sorts_csv(path, statements_path=None) -> QSortData:
    """Read a statements x participants CSV table (see the module docstring).

    Returns QSortData with ``sorts`` of shape (n statements, N participants),
    int64, index = statement ids, columns = participant ids (file order), and
    ``statements`` (texts indexed by statement id) or None.

    A well-formed table (whole numbers, no quoted scores) is parsed by NumPy a
    statement row at a time; anything else, including every file with a
    problem, goes through the cell-by-cell reader that names the line and the
    cell at fault. Both give the same table for the files both accept.
    """
    path = Path(path)
    label = file_label(path)
    text = read_text(path)
    table = _fast_table(text)
    if table is None:
        table = _checked_table(text, label)
    del text
    ids, participants, values = table
    ids, participants = _unquoted(ids), _unquoted(participants)
    sorts = make_sorts(values, ids, participants)
    if statements_path is None:
        names = (f"{path.stem}.statements.csv", "statements.csv", "statements.txt")
        statements_path = next((path.parent / n for n in names if (path.parent / n).is_file()), None)
    statements = None
    if statements_path is not None:
        statements_path = Path(statements_path)
        if statements_path.suffix.lower() == ".csv":
            statements = _statements_csv(statements_path, ids)
        else:
            statements = _statements_txt(statements_path, ids, label)
    return QSortData(sorts=sorts, statements=statements)


def _unquoted(cells: list[str]) -> list[str]:
    """Cells without the apostrophe our writers put before a formula start."""
    return [unquote_cell(c) if c[:1] == "'" else c for c in cells]


def _checked_table(text: str, label: str) -> tuple[list[str], list[str], list[list[int]]]:
    """(statement ids, participant ids, scores by row), cell by cell; every
    problem raises a FormatError naming its line and cell."""
    rows = _rows(text, label)
    head_line, header = rows[0]
    participants = [c.strip() for c in header[1:]]
    if not participants:
        raise FormatError("the header names no participants (expected the statement id "
                          "column, then one column per participant)", path=label, line=head_line)
    seen: dict[str, int] = {}
    for k, p in enumerate(participants, start=2):
        if not p:
            raise FormatError(f"column {k} of the header has no participant id",
                              path=label, line=head_line)
        if p in seen:
            raise FormatError(f"participant id {p!r} is in columns {seen[p]} and {k}",
                              path=label, line=head_line)
        seen[p] = k
    if len(rows) == 1:
        raise FormatError("there are no statement rows after the header", path=label,
                          line=head_line)

    ids: list[str] = []
    values: list[list[int]] = []
    where: dict[str, int] = {}
    for line, cells in rows[1:]:
        if len(cells) != len(header):
            raise FormatError(f"{len(cells)} cells, but the header has {len(header)} columns",
                              path=label, line=line)
        sid = cells[0].strip()
        if not sid:
            raise FormatError("the statement id (first cell) is empty", path=label, line=line)
        if sid in where:
            raise FormatError(f"statement id {sid!r} repeats line {where[sid]}",
                              path=label, line=line)
        where[sid] = line
        row = []
        for p, cell in zip(participants, cells[1:]):
            v = parse_int(cell)
            if v is None:
                problem = ("is missing" if not cell.strip()
                           else f"{cell.strip()!r} is not a whole number")
                raise FormatError(f"the value for statement {sid!r}, participant {p!r} {problem}",
                                  path=label, line=line)
            row.append(v)
        ids.append(sid)
        values.append(row)

    return ids, participants, values


#: Line breaks str.splitlines knows beyond those of the checked reader (CR, LF, CRLF).
_OTHER_BREAKS = "\v\f\x1c\x1d\x1e\x85\u2028\u2029"


def _fast_row(rest: str, delim: str, N: int) -> np.ndarray | None:
    """The N whole numbers of one row's score cells, or None if anything is unusual.

    The row must be exactly N cells of ``[blanks] [sign] digits [blanks]``
    (what the checked reader accepts as a plainly written whole number),
    checked with byte masks (a few fast passes) before it is read: numpy's
    parser alone is lenient (a blank cell reads as 0, "- 1" as -1).
    """
    try:
        raw = rest.encode("ascii")
    except UnicodeEncodeError:
        return None
    if not raw:
        return None
    b = np.frombuffer(raw, dtype=np.uint8)
    sep = b == ord(delim)
    if np.count_nonzero(sep) != N - 1:
        return None
    digit = (b - np.uint8(48)) < 10                            # wraps below "0"
    sign = (b == ord("-")) | (b == ord("+"))
    blank = (b == ord(" ")) | ((b == ord("\t")) if delim != "\t" else False)
    if not np.all(digit | sign | sep | blank):
        return None
    gap = None
    if blank.any():                    # drop the blanks, remembering where they were
        keep = ~blank
        gap = np.zeros(b.size, dtype=bool)
        gap[1:] = blank[:-1]
        digit, sign, gap = digit[keep], sign[keep], gap[keep]
        if digit.size == 0:
            return None
    if int(digit[0]) + np.count_nonzero(digit[1:] & ~digit[:-1]) != N:   # one digit run per cell
        return None
    if sign[-1] or np.count_nonzero(sign[:-1] & digit[1:]) != np.count_nonzero(sign) \
            or np.any(digit[:-1] & sign[1:]):                  # a sign right before its digits
        return None
    if gap is not None and np.any((digit[:-1] | sign[:-1]) & digit[1:] & gap[1:]):
        return None                                            # "1 2", "- 1"
    if gap is None and np.count_nonzero(digit) == N:
        # one digit per cell, as on every grid up to +-9: it is the cell's last
        # byte, and a minus sign its first (faster than numpy's parser)
        ends = np.empty(N, dtype=np.intp)
        ends[:-1] = np.flatnonzero(sep)
        ends[-1] = b.size
        values = b[ends - 1].astype(np.int64) - 48
        starts = np.zeros(N, dtype=np.intp)
        starts[1:] = ends[:-1] + 1
        values[b[starts] == ord("-")] *= -1
        return values
    with warnings.catch_warnings():    # numpy warns on a cell it cannot read (none is left)
        warnings.simplefilter("error")
        try:
            values = np.fromstring(rest, dtype=np.int64, sep=delim)
        except (ValueError, DeprecationWarning):
            return None
    return values if values.size == N else None


def _fast_table(text: str):
    """The table parsed without a Python step per cell, or None whenever
    anything is unusual (the checked reader then reads it, or says what is
    wrong). Accepts exactly what the checked reader accepts as whole-number
    scores written plainly (``3``, ``-2``, `` +1 ``); a property test holds
    the two readers to that."""
    lines = (_LINE_BREAK.split(text) if any(c in text for c in _OTHER_BREAKS)
             else text.splitlines())
    start = next((i for i, ln in enumerate(lines) if ln.strip()), None)
    if start is None:
        return None
    first = lines[start]
    delim = ","
    if "," not in first:
        delim = ";" if ";" in first else ("\t" if "\t" in first else ",")
    try:
        header = next(csv.reader([first], delimiter=delim, strict=True))
    except (csv.Error, StopIteration):
        return None
    participants = [c.strip() for c in header[1:]]
    N = len(participants)
    if N == 0 or not all(participants) or len(set(participants)) != N:
        return None
    ids, seen = [], set()
    values = None
    for line in lines[start + 1:]:
        if not line.strip(delim + " \t"):
            continue                                    # a blank record
        if line.startswith('"'):                        # a quoted id, as R writes them
            end = line.find('"', 1)
            if end < 0 or line[end + 1:end + 2] != delim:
                return None
            sid, rest = line[1:end].strip(), line[end + 2:]
        else:
            sid, sep, rest = line.partition(delim)
            sid = sid.strip()
            if not sep or '"' in sid:
                return None
        if not sid or sid in seen:
            return None
        row = _fast_row(rest, delim, N)
        if row is None:
            return None
        if values is None:                              # at most one row per line left
            values = np.empty((len(lines) - start - 1, N), dtype=np.int64)
        values[len(ids)] = row
        seen.add(sid)
        ids.append(sid)
    if not ids:
        return None
    values = values[:len(ids)]
    if values.min() < -MAX_SCORE or values.max() > MAX_SCORE:   # also catches int64 overflow
        return None
    return ids, participants, values


def _statements_csv(path: Path, ids: list[str]) -> pd.Series:
    label = file_label(path)
    rows = _rows(read_text(path), label)
    head_line, header = rows[0]
    names = [h.strip().lower() for h in header]
    if "statement" in names and "text" in names:
        ci, ti = names.index("statement"), names.index("text")
    elif len(header) >= 2:
        ci, ti = 0, 1
    else:
        raise FormatError("expected two columns, statement id and text", path=label,
                          line=head_line)
    texts: dict[str, str] = {}
    where: dict[str, int] = {}
    known = set(ids)
    # Real files differ in case only ("S8" for "s8" in the cegebe study): such
    # ids are matched when that is unambiguous, with a warning.
    folded: dict[str, list[str]] = {}
    for s in ids:
        folded.setdefault(s.casefold(), []).append(s)
    refolded = []
    for line, cells in rows[1:]:
        if len(cells) <= max(ci, ti):
            raise FormatError(f"{len(cells)} cells, expected a statement id and a text",
                              path=label, line=line)
        sid = unquote_cell(cells[ci].strip())
        if sid not in known and len(folded.get(sid.casefold(), [])) == 1:
            refolded.append(f"{sid!r} (line {line}) as {folded[sid.casefold()][0]!r}")
            sid = folded[sid.casefold()][0]
        if sid not in known:
            raise FormatError(f"statement id {sid!r} is not in the sorts table", path=label,
                              line=line)
        if sid in where:
            raise FormatError(f"statement id {sid!r} repeats line {where[sid]}", path=label,
                              line=line)
        where[sid] = line
        texts[sid] = unquote_cell(cells[ti])
    if refolded:
        warnings.warn(f"{label}: statement ids matched to the sorts table ignoring case: "
                      + ", ".join(refolded), FormatWarning, stacklevel=3)
    missing = [s for s in ids if s not in texts]
    if missing:
        more = f" and {len(missing) - 3} more" if len(missing) > 3 else ""
        raise FormatError("no text for statement" + ("s " if len(missing) > 1 else " ")
                          + ", ".join(repr(s) for s in missing[:3]) + more, path=label)
    return pd.Series([texts[s] for s in ids], index=pd.Index(ids, name="statement"),
                     name="text")


def _statements_txt(path: Path, ids: list[str], table_label: str) -> pd.Series | None:
    label = file_label(path)
    lines = [ln.strip() for ln in split_lines(read_text(path))]
    lines = [ln for ln in lines if ln]
    n = len(ids)
    texts = _numbered(lines, n)
    if texts is None and len(lines) == 1 and n > 1:
        texts = _split_run_on(lines[0], n)
    if texts is None and len(lines) == n:
        texts = lines
    if texts is None:
        warnings.warn(f"{label}: {len(lines)} non-blank lines for the {n} statements of "
                      f"{table_label}, so the texts cannot be matched to statements; "
                      "statement texts left out", FormatWarning, stacklevel=3)
        return None
    return pd.Series(texts, index=pd.Index(ids, name="statement"), name="text")


def _numbered(lines: list[str], n: int) -> list[str] | None:
    """Texts by their "k. " numbers if the lines are numbered 1..n exactly once each."""
    if len(lines) != n:
        return None
    by_number = {}
    for ln in lines:
        m = _NUMBERED.match(ln)
        if not m:
            return None
        by_number[int(m.group(1))] = ln[m.end():]
    if sorted(by_number) != list(range(1, n + 1)):
        return None
    return [by_number[k] for k in range(1, n + 1)]


def _split_run_on(blob: str, n: int) -> list[str] | None:
    """Split "1. a 2. b 3. c" when the numbers 1..n appear in order."""
    starts, pos = [], 0
    for k in range(1, n + 1):
        m = re.compile(rf"(?:^|(?<=\s)){k}\s*[.)]\s+").search(blob, pos)
        if not m:
            return None
        starts.append((m.start(), m.end()))
        pos = m.end()
    return [blob[end:(starts[i + 1][0] if i + 1 < n else len(blob))].strip()
            for i, (_, end) in enumerate(starts)]


def write_sorts_csv(data: QSortData, path, statements_path=None) -> None:
    """Write ``data.sorts`` as a statements x participants CSV table.

    When ``data.statements`` is set the texts go to ``statements_path``
    (default: ``statements.csv`` beside ``path``) with columns statement,text.
    """
    values, rows, cols = table_for_writing(data)
    texts = texts_for_writing(data)
    path = Path(path)
    target = None
    if texts is not None:
        target = Path(statements_path) if statements_path is not None else path.parent / "statements.csv"
        if target.resolve() == path.resolve():
            raise InputError(f"the table and its statement texts would both go to {path.name}; "
                             "give another statements_path")
    # ids and texts that a spreadsheet would run as formulas get an apostrophe
    # (qmethod.cells); the reader takes it off again
    with atomic_output(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["statement", *safe_cells(cols)])
        for sid, row in zip(safe_cells(rows), values.tolist()):
            w.writerow([sid, *row])
    if target is not None:
        with atomic_output(target, "w", encoding="utf-8", newline="") as f:
            w = csv.writer(f)
            w.writerow(["statement", "text"])
            w.writerows(zip(safe_cells(rows), safe_cells(texts)))
