"""The analysis page's tables, built from a :class:`qmethod.QResult` (no
Streamlit: the page shows them and its CSV buttons write the same frames).

Significance marks: ``*`` p < .05, ``**`` p < .01 (the engine's ``sig_*``
columns hold ``*``, ``**``, ``***`` or ``6*``; everything from ``**`` up is
p < .01).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

import qmethod as qm
from analysis.crib import crib_table
from qmethod.cells import safe_frame

STRONG = ("**", "***", "6*")
#: sorts up to which the loadings table is coloured by flag
STYLED_ROWS = 200


def loadings_table(result: qm.QResult, manual: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per sort: its loadings, and ``flagged`` naming the factors it
    defines (``f2 (by hand)`` for a manual flag)."""
    t = result.loadings.copy()
    F = result.flags.to_numpy(bool)
    names = np.asarray(result.flags.columns, dtype=object)
    hand = (manual.reindex(t.index).to_numpy(bool).any(axis=1) if manual is not None
            else np.zeros(len(t), dtype=bool))
    # the factor names of each row, joined (one pass per factor, not per sort)
    joined = np.full(len(t), "", dtype=object)
    for j, name in enumerate(names):
        on = F[:, j]
        joined[on] = np.where(joined[on] == "", name, joined[on] + ", " + name)
    suffix = np.where(hand, " (by hand)", "")
    t["flagged"] = np.where(hand & (joined == ""), "none (by hand)", joined + suffix)
    return t


def zscores_table(result: qm.QResult) -> pd.DataFrame:
    """Statement, text, then each factor's z-score and grid position."""
    out = pd.DataFrame(index=result.zscores.index)
    if result.statements is not None:
        out["text"] = [str(result.statements.get(i, "")) for i in out.index]
    for f in result.factor_names:
        out[f"{f} z"] = result.zscores[f]
        out[f"{f} position"] = result.factor_arrays[f]
    return out


def _mark(dist: pd.DataFrame, sid, f: str, others: list[str], names: list[str]) -> str:
    strong = True
    for g in others:
        a, b = sorted((f, g), key=names.index)
        if str(dist.loc[sid, f"sig_{a}_{b}"]) not in STRONG:
            strong = False
    return "**" if strong else "*"


def distinguishing_table(result: qm.QResult, factor: str) -> pd.DataFrame:
    """Statements that distinguish ``factor`` from every other factor (p < .05),
    by its z-score, highest first: position and z on it, the mark
    (``**`` when every comparison is p < .01), and the other factors' positions."""
    dist, Z, A = result.distinguishing, result.zscores, result.factor_arrays
    names = list(result.factor_names)
    live = [g for g in names if g != factor and not Z[g].isna().any()]
    col = f"distinguishes_{factor}"
    ids = [sid for sid in Z.index if col in dist and bool(dist.loc[sid, col])]
    ids.sort(key=lambda sid: -float(Z.loc[sid, factor]))
    rows = []
    for sid in ids:
        row = {"statement": sid, "text": _text(result, sid),
               f"{factor} position": A.loc[sid, factor], f"{factor} z": float(Z.loc[sid, factor]),
               "mark": _mark(dist, sid, factor, live, names)}
        row.update({f"{g} position": A.loc[sid, g] for g in live})
        rows.append(row)
    return pd.DataFrame(rows, columns=None if rows else ["statement", "text", "mark"])


def consensus_table(result: qm.QResult) -> pd.DataFrame:
    """Consensus statements (no pair of factors ranks them significantly
    differently, p < .05: the engine's ``consensus`` column), with every
    factor's position and z."""
    dist, Z, A = result.distinguishing, result.zscores, result.factor_arrays
    ids = [sid for sid in Z.index if bool(dist.loc[sid, "consensus"])]
    rows = []
    for sid in ids:
        row = {"statement": sid, "text": _text(result, sid)}
        for f in result.factor_names:
            row[f"{f} position"] = A.loc[sid, f]
            row[f"{f} z"] = float(Z.loc[sid, f])
        rows.append(row)
    return pd.DataFrame(rows, columns=None if rows else ["statement", "text"])


def characteristics_table(result: qm.QResult) -> pd.DataFrame:
    return result.characteristics.copy()


def factor_correlations_table(result: qm.QResult) -> pd.DataFrame:
    return result.factor_correlations.copy()


def _text(result: qm.QResult, sid) -> str:
    if result.statements is None:
        return ""
    return str(result.statements.get(sid, ""))


def all_tables(result: qm.QResult, manual: pd.DataFrame | None = None) -> dict[str, pd.DataFrame]:
    """Every table of the page by file name (without ``.csv``)."""
    tables = {"loadings": loadings_table(result, manual), "zscores": zscores_table(result),
              "characteristics": characteristics_table(result),
              "factor_correlations": factor_correlations_table(result),
              "consensus": consensus_table(result)}
    for f in result.factor_names:
        tables[f"distinguishing_{f}"] = distinguishing_table(result, f)
    tables["crib_sheets"] = crib_table(result)
    return tables


def csv_bytes(table: pd.DataFrame) -> bytes:
    """The table as UTF-8 CSV; text cells that a spreadsheet would run as a
    formula get a leading apostrophe (:mod:`qmethod.cells`; numbers are never
    touched)."""
    return safe_frame(table).to_csv(index=not isinstance(table.index, pd.RangeIndex)).encode("utf-8")


def flag_style(table: pd.DataFrame, flags: pd.DataFrame, manual: pd.DataFrame | None = None):
    """A pandas Styler of :func:`loadings_table`: flagged loadings on a blue
    ground, manual ones on orange, bold."""
    cols = list(flags.columns)

    def colour(frame: pd.DataFrame) -> pd.DataFrame:
        css = pd.DataFrame("", index=frame.index, columns=frame.columns)
        F = flags.reindex(frame.index)[cols].to_numpy(bool)
        M = (manual.reindex(frame.index)[cols].to_numpy(bool) if manual is not None
             else np.zeros_like(F))
        block = np.where(M, "background-color:#fdd7a5;font-weight:700",
                         np.where(F, "background-color:#c6dcf5;font-weight:700", ""))
        css[cols] = block
        return css

    return table.style.apply(colour, axis=None).format("{:.3f}", subset=cols)
