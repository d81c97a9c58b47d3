"""Crib sheets (Watts & Stenner): for each factor, the statements that carry
its viewpoint, read off the factor arrays of a :class:`qmethod.QResult`.

For factor f with factor array a_f (one grid score per statement):

* ``top`` / ``bottom``: statements in its ``extreme_columns`` most-agree /
  most-disagree columns of the grid (1: the +4 and -4 columns of a -4..+4 grid);
* ``higher``: statements f places strictly higher than every other factor
  does; ``lower``: strictly lower than every other factor. By default a
  statement already listed at an extreme is not listed again here (as
  Watts & Stenner's crib sheet does); ``exclude_extremes=False`` keeps it.

Factors without defining sorts have no factor array: their sheet is empty
and they are left out of the other factors' comparisons. With one factor
(or one factor with an array) ``higher`` and ``lower`` are empty.

Each section is a DataFrame indexed by statement id with columns ``text``,
``score`` (f's array score), ``zscore`` (f's z-score) and one column per other
factor with that factor's array score; ``top`` and ``higher`` are ordered by
decreasing z-score, ``bottom`` and ``lower`` by increasing z-score.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from qmethod import QResult

SECTIONS = ("top", "higher", "lower", "bottom")
#: Plain-words headings of the sections, as a page or a sheet shows them.
SECTION_TITLES = {"top": "ranked at the most-agree end", "higher": "ranked higher than by any "
                  "other factor", "lower": "ranked lower than by any other factor",
                  "bottom": "ranked at the most-disagree end"}


@dataclass(frozen=True)
class CribSheet:
    """One factor's crib sheet (see the module docstring for the sections)."""

    factor: str
    top: pd.DataFrame
    higher: pd.DataFrame
    lower: pd.DataFrame
    bottom: pd.DataFrame

    def section(self, name: str) -> pd.DataFrame:
        return getattr(self, name)

    def to_frame(self) -> pd.DataFrame:
        """The four sections stacked, with a ``section`` column first (one row
        per statement and section, index ``statement``)."""
        parts = [self.section(s).assign(section=s) for s in SECTIONS]
        out = pd.concat(parts) if any(len(p) for p in parts) else parts[0]
        cols = ["section"] + [c for c in out.columns if c != "section"]
        return out[cols]


def _columns_at_ends(result: QResult, n: int) -> tuple[list[int], list[int]]:
    scores = [s for s, h in zip(result.grid.scores, result.grid.heights) if h > 0]
    n = max(1, int(n))
    return scores[-n:], scores[:n]


def crib_sheet(result: QResult, factor: str, *, extreme_columns: int = 1,
               exclude_extremes: bool = True) -> CribSheet:
    """The crib sheet of ``factor`` (a name such as ``"f1"``)."""
    if factor not in result.factor_names:
        raise KeyError(f"there is no factor {factor!r}; the result has "
                       f"{', '.join(result.factor_names)}")
    arrays = result.factor_arrays
    others = [g for g in result.factor_names if g != factor and arrays[g].notna().all()]
    texts = (result.statements.reindex(arrays.index).fillna("").astype(str)
             if result.statements is not None else pd.Series("", index=arrays.index))
    table = pd.DataFrame({"text": texts.to_numpy(), "score": arrays[factor].to_numpy(),
                          "zscore": result.zscores[factor].to_numpy()}, index=arrays.index)
    for g in others:
        table[g] = arrays[g].to_numpy()
    table.index.name = "statement"
    if arrays[factor].isna().any():      # no defining sorts: no array to read
        empty = table.iloc[:0]
        return CribSheet(factor, empty, empty, empty, empty)
    a = arrays[factor].to_numpy(dtype=float)
    top_cols, bottom_cols = _columns_at_ends(result, extreme_columns)
    top = np.isin(a, top_cols)
    bottom = np.isin(a, bottom_cols) & ~top
    if others:
        rest = arrays[others].to_numpy(dtype=float)
        higher = a > rest.max(axis=1)
        lower = a < rest.min(axis=1)
    else:
        higher = lower = np.zeros(len(a), dtype=bool)
    if exclude_extremes:
        higher &= ~(top | bottom)
        lower &= ~(top | bottom)

    def pick(mask, descending):
        return table[mask].sort_values("zscore", ascending=not descending, kind="stable")

    return CribSheet(factor, top=pick(top, True), higher=pick(higher, True),
                     lower=pick(lower, False), bottom=pick(bottom, False))


def crib_sheets(result: QResult, *, extreme_columns: int = 1,
                exclude_extremes: bool = True) -> dict[str, CribSheet]:
    """Every factor's crib sheet, by factor name."""
    return {f: crib_sheet(result, f, extreme_columns=extreme_columns,
                          exclude_extremes=exclude_extremes) for f in result.factor_names}


def crib_table(result: QResult, **options) -> pd.DataFrame:
    """All crib sheets as one long table (factor, section, statement, text,
    score, zscore): what the CSV export and the workbook's sheet hold."""
    rows = []
    for f, sheet in crib_sheets(result, **options).items():
        part = sheet.to_frame()[["section", "text", "score", "zscore"]].reset_index()
        part.insert(0, "factor", f)
        rows.append(part)
    out = pd.concat(rows, ignore_index=True)
    out["score"] = out["score"].astype("Int64")
    return out
