"""Result tables on disk: CSV in R's layout, and the JSON/NumPy encoding of
DataFrames used by ``result.json`` and its sidecar ``result.npz``.

Both are vectorised: a table with a million rows is written by the C ``csv``
module from whole columns, and large homogeneous tables (the Q-sorts, the
per-participant loadings and flags) go to ``.npz`` arrays instead of JSON text.
"""
from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pandas as pd

from .cells import safe_cells
from .data import str_labels
from .files import atomic_output, check_regular_input, write_text_atomic


# -- CSV --------------------------------------------------------------------------------
class _NA(float):
    """A missing value the csv module writes bare, as R does (``NA``).

    With ``QUOTE_NONNUMERIC`` the csv module leaves numbers unquoted and
    writes floats with ``repr``; a float whose repr is ``NA`` is the one
    value that is written bare without being a number."""

    def __repr__(self) -> str:
        return "NA"


NA = _NA("nan")


def _csv_column(s: pd.Series) -> list:
    """A column as the Python values the csv module writes in R's layout."""
    numpy_dtype = isinstance(s.dtype, np.dtype)
    if numpy_dtype and s.dtype == bool:
        return np.where(s.to_numpy(), "true", "false").tolist()   # quoted, as R
    if numpy_dtype and s.dtype.kind == "f":
        v = s.to_numpy()
        out = v.tolist()                                            # floats: repr, lossless
        if np.isnan(v).any():
            out = [NA if x != x else x for x in out]
        return out
    if numpy_dtype and s.dtype.kind in "iu":
        return s.to_numpy().tolist()
    if not numpy_dtype and s.dtype.kind in "iub":                   # nullable Int64, boolean
        mask = s.isna().to_numpy()
        vals = s.to_numpy(dtype=object, na_value=None)
        if s.dtype.kind == "b":
            return [NA if m else ("true" if x else "false") for x, m in zip(vals, mask)]
        return [NA if m else int(x) for x, m in zip(vals, mask)]
    return safe_cells([NA if (x is None or x is pd.NA or (isinstance(x, float) and x != x))
                       else str(x) for x in s.tolist()])


def to_csv(df: pd.DataFrame, path) -> None:
    """CSV in the reference layout (R's ``write.csv``): quoted header, ids and
    text; booleans as quoted true/false; numbers bare and lossless (shortest
    round-trip repr); missing values as a bare NA. Written column-wise by the
    C csv module (no Python call per cell for numbers). Text cells, ids and
    names that a spreadsheet would run as formulas get a leading apostrophe
    (:mod:`qmethod.cells`); numbers never do."""
    with atomic_output(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, quoting=csv.QUOTE_NONNUMERIC, lineterminator="\n")
        w.writerow(safe_cells([df.index.name or "", *(str(c) for c in df.columns)]))
        k = df.shape[1]
        if 0 < k <= 10 and all(isinstance(t, np.dtype) and t.kind == "b" for t in df.dtypes):
            # A flags table: each row is its quoted id and one of 2^k endings,
            # joined without a csv call per cell (a million rows in a fraction
            # of a second).
            code = df.to_numpy() @ (1 << np.arange(k))
            endings = ["".join(',"true"' if c >> j & 1 else ',"false"' for j in range(k)) + "\n"
                       for c in range(2 ** k)]
            ids = ['"' + i.replace('"', '""') + '"' for i in safe_cells(str_labels(df.index))]
            fh.write("".join(map(str.__add__, ids, [endings[c] for c in code.tolist()])))
            return
        cols = [safe_cells(str_labels(df.index))] + [_csv_column(df.iloc[:, j]) for j in range(k)]
        w.writerows(zip(*cols))


