"""PQMethod's project files: the Q-sorts (.DAT) and the statements (.STA).

The layout below was read byte by byte from the reference LIPSET.DAT and
LIPSET.STA; ``write_dat``/``write_sta`` reproduce both files byte for byte.
Columns are counted from 1; every line ends with CRLF, the last one too.

.DAT line 1
    cols 1-3 a flag (0 in every file seen; read, not used, written as 0),
    cols 4-6 the number of sorts N, cols 7-9 the number of statements n (both
    right-aligned), col 10 blank, cols 11-78 the study title padded with
    blanks to 68 characters (a longer title is cut to 68, with a warning).
.DAT line 2
    cols 1-3 the lowest grid value, cols 4-6 the highest, then 20 fields of 3
    characters: the column heights for the scores -6, -5, ..., +13 (zero
    outside the grid). LIPSET alone cannot tell "the first height is for -6"
    from "the first height is two below the lowest value" (its grid starts at
    -4); we read and write the fixed -6 of PQMethod's widest grid -6..+6. A
    file laid out the other way is refused rather than misread whenever its
    grid starts above -6 with a non-empty lowest column: its heights then
    spill outside lowest..highest, which the reader checks.
Sort lines
    cols 1-8 the participant's name (PQMethod allows 8 characters; the reader
    accepts up to 10), cols 9-10 blank, then each statement's score in 2
    right-aligned characters, statement 1 first: ``US1       -1 0-2 0``.
    Wrapping, our convention (LIPSET has 33 statements on 76-column lines, so
    no file at hand shows how PQMethod wraps): a line holds at most 35 scores,
    which fills 80 columns; the rest follow on continuation lines of 10 blanks
    and up to 35 scores each. The reader takes a sort's continuation lines
    with or without those 10 blanks, and lines of any length, so unwrapped
    files read too.
.STA
    one line per statement in statement order, the text padded with blanks to
    60 characters. ``write_sta`` cuts longer texts to 60 characters, as
    PQMethod does, with a warning; the reader keeps whole lines and only drops
    trailing blanks. LIPSET.STA starts every text with a digit 1 or 2 (it looks
    like the design category of Lipset's Q sample); it is kept as part of the
    text because nothing in the format marks it as a separate field.

Statements are named ``s1``..``sn``. Files are read as UTF-8 (ASCII is a
subset); PQMethod is a DOS program, so non-ASCII text written here is UTF-8
and widths count characters, not bytes.
"""
from __future__ import annotations

import re
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from ..cells import safe_cell, unquote_cell
from ..data import QSortData
from ..errors import FormatError, GridError, InputError
from ..files import write_text_atomic
from ..grid import Grid
from ._common import (
    FormatWarning,
    file_label,
    make_sorts,
    one_line,
    read_text,
    split_lines,
    table_for_writing,
    texts_for_writing,
)

__all__ = ["read_dat", "read_sta", "write_dat", "write_sta", "find_sta"]

FIRST_SCORE = -6        # score of the first column height on line 2
HEIGHT_FIELDS = 20      # column heights written on line 2
NAME_WIDTH = 10         # name (8) + 2 blanks before the first score
MAX_NAME = 8
PER_LINE = 35           # scores per sort line when writing
TITLE_WIDTH = 68
STA_WIDTH = 60
EOL = "\r\n"

_INT = re.compile(r"\s*[+-]?\d+\s*")


def _int_field(field: str) -> int | None:
    return int(field) if _INT.fullmatch(field) else None


def _lines(path: Path, blank_ok: bool = False) -> list[str]:
    # A DOS end-of-file mark (Ctrl-Z) may trail files saved by old editors.
    lines = split_lines(read_text(path, blank_ok=blank_ok).rstrip("\x1a"))
    if not lines and not blank_ok:
        raise FormatError("the file is empty", path=file_label(path), line=1)
    return lines


