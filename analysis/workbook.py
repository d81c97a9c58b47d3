"""One XLSX workbook of an analysis, a sheet per table, formatted for reading
(as Ken-Q's workbook is): bold frozen header row and first column, column
widths that fit, statement texts wrapped, flags highlighted by fill.

Sheets: Settings (with the rotation history and manual flags), Loadings
(defining sorts filled green, by-hand flags orange), Z-scores, Factor arrays,
Distinguishing, Consensus, Characteristics, Factor correlations, Crib sheets.
Numbers are written as numbers at full precision (the display format only
rounds them); a missing factor-array score is an empty cell.

Every text cell is neutralised against formula injection: a text starting
with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a leading
apostrophe, so that no spreadsheet runs a participant's or a statement's text
as a formula: :func:`qmethod.cells.safe_cell`, the rule of every CSV export
(OWASP's advice on CSV injection). Numbers are never touched.
"""
from __future__ import annotations

import io
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from qmethod import QResult
from qmethod.cells import safe_cell
from qmethod.files import write_bytes_atomic
from qmethod.rotation import RotationHistory

from .crib import crib_table

FLAG_FILL = PatternFill("solid", start_color="C6EFCE", end_color="C6EFCE")     # green
MANUAL_FILL = PatternFill("solid", start_color="FFD8A8", end_color="FFD8A8")   # orange
HEADER_FONT = Font(bold=True)
TEXT_WIDTH = 60
_neutralise = safe_cell        # the one rule for spreadsheet cells (qmethod/cells.py)


def _cell_value(v):
    if v is None or v is pd.NA:
        return None
    if isinstance(v, (np.bool_, bool)):
        return bool(v)
    if isinstance(v, np.integer):
        return int(v)
    if isinstance(v, (np.floating, float)):
        return None if np.isnan(v) else float(v)
    return v if isinstance(v, int) else _neutralise(str(v))


def _texts(result: QResult, index) -> pd.Series:
    if result.statements is None:
        return pd.Series("", index=index)
    return result.statements.reindex(index).fillna("").astype(str)


def _sheet(wb: Workbook, title: str, frame: pd.DataFrame, *, number_format: str = "0.000",
           freeze: str = "B2"):
    """A sheet of ``frame`` with its index as the first column."""
    ws = wb.create_sheet(title)
    header = [frame.index.name or ""] + [str(c) for c in frame.columns]
    ws.append([_neutralise(h) for h in header])
    for cell in ws[1]:
        cell.font = HEADER_FONT
    for idx, row in zip(frame.index, frame.itertuples(index=False, name=None)):
        ws.append([_cell_value(idx)] + [_cell_value(v) for v in row])
    for j, col in enumerate(header, start=1):
        letter = get_column_letter(j)
        if col == "text":
            ws.column_dimensions[letter].width = TEXT_WIDTH
            for cell in ws[letter][1:]:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
            continue
        values = frame.index if j == 1 else frame.iloc[:, j - 2]
        if j > 1 and pd.api.types.is_float_dtype(values.dtype):
            for cell in ws[letter][1:]:
                cell.number_format = number_format
            width = 10
        else:
            longest = max([len(str(v)) for v in values[:2000]] + [0])
            width = min(40, max(8, longest + 2))
        ws.column_dimensions[letter].width = max(width, min(40, len(col) + 2))
    ws.freeze_panes = freeze
    return ws


def _settings_rows(result: QResult, history: RotationHistory | None,
                   manual_flags: Mapping | None) -> list[list]:
    i = result.info
    rows = [["setting", "value"],
            ["engine version", i.engine_version], ["created (UTC)", i.created],
            ["statements", i.n_statements], ["Q-sorts", i.n_sorts], ["factors", i.nfactors],
            ["extraction", i.extraction], ["rotation", i.rotation],
            ["correlation", i.correlation], ["forced distribution", i.forced],
            ["flagging", i.flagging], ["flag level (p)", i.flag_level],
            ["majority rule", i.majority_rule], ["ties in factor arrays", i.ties],
            ["grid", "" if i.grid is None else
             "scores " + " ".join(map(str, i.grid["scores"]))
             + "; heights " + " ".join(map(str, i.grid["heights"]))],
            [], ["rotation history", ""]]
    steps = history.describe() if history is not None else list(i.judgmental)
    rows += [[f"step {n}", s] for n, s in enumerate(steps, 1)] or [["(none)", ""]]
    rows += [[], ["manual flags", "defines"]]
    manual = dict(manual_flags or {})
    rows += [[p, ", ".join(f"f{f}" for f in fs) or "(unflagged)"] for p, fs in manual.items()] \
        or [["(none)", ""]]
    rows += [[], ["key", ""], ["green fill (Loadings)", "defining sort (flagged)"],
             ["orange fill (Loadings)", "flag set by hand"]]
    for note in result.notes:
        rows.append(["note", note])
    return rows


def analysis_workbook(result: QResult, *, history: RotationHistory | None = None,
                      manual_flags: Mapping | None = None) -> bytes:
    """The workbook as XLSX bytes (for a download button).

    history : the judgmental rotation steps (default: those the result records)
    manual_flags : participant id -> 1-based factors set by hand (their
        loadings are filled orange instead of green)
    """
    wb = Workbook()
    ws = wb.active
    ws.title = "Settings"
    for row in _settings_rows(result, history, manual_flags):
        ws.append([_neutralise(_cell_value(v)) if v is not None else None for v in row])
    ws["A1"].font = ws["B1"].font = HEADER_FONT
    ws.column_dimensions["A"].width = 28
    ws.column_dimensions["B"].width = 70
    ws.freeze_panes = "A2"

    names = result.factor_names
    loadings = _sheet(wb, "Loadings", result.loadings.assign(
        defines=[", ".join(f for f, on in zip(names, row) if on)
                 for row in result.flags.to_numpy()]))
    manual = {str(p) for p in (manual_flags or {})}
    flags = result.flags.to_numpy()
    for r, pid in enumerate(result.loadings.index, start=2):
        fill = MANUAL_FILL if str(pid) in manual else FLAG_FILL
        for j in np.flatnonzero(flags[r - 2]):
            loadings.cell(row=r, column=j + 2).fill = fill

    sidx = result.zscores.index
    texts = _texts(result, sidx)
    _sheet(wb, "Z-scores", result.zscores.assign(text=texts.to_numpy())[["text", *names]])
    _sheet(wb, "Factor arrays", result.factor_arrays.assign(text=texts.to_numpy())[["text", *names]])
    dist = result.distinguishing
    _sheet(wb, "Distinguishing", dist.assign(text=texts.reindex(dist.index).to_numpy())
           [["text", *[c for c in dist.columns]]])
    cons = dist.index[dist["consensus"].to_numpy(dtype=bool)]
    consensus = pd.DataFrame({"text": texts.reindex(cons).to_numpy()}, index=cons)
    for f in names:
        consensus[f"{f} z"] = result.zscores.loc[cons, f].to_numpy()
        consensus[f"{f} array"] = result.factor_arrays.loc[cons, f].to_numpy()
    _sheet(wb, "Consensus", consensus)
    _sheet(wb, "Characteristics", result.characteristics)
    _sheet(wb, "Factor correlations", result.factor_correlations)
    crib = crib_table(result).set_index("factor")
    _sheet(wb, "Crib sheets", crib, freeze="C2")
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def write_workbook(path, result: QResult, **options) -> Path:
    """Write :func:`analysis_workbook` to ``path``; returns the path."""
    return write_bytes_atomic(path, analysis_workbook(result, **options))