def write_tables(tables: dict[str, pd.DataFrame], out_dir, texts: dict[str, str] | None = None) -> list[Path]:
    """Write each table as ``<name>.csv`` (see :func:`to_csv`) and each text
    file of ``texts`` (file name -> content) into ``out_dir``; returns the paths."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, table in tables.items():
        written.append(out / f"{name}.csv")
        to_csv(table, written[-1])
    for name, text in (texts or {}).items():
        written.append(out / name)
        write_text_atomic(written[-1], text)
    return written


# -- DataFrames as JSON documents ------------------------------------------------------------
def _floats_to_json(v: np.ndarray) -> list:
    """Floats as a (nested) list with None for NaN (plain JSON has no NaN)."""
    if np.isnan(v).any():
        return np.where(np.isnan(v), None, v.astype(object)).tolist()
    return v.tolist()


def _labels(doc_labels) -> pd.Index:
    return pd.Index(str_labels(doc_labels))


def frame_to_doc(df: pd.DataFrame, *, arrays: dict | None = None, key: str = "",
                 shared: dict | None = None) -> dict:
    """A DataFrame as a JSON-ready dict that :func:`frame_from_doc` reads back exactly.

    A table whose columns share one numeric or bool dtype is one block
    (``"matrix"``); others are stored column by column. With ``arrays`` (a
    dict that becomes the ``.npz`` sidecar), a matrix's values are put there
    under ``key`` instead of in the JSON; ``shared`` maps a name to a label
    array already in ``arrays`` (e.g. the participant ids), so index or
    columns equal to it are stored once.
    """
    head = {"index_name": df.index.name, "columns_name": df.columns.name}
    first = df.dtypes.iloc[0] if df.shape[1] else None
    numeric = (isinstance(first, np.dtype) and first.kind in "biuf"
               and all(d == first for d in df.dtypes))
    if not numeric:
        cols = {}
        for c in df.columns:
            s = df[c]
            if s.dtype == bool:
                cols[str(c)] = {"dtype": "bool", "values": s.tolist()}
            elif str(s.dtype) == "Int64":
                cols[str(c)] = {"dtype": "Int64", "values": s.astype(object).where(s.notna(), None).tolist()}
            elif s.dtype.kind in "iu":
                cols[str(c)] = {"dtype": "int", "values": s.to_numpy().tolist()}
            elif s.dtype.kind == "f":
                cols[str(c)] = {"dtype": "float", "values": _floats_to_json(s.to_numpy())}
            else:
                cols[str(c)] = {"dtype": "str", "pandas": str(s.dtype), "values": [str(v) for v in s]}
        return {**head, "index": str_labels(df.index), "columns": cols}
    values = df.to_numpy()
    doc = {**head, "layout": "matrix", "dtype": str(values.dtype)}
    for axis, labels in (("index", df.index), ("columns", df.columns)):
        ref = _shared_name(labels, shared, arrays)
        if ref is not None:
            doc[axis] = {"ref": ref}
        else:
            doc[axis] = str_labels(labels)
    if arrays is not None:
        arrays[key] = _compact(values)
        doc["values"] = {"ref": key}
    elif values.dtype.kind == "f":
        doc["values"] = _floats_to_json(values)
    else:
        doc["values"] = values.tolist()
    return doc


def _shared_name(labels: pd.Index, shared: dict | None, arrays: dict | None) -> str | None:
    if not shared or arrays is None:
        return None
    for name, ids in shared.items():
        if len(labels) == len(ids) and labels.equals(ids):
            if name not in arrays:
                arrays[name] = np.asarray(str_labels(ids), dtype=str)
            return name
    return None


def _compact(values: np.ndarray) -> np.ndarray:
    """Integers in the smallest dtype that holds them (grid scores fit int8)."""
    if values.dtype.kind in "iu" and values.size:
        lo, hi = values.min(), values.max()
        for t in (np.int8, np.int16, np.int32):
            if np.iinfo(t).min <= lo and hi <= np.iinfo(t).max:
                return values.astype(t)
    return values


def frame_from_doc(doc: dict, arrays=None) -> pd.DataFrame:
    """Inverse of :func:`frame_to_doc` (``arrays``: the loaded sidecar, if any)."""
    def labels(spec):
        if isinstance(spec, dict):
            return _labels(arrays[spec["ref"]].tolist())
        return _labels(spec)

    if doc.get("layout") == "matrix":
        dtype = np.dtype(doc["dtype"])
        index, columns = labels(doc["index"]), labels(doc["columns"])
        v = doc["values"]
        if isinstance(v, dict):
            values = np.asarray(arrays[v["ref"]]).astype(dtype, copy=False)
        else:
            values = np.array(v, dtype=float if dtype.kind == "f" else dtype).reshape(
                len(index), len(columns)).astype(dtype, copy=False)
        df = pd.DataFrame(values, index=index, columns=columns, copy=False)
    else:
        data = {}
        for c, spec in doc["columns"].items():
            v = spec["values"]
            if spec["dtype"] == "bool":
                data[c] = pd.Series(v, dtype=bool)
            elif spec["dtype"] == "Int64":
                data[c] = pd.Series(v, dtype="Int64")
            elif spec["dtype"] == "int":
                data[c] = pd.Series(v, dtype="int64")
            elif spec["dtype"] == "float":
                data[c] = pd.Series(np.array(v, dtype=float))   # None -> NaN
            else:
                data[c] = pd.Series(v, dtype=object).astype(spec.get("pandas", "object"))
        df = pd.DataFrame(data)
        df.index = labels(doc["index"])
        df.columns = pd.Index(list(doc["columns"].keys()))
    df.index.name = doc.get("index_name")
    df.columns.name = doc.get("columns_name")
    return df


def save_npz(path, arrays: dict) -> None:
    """The sidecar: plain arrays, no pickles (loaded with allow_pickle=False)."""
    with atomic_output(path, "wb") as fh:
        np.savez(fh, **arrays)


def load_npz(path) -> dict:
    check_regular_input(path, what="result sidecar")      # never a FIFO or a device
    with np.load(path, allow_pickle=False) as z:
        return {k: z[k] for k in z.files}