def find_sta(dat_path) -> Path | None:
    """The .STA beside ``dat_path`` with the same stem (any case), if there is one."""
    dat_path = Path(dat_path)
    exact = [dat_path.with_suffix(s) for s in (".STA", ".sta")]
    for p in exact:
        if p.is_file():
            return p
    want = (dat_path.stem + ".sta").lower()
    try:
        return next((p for p in sorted(dat_path.parent.iterdir())
                     if p.name.lower() == want and p.is_file()), None)
    except OSError:
        return None


def read_dat(path, sta_path=None) -> QSortData:
    """Read a PQMethod .DAT file (and its .STA; see the module docstring).

    ``sta_path`` defaults to the .STA beside the file with the same stem; when
    there is none, ``statements`` is None. Returns QSortData with ``sorts`` of
    shape (n, N), int64, index ``s1``..``sn``, columns the sort names in file
    order; ``grid`` from line 2 and ``title`` from line 1. Counts are checked
    against line 1 and the heights against n; the forced grid is not enforced
    here (``validate_sorts`` does that).
    """
    path = Path(path)
    label = file_label(path)
    lines = _lines(path)

    def fail(message, line=None):
        return FormatError(message, path=label, line=line)

    head = lines[0]
    counts = []
    for k, what in enumerate(("flag", "number of sorts", "number of statements")):
        field = head[3 * k:3 * k + 3]
        v = _int_field(field)
        if v is None or v < 0:
            raise fail(f"columns {3 * k + 1}-{3 * k + 3} should hold the {what}, "
                       f"found {field!r}", 1)
        counts.append(v)
    _, n_sorts, n = counts
    if n_sorts == 0 or n == 0:
        raise fail(f"line 1 says {n_sorts} sorts of {n} statements: there is nothing to read", 1)
    title = unquote_cell(head[9:].strip())

    grid = _read_grid(lines[1] if len(lines) > 1 else "", n, fail)

    names: list[str] = []
    columns: list[list[int]] = []
    first_line: dict[str, int] = {}
    i = 2
    while i < len(lines):
        if not lines[i].strip():
            i += 1
            continue
        start = i + 1
        name = lines[i][:NAME_WIDTH].strip() or f"sort{len(names) + 1}"
        values = _scores(lines[i], NAME_WIDTH, start, name, 1, fail)
        i += 1
        while len(values) < n:
            while i < len(lines) and not lines[i].strip():
                i += 1
            if i == len(lines) or _starts_sort(lines[i]):
                raise fail(f"sort {name!r} has {len(values)} values, but line 1 says "
                           f"{n} statements", start)
            indent = NAME_WIDTH if not lines[i][:NAME_WIDTH].strip() else 0
            values += _scores(lines[i], indent, i + 1, name, len(values) + 1, fail)
            i += 1
        if len(values) > n:
            raise fail(f"sort {name!r} has {len(values)} values, but line 1 says "
                       f"{n} statements", i)
        if name in first_line:
            raise fail(f"sort name {name!r} repeats line {first_line[name]}", start)
        first_line[name] = start
        names.append(name)
        columns.append(values)
    if len(names) != n_sorts:
        raise fail(f"line 1 says {n_sorts} sorts but the file holds {len(names)}", 1)

    ids = [f"s{k}" for k in range(1, n + 1)]
    sorts = make_sorts(np.array(columns, dtype=np.int64).T, ids, names)
    if sta_path is None:
        sta_path = find_sta(path)
    statements = None
    if sta_path is not None:
        texts = read_sta(sta_path, n, dat_label=label)
        statements = pd.Series(texts, index=pd.Index(ids, name="statement"), name="text")
    return QSortData(sorts=sorts, statements=statements, grid=grid, title=title)


