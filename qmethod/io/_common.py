"""Helpers shared by the readers and writers of ``qmethod.io``.

Readers turn every problem of a file into a :class:`FormatError` naming the
file (by its name only, so messages shown in the web app reveal no server
paths), the line and the problem. Writers turn data that a format cannot hold
into an :class:`InputError`.
"""
from __future__ import annotations

import math
import re
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from ..data import QSortData, as_numbers
from ..errors import FormatError, InputError
from ..files import read_limited

_LINE_BREAK = re.compile(r"\r\n|\r|\n")


class FormatWarning(UserWarning):
    """A file was read or written, but something in it was left out or cut."""


def file_label(path) -> str:
    return Path(path).name or str(path)


def read_text(path, *, blank_ok: bool = False) -> str:
    """The file decoded as UTF-8 (a leading byte-order mark is dropped).

    Raises FormatError for a missing file, a folder, a device or FIFO, a file
    over :data:`qmethod.files.MAX_INPUT_BYTES`, an empty file (or, unless
    ``blank_ok``, one of blanks only) and bytes that are not UTF-8 (naming the
    line and column of the first bad byte).
    """
    path = Path(path)
    label = file_label(path)
    raw = read_limited(path)          # regular files only, at most MAX_INPUT_BYTES
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    if not raw or not (blank_ok or raw.strip()):
        raise FormatError("the file is empty", path=label)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = raw[:exc.start].decode("utf-8")
        lines = _LINE_BREAK.split(before)
        raise FormatError(
            f"byte 0x{raw[exc.start]:02x} at column {len(lines[-1]) + 1} is not UTF-8 text; "
            "save the file as UTF-8", path=label, line=len(lines)) from None


def split_lines(text: str) -> list[str]:
    """Lines of ``text`` whatever the line ends (CRLF, LF or a lone CR).

    The empty piece after a final line end is not a line.
    """
    lines = _LINE_BREAK.split(text)
    if lines and lines[-1] == "":
        lines.pop()
    return lines


def one_line(text: str) -> str:
    """``text`` with every line break replaced by a blank (for one-line fields)."""
    return _LINE_BREAK.sub(" ", text)


#: Largest magnitude accepted as a grid score (anything beyond is a typo).
MAX_SCORE = 10 ** 6


def parse_int(cell: str) -> int | None:
    """``cell`` as a whole number ("3", "+2", " -1 ", "2.0"), else None."""
    s = cell.strip()
    if not s or "_" in s:
        return None
    try:
        v = int(s)
        # Grid scores are small; a huge number would overflow the int64 table.
        return v if abs(v) <= MAX_SCORE else None
    except ValueError:
        pass
    try:
        f = float(s)
    except ValueError:
        return None
    if not math.isfinite(f) or f != int(f) or abs(f) > MAX_SCORE:
        return None
    return int(f)


def make_sorts(values, statement_ids: Sequence[str], participant_ids: Sequence[str]) -> pd.DataFrame:
    """The library's sorts table: statements x participants, int64, named axes."""
    return pd.DataFrame(np.asarray(values, dtype=np.int64).reshape(len(statement_ids), len(participant_ids)),
                        index=pd.Index([str(s) for s in statement_ids], name="statement"),
                        columns=pd.Index(list(map(str, participant_ids)), name="participant"),
                        copy=False)


def table_for_writing(data: QSortData) -> tuple[np.ndarray, list[str], list[str]]:
    """(values n x N int64, statement ids, participant ids) of ``data``, checked.

    Raises InputError for an empty table, repeated ids or a cell that is not a
    whole number, since no format can hold those and read them back.
    """
    df = data.sorts
    if not isinstance(df, pd.DataFrame):
        raise InputError("QSortData.sorts must be a pandas DataFrame (statements x participants)")
    n, N = df.shape
    if n == 0 or N == 0:
        raise InputError(f"nothing to write: the data have {n} statements and {N} participants")
    rows = [str(r) for r in df.index]
    cols = [str(c) for c in df.columns]
    check_unique(rows, "statement id")
    check_unique(cols, "participant id")
    num = as_numbers(df.to_numpy())
    bad = ~np.isfinite(num)
    bad[~bad] = num[~bad] != np.round(num[~bad])
    if bad.any():
        i, j = map(int, np.argwhere(bad)[0])
        raise InputError(f"cannot write the cell for statement {rows[i]!r}, participant "
                         f"{cols[j]!r}: {df.iat[i, j]!r} is not a whole number")
    return num.astype(np.int64), rows, cols


def texts_for_writing(data: QSortData) -> list[str] | None:
    """Statement texts in the row order of ``data.sorts`` (missing ones as "").

    A texts Series indexed by the statement ids is matched by id; one with
    another index but the right length is taken in order.
    """
    texts = data.statements
    if texts is None:
        return None
    texts = pd.Series(texts)
    rows = [str(r) for r in data.sorts.index]
    by_id = dict(zip((str(i) for i in texts.index), texts.tolist()))
    if len(by_id) == len(texts) and set(rows) <= set(by_id):
        ordered = [by_id[r] for r in rows]
    elif len(texts) == len(rows):
        ordered = texts.tolist()
    else:
        raise InputError(f"there are {len(texts)} statement texts for {len(rows)} statements")
    return ["" if t is None or (isinstance(t, float) and math.isnan(t)) else str(t) for t in ordered]


def check_unique(ids: Sequence[str], what: str) -> None:
    """InputError naming the first id of ``ids`` that repeats."""
    seen = set()
    for i in ids:
        if i in seen:
            raise InputError(f"cannot write: {what} {i!r} appears more than once")
        seen.add(i)
