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

``statements.csv`` is used when both exist. The reader returns no grid, no
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

import pandas as pd

from ..data import QSortData
from ..errors import FormatError, InputError
from ._common import (FormatWarning, file_label, make_sorts, parse_int, read_text,
                      split_lines, table_for_writing, texts_for_writing)

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
    """
    path = Path(path)
    label = file_label(path)
    rows = _rows(read_text(path), label)
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

    sorts = make_sorts(values, ids, participants)
    if statements_path is None:
        statements_path = next((path.parent / n for n in ("statements.csv", "statements.txt")
                                if (path.parent / n).is_file()), None)
    statements = None
    if statements_path is not None:
        statements_path = Path(statements_path)
        if statements_path.suffix.lower() == ".csv":
            statements = _statements_csv(statements_path, ids)
        else:
            statements = _statements_txt(statements_path, ids, label)
    return QSortData(sorts=sorts, statements=statements)


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
        sid = cells[ci].strip()
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
        texts[sid] = cells[ti]
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
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["statement", *cols])
        for sid, row in zip(rows, values.tolist()):
            w.writerow([sid, *row])
    if target is not None:
        with target.open("w", encoding="utf-8", newline="") as f:
            w = csv.writer(f)
            w.writerow(["statement", "text"])
            w.writerows(zip(rows, texts))