def _read_grid(line: str, n: int, fail) -> Grid:
    line = line.rstrip()
    if not line:
        raise fail("line 2 should hold the grid (lowest value, highest value, column "
                   "heights) but it is missing or blank", 2)
    low, high = _int_field(line[0:3]), _int_field(line[3:6])
    if low is None:
        raise fail(f"columns 1-3 should hold the lowest grid value, found {line[0:3]!r}", 2)
    if high is None:
        raise fail(f"columns 4-6 should hold the highest grid value, found {line[3:6]!r}", 2)
    if low > high:
        raise fail(f"the lowest grid value {low} is above the highest {high}", 2)
    heights = []
    for k, start in enumerate(range(6, len(line), 3)):
        field = line[start:start + 3]
        h = _int_field(field)
        if h is None or h < 0:
            raise fail(f"columns {start + 1}-{start + 3} should hold the height of column "
                       f"{FIRST_SCORE + k:+d}, found {field!r}", 2)
        heights.append(h)
    last = FIRST_SCORE + len(heights) - 1
    if low < FIRST_SCORE or high > last:
        raise fail(f"the grid runs from {low} to {high} but the column heights cover "
                   f"{FIRST_SCORE} to {last}", 2)
    for score, h in zip(range(FIRST_SCORE, last + 1), heights):
        if h and not low <= score <= high:
            raise fail(f"column {score:+d} has height {h} but the grid runs from {low} to "
                       f"{high} (the first height is for {FIRST_SCORE})", 2)
    inside = heights[low - FIRST_SCORE:high - FIRST_SCORE + 1]
    if sum(inside) != n:
        raise fail(f"column heights add up to {sum(inside)} but line 1 says {n} statements", 2)
    try:
        return Grid.from_range(low, high, inside)
    except GridError as exc:
        raise fail(str(exc), 2) from None


def _scores(line: str, offset: int, line_no: int, name: str, first: int, fail) -> list[int]:
    """The 2-character scores of ``line`` from column ``offset`` (0-based)."""
    text = line[offset:].rstrip()
    if len(text) % 2:
        raise fail(f"the values of sort {name!r} do not fill whole 2-character columns "
                   f"(the line ends at column {offset + len(text)}, expected an even "
                   f"number of characters after column {offset})", line_no)
    out = []
    for k in range(0, len(text), 2):
        chunk = text[k:k + 2]
        v = _int_field(chunk)
        if v is None:
            cols = f"columns {offset + k + 1}-{offset + k + 2}"
            problem = "is blank" if not chunk.strip() else f"{chunk.strip()!r} is not a number"
            raise fail(f"the value for statement {first + len(out)} of sort {name!r} ({cols}) "
                       f"{problem}", line_no)
        out.append(v)
    return out


def _starts_sort(line: str) -> bool:
    """Whether ``line`` reads as a new sort (a name, then scores) rather than a continuation."""
    if not line[:NAME_WIDTH].strip():
        return False
    text = line.rstrip()
    if _scores_ok(text):
        return False
    return _scores_ok(text[NAME_WIDTH:])


def _scores_ok(text: str) -> bool:
    return len(text) % 2 == 0 and all(_int_field(text[k:k + 2]) is not None
                                      for k in range(0, len(text), 2))


def read_sta(path, n_statements: int | None = None, *, dat_label: str = "the .DAT") -> list[str]:
    """Statement texts of a .STA file, trailing blanks dropped.

    With ``n_statements`` the file must hold exactly that many lines (blank
    lines after the last statement are ignored).
    """
    label = file_label(path)
    # Blank statements are possible, so a file of blanks only is not "empty".
    texts = [unquote_cell(ln.rstrip()) for ln in _lines(Path(path), blank_ok=True)]
    if n_statements is not None:
        while len(texts) > n_statements and not texts[-1]:
            texts.pop()
        if len(texts) > n_statements:
            raise FormatError(f"statement {n_statements + 1}, but {dat_label} has "
                              f"{n_statements} statements", path=label, line=n_statements + 1)
        if len(texts) < n_statements:
            raise FormatError(f"the file ends after {len(texts)} statements, but {dat_label} "
                              f"has {n_statements}", path=label, line=len(texts))
    return texts


