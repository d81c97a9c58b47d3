"""The result object: every table of one Q analysis, in one place.

Index conventions: participant-level tables are indexed by participant id,
statement-level tables by statement id, factor-level tables by factor name
("f1".."fk"). Factor columns are named "f1".."fk" everywhere.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from .grid import Grid

FORMAT_VERSION = 1

#: The files of the output contract (shared/reference/README.md), in order.
CONTRACT_FILES = ("loadings", "flags", "zscores", "factor_arrays", "characteristics",
                  "factor_correlations", "distinguishing")


@dataclass
class QResult:
    """Result of :func:`qmethod.analyze`.

    Attributes (n statements, N participants, k factors)
    ----------
    info : dict of the settings and sizes (extraction, rotation, correlation, ...)
    data : (n, N) the Q-sorts analysed
    grid : the grid the factor arrays are built on
    eigenvalues : Series, all eigenvalues of the correlation matrix in
        decreasing order (for the scree plot and Kaiser's rule, whatever the
        extraction; a factor's own eigenvalue is in ``characteristics``)
    unrotated_loadings : (N, k)
    loadings : (N, k) final loadings
    flags : (N, k) bool, defining sorts
    zscores : (n, k)
    factor_arrays : (n, k) grid values (Int64, missing for a factor without
        defining sorts)
    characteristics : (k, 5) eigenvalue, explained_variance, defining_sorts,
        composite_reliability, se_zscores
    factor_correlations : (k, k) correlations between z-score columns
    sed : (k, k) standard errors of differences
    distinguishing : (n, ...) consensus, distinguishes_f*, label, pair differences
    statements : Series of statement texts, or None
    notes : plain-words warnings (negative flags, empty factors)
    """

    info: dict
    data: pd.DataFrame
    grid: Grid
    eigenvalues: pd.Series
    unrotated_loadings: pd.DataFrame
    loadings: pd.DataFrame
    flags: pd.DataFrame
    zscores: pd.DataFrame
    factor_arrays: pd.DataFrame
    characteristics: pd.DataFrame
    factor_correlations: pd.DataFrame
    sed: pd.DataFrame
    distinguishing: pd.DataFrame
    statements: pd.Series | None = None
    notes: list = field(default_factory=list)

    # -- convenience -------------------------------------------------------
    @property
    def nfactors(self) -> int:
        return self.loadings.shape[1]

    @property
    def factor_names(self) -> list[str]:
        return list(self.loadings.columns)

    def summary(self) -> str:
        """A short human summary: settings, characteristics, defining sorts."""
        i = self.info
        lines = [f"Q analysis: {i['n_statements']} statements, {i['n_sorts']} Q-sorts, "
                 f"{i['nfactors']} factor{'s' if i['nfactors'] != 1 else ''} "
                 f"({i['extraction']}, {i['rotation']} rotation, {i['correlation']} correlation, "
                 f"{i['flagging']} flagging)"]
        ch = self.characteristics
        lines.append("")
        lines.append(f"{'factor':<8}{'eigenvalue':>11}{'% var':>8}{'defining':>10}{'reliab.':>9}{'SE':>8}")
        for f, row in ch.iterrows():
            lines.append(f"{f:<8}{row.eigenvalue:>11.3f}{row.explained_variance:>8.1f}"
                         f"{int(row.defining_sorts):>10d}{row.composite_reliability:>9.3f}"
                         f"{row.se_zscores:>8.3f}")
        lines.append("")
        for f in self.factor_names:
            who = [str(p) for p in self.flags.index[self.flags[f].to_numpy()]]
            shown = ", ".join(who[:12]) + (f" and {len(who) - 12} more" if len(who) > 12 else "")
            lines.append(f"{f} defined by {len(who)}: {shown or '-'}")
        d = self.distinguishing
        if "consensus" in d:
            lines.append(f"consensus statements (p < .05): {int(d['consensus'].sum())}; "
                         + ", ".join(f"distinguishing {f}: {int(d[f'distinguishes_{f}'].sum())}"
                                     for f in self.factor_names))
        for note in self.notes:
            lines.append(f"note: {note}")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.summary()

    # -- the output contract ---------------------------------------------------
    def contract_tables(self) -> dict[str, pd.DataFrame]:
        """The seven tables of the output contract, as written to CSV."""
        k = self.factor_names
        dist_cols = ["consensus"] + [f"distinguishes_{f}" for f in k]
        return {
            "loadings": self.loadings,
            "flags": self.flags,
            "zscores": self.zscores,
            "factor_arrays": self.factor_arrays,
            "characteristics": self.characteristics,
            "factor_correlations": self.factor_correlations,
            "distinguishing": self.distinguishing[dist_cols],
        }

    def write(self, out_dir) -> list[Path]:
        """Write the contract CSV files and ``result.json`` into ``out_dir``."""
        return write_tables(self.contract_tables(), out_dir, {"result.json": self.to_json()})

    # -- JSON --------------------------------------------------------------------
    def to_json(self) -> str:
        """Serialise every table (lossless for floats) to a JSON string."""
        doc = {"format": "qmethod-result", "version": FORMAT_VERSION, "info": self.info,
               "grid": self.grid.to_dict(), "notes": list(self.notes),
               "eigenvalues": self.eigenvalues.tolist(),
               "statements": None if self.statements is None else
               {str(k): str(v) for k, v in self.statements.items()}}
        for name in _TABLES:
            doc[name] = _frame_to_doc(getattr(self, name))
        return json.dumps(doc, allow_nan=True)

    @classmethod
    def from_json(cls, text: str) -> "QResult":
        """Rebuild a result written by :meth:`to_json`."""
        doc = json.loads(text)
        if doc.get("format") != "qmethod-result":
            raise ValueError("not a qmethod result file")
        tables = {name: _frame_from_doc(doc[name]) for name in _TABLES}
        st = doc.get("statements")
        return cls(info=doc["info"], grid=Grid.from_dict(doc["grid"]),
                   eigenvalues=pd.Series(doc["eigenvalues"], dtype=float,
                                         index=pd.RangeIndex(1, len(doc["eigenvalues"]) + 1,
                                                             name="component")),
                   statements=None if st is None else pd.Series(st, name="text"),
                   notes=doc.get("notes", []), **tables)

    @classmethod
    def load(cls, path) -> "QResult":
        return cls.from_json(Path(path).read_text(encoding="utf-8"))


_TABLES = ("data", "unrotated_loadings", "loadings", "flags", "zscores", "factor_arrays",
           "characteristics", "factor_correlations", "sed", "distinguishing")


def _frame_to_doc(df: pd.DataFrame) -> dict:
    cols = {}
    for c in df.columns:
        s = df[c]
        if s.dtype == bool:
            cols[str(c)] = {"dtype": "bool", "values": s.tolist()}
        elif str(s.dtype) == "Int64":
            cols[str(c)] = {"dtype": "Int64",
                            "values": [None if pd.isna(v) else int(v) for v in s]}
        elif s.dtype.kind in "iu":
            cols[str(c)] = {"dtype": "int", "values": [int(v) for v in s]}
        elif s.dtype.kind == "f":
            cols[str(c)] = {"dtype": "float",
                            "values": [None if np.isnan(v) else float(v) for v in s]}
        else:
            cols[str(c)] = {"dtype": "str", "pandas": str(s.dtype), "values": [str(v) for v in s]}
    return {"index_name": df.index.name, "index": [str(i) for i in df.index],
            "columns_name": df.columns.name, "columns": cols}


def _frame_from_doc(doc: dict) -> pd.DataFrame:
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
            data[c] = pd.Series([np.nan if x is None else x for x in v], dtype=float)
        else:
            data[c] = pd.Series(v, dtype=object).astype(spec.get("pandas", "object"))
    df = pd.DataFrame(data)
    df.index = pd.Index(doc["index"], name=doc["index_name"])
    df.columns = pd.Index(list(doc["columns"].keys()), name=doc.get("columns_name"))
    return df


def write_tables(tables: dict[str, pd.DataFrame], out_dir, texts: dict[str, str] | None = None) -> list[Path]:
    """Write each table as ``<name>.csv`` (see :func:`_to_csv`) and each text
    file of ``texts`` (file name -> content) into ``out_dir``; returns the paths."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, table in tables.items():
        written.append(out / f"{name}.csv")
        _to_csv(table, written[-1])
    for name, text in (texts or {}).items():
        written.append(out / name)
        written[-1].write_text(text, encoding="utf-8")
    return written


def _to_csv(df: pd.DataFrame, path: Path) -> None:
    """CSV in the reference layout (R's ``write.csv``): quoted header, ids and
    text; booleans as quoted true/false; numbers bare and lossless (shortest
    round-trip repr); missing values as a bare NA."""
    def cell(v) -> str:
        if isinstance(v, (bool, np.bool_)):
            return '"true"' if v else '"false"'
        if v is None or v is pd.NA or (isinstance(v, (float, np.floating)) and np.isnan(v)):
            return "NA"
        if isinstance(v, (int, np.integer)):
            return str(int(v))
        if isinstance(v, (float, np.floating)):
            return repr(float(v))
        return '"' + str(v).replace('"', '""') + '"'

    lines = [",".join(cell(str(c)) for c in [df.index.name or "", *df.columns])]
    for idx, row in zip(df.index, df.itertuples(index=False, name=None)):
        lines.append(",".join([cell(str(idx)), *(cell(v) for v in row)]))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
