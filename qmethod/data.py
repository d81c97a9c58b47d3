"""Q-sort data as it enters the analysis, and its validation.

Convention used everywhere in the library: the data are a statements x
participants table (n rows, N columns), index = statement ids, columns =
participant ids, integer grid scores in the cells.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .errors import InputError
from .grid import Grid, check_forced


def str_labels(labels) -> list[str]:
    """The labels of an Index (or any sequence) as a list of str.

    ``Index.tolist()`` converts in bulk: iterating over pandas' Arrow-backed
    string Index one element at a time costs about a microsecond per label,
    a second per million sorts."""
    values = labels.tolist() if hasattr(labels, "tolist") else list(labels)
    return list(map(str, values))


def as_numbers(values: np.ndarray) -> np.ndarray:
    """A 2-D table of cells (numbers, numeric strings, None...) as floats, NaN
    where a cell is not a number. One vectorised call, not one per column
    (a study can have a million columns)."""
    values = np.asarray(values)
    if values.dtype.kind in "biuf":
        return values.astype(float)
    flat = pd.to_numeric(pd.Series(values.ravel(), dtype=object), errors="coerce")
    return flat.to_numpy(dtype=float, na_value=np.nan).reshape(values.shape)


def _str_index(labels: pd.Index, name: str) -> pd.Index:
    """``labels`` as an Index of str named ``name``; an Index of pandas' str
    dtype is kept as it is (no copy, no per-label work)."""
    if labels.dtype == object or not pd.api.types.is_string_dtype(labels.dtype):
        labels = pd.Index(str_labels(labels))
    return labels.rename(name)


@dataclass
class QSortData:
    """Everything an importer reads from a file.

    Attributes
    ----------
    sorts : DataFrame, shape (n statements, N participants), int
    statements : Series indexed like ``sorts.index`` with statement texts, or None
    grid : the study grid if the file states one, else None (taken from the data)
    title : study title if the file has one
    extra : per-participant free fields (e.g. Ken-Q comments), participant -> dict
    """

    sorts: pd.DataFrame
    statements: pd.Series | None = None
    grid: Grid | None = None
    title: str = ""
    extra: dict = field(default_factory=dict)


def validate_sorts(data, *, grid: Grid | None = None, forced: bool = True) -> tuple[pd.DataFrame, Grid]:
    """Check Q-sort data and return it as an int DataFrame plus the grid to use.

    Parameters
    ----------
    data : DataFrame (n x N) or array-like
        Statements as rows, Q-sorts as columns.
    grid : Grid, optional
        Required when ``forced`` is False (free distribution): factor arrays are
        built on it. When ``forced`` is True and no grid is given, the grid is the
        distribution of the first Q-sort (as qmethod does).
    forced : bool
        Every Q-sort must hold exactly the grid's values.

    Raises
    ------
    InputError, GridError
        With a message naming the offending cell, participant or column.
    """
    if not isinstance(data, pd.DataFrame):
        arr = np.asarray(data)
        if arr.ndim != 2:
            raise InputError("Q-sort data must be a 2-D table (statements x Q-sorts)")
        data = pd.DataFrame(arr, index=[f"s{i + 1}" for i in range(arr.shape[0])],
                            columns=[f"p{j + 1}" for j in range(arr.shape[1])])
    n, N = data.shape
    if n < 2:
        raise InputError(f"the data have {n} statement{'s' if n != 1 else ''}; at least 2 are needed")
    if N < 2:
        raise InputError(f"the data have {N} Q-sort{'s' if N != 1 else ''}; at least 2 are needed")
    cols = _str_index(data.columns, "participant")
    rows = _str_index(data.index, "statement")
    for ids, what in ((cols, "participant"), (rows, "statement")):
        if not ids.is_unique:
            dup = ids[ids.duplicated()].unique().tolist()
            raise InputError(f"duplicated {what} id" + ("s" if len(dup) > 1 else "") + ": "
                             + ", ".join(repr(d) for d in dup))

    values = data.to_numpy()
    if values.dtype.kind not in "iu":
        num = as_numbers(values)
        bad = ~np.isfinite(num)
        if bad.any():
            i, j = map(int, np.argwhere(bad)[0])
            raw = values[i, j]
            what = "is missing" if raw is None or (isinstance(raw, float) and np.isnan(raw)) \
                or (isinstance(raw, str) and raw.strip() == "") else f"is not a number ({raw!r})"
            raise InputError(f"the cell for statement {rows[i]!r}, participant {cols[j]!r} {what}"
                             + (f" ({int(bad.sum())} bad cells in all)" if bad.sum() > 1 else ""))
        frac = num != np.round(num)
        if frac.any():
            i, j = map(int, np.argwhere(frac)[0])
            raise InputError(f"the cell for statement {rows[i]!r}, participant {cols[j]!r} is "
                             f"{num[i, j]:g}; grid positions must be whole numbers")
        values = num.astype(np.int64)
    else:
        values = values.astype(np.int64, copy=False)

    if forced:
        if grid is None:
            grid = Grid.from_values(values[:, 0])
        check_forced(values, cols, grid)
    else:
        if grid is None:
            raise InputError("free (non-forced) distribution: supply the grid "
                             "the factor arrays are to be built on")
        if grid.n_statements != n:
            raise InputError(f"the grid holds {grid.n_statements} statements but the data have {n}")
    if np.shares_memory(values, data.to_numpy()):
        # the caller's own int64 table: share it as pandas does (copy on write),
        # so that changing the input later cannot change the result
        out = data.set_axis(rows, axis=0).set_axis(cols, axis=1)
    else:
        out = pd.DataFrame(values, index=rows, columns=cols, copy=False)   # ours alone
    return out, grid