def write_dat(data: QSortData, path) -> None:
    """Write ``data`` as a PQMethod .DAT file (layout in the module docstring).

    The grid is ``data.grid``, or else the distribution of the first sort.
    Names longer than 8 characters and titles longer than 68 are cut, with a
    FormatWarning; InputError when that makes two names equal, or when the
    grid or a score does not fit the layout.
    """
    values, _, cols = table_for_writing(data)
    n, n_sorts = values.shape
    if n > 999 or n_sorts > 999:
        raise InputError(f"PQMethod files hold at most 999 sorts and 999 statements "
                         f"(the data have {n_sorts} and {n})")
    grid = data.grid if data.grid is not None else Grid.from_values(values[:, 0])
    if grid.n_statements != n:
        raise InputError(f"the grid holds {grid.n_statements} statements but the data have {n}")
    low, high = grid.scores[0], grid.scores[-1]
    last = FIRST_SCORE + HEIGHT_FIELDS - 1
    if low < FIRST_SCORE or high > last:
        raise InputError(f"the grid runs from {low} to {high}; a PQMethod file holds "
                         f"{FIRST_SCORE} to {last} at most")
    if values.min() < -9 or values.max() > 99:
        v = values.min() if values.min() < -9 else values.max()
        raise InputError(f"the score {v} does not fit in the 2 characters a PQMethod file has")
    slots = [0] * HEIGHT_FIELDS
    for score, h in zip(grid.scores, grid.heights):
        if h > 999:
            raise InputError(f"column {score:+d} of the grid is {h} high; at most 999 fit")
        slots[score - FIRST_SCORE] = h

    label = file_label(path)
    names = [one_line(c).strip() for c in cols]
    long = [c for c in names if len(c) > MAX_NAME]
    if long:
        warnings.warn(f"{label}: sort names longer than {MAX_NAME} characters were cut: "
                      + ", ".join(repr(c) for c in long[:5]) + (" ..." if len(long) > 5 else ""),
                      FormatWarning, stacklevel=2)
        names = [c[:MAX_NAME] for c in names]
        seen: dict[str, str] = {}
        for full, short in zip(cols, names):
            if short in seen:
                raise InputError(f"sort names {seen[short]!r} and {full!r} are both {short!r} "
                                 f"once cut to {MAX_NAME} characters; rename them")
            seen[short] = full
    title = safe_cell(one_line(data.title or "").strip())     # not a formula in a spreadsheet
    if len(title) > TITLE_WIDTH:
        warnings.warn(f"{label}: the title was cut to {TITLE_WIDTH} characters",
                      FormatWarning, stacklevel=2)
        title = title[:TITLE_WIDTH].rstrip()

    lines = [f"{0:3d}{n_sorts:3d}{n:3d} {title:<{TITLE_WIDTH}}",
             f"{low:3d}{high:3d}" + "".join(f"{h:3d}" for h in slots)]
    for name, column in zip(names, values.T.tolist()):
        cells = [f"{v:2d}" for v in column]
        for k in range(0, n, PER_LINE):
            lead = name.ljust(NAME_WIDTH) if k == 0 else " " * NAME_WIDTH
            lines.append(lead + "".join(cells[k:k + PER_LINE]))
    write_text_atomic(path, EOL.join(lines) + EOL, newline="")


def write_sta(data: QSortData, path) -> None:
    """Write the statement texts of ``data`` as a PQMethod .STA file.

    Texts are padded to 60 characters; longer ones are cut to 60 (PQMethod's
    limit) with a FormatWarning naming them. InputError when there are no texts.
    """
    texts = texts_for_writing(data)
    if texts is None:
        raise InputError("the data have no statement texts to write to a .STA file")
    cut = []
    lines = []
    for k, text in enumerate(texts, start=1):
        text = safe_cell(one_line(text).rstrip())           # not a formula in a spreadsheet
        if len(text) > STA_WIDTH:
            cut.append(k)
            text = text[:STA_WIDTH]
        lines.append(text.ljust(STA_WIDTH))
    if cut:
        warnings.warn(f"{file_label(path)}: statements {', '.join(map(str, cut))} are longer "
                      f"than {STA_WIDTH} characters and were cut to {STA_WIDTH}",
                      FormatWarning, stacklevel=2)
    write_text_atomic(path, EOL.join(lines) + EOL, newline="")
