"""Exports of the analysis: every table as CSV, the XLSX workbook, the data
as PQMethod .DAT/.STA, Ken-Q JSON and sorts.csv (the :mod:`qmethod.io`
writers), the reproducible analysis file, and the charts as PNG and SVG."""
from __future__ import annotations

import re
import tempfile
import warnings
from pathlib import Path

import streamlit as st

from analysis import figures
from analysis.chart_export import FORMATS, PdfUnavailable, figure_images
from analysis.workbook import analysis_workbook
from qmethod.analysis_file import analysis_file_text
from qmethod.data import QSortData
from qmethod.flagging import flag_threshold
from qmethod.io import write_dat, write_kenq_json, write_sorts_csv, write_sta

from . import analysis_tables as tables
from .analysis_data import AIDS
from .analysis_state import manual_mask


def base_name(ctx: dict) -> str:
    return re.sub(r"[^A-Za-z0-9_-]+", "-", ctx["study"].slug)[:60] or "analysis"


def data_files(data: QSortData, stem: str) -> dict[str, bytes]:
    """The data in each format: file name -> bytes."""
    out = {}
    with tempfile.TemporaryDirectory() as tmp, warnings.catch_warnings():
        warnings.simplefilter("ignore")     # a format holding the data in part says so in the file
        folder = Path(tmp)
        write_sorts_csv(data, folder / f"{stem}-sorts.csv")
        write_dat(data, folder / f"{stem}.DAT")
        if data.statements is not None:
            write_sta(data, folder / f"{stem}.STA")
        write_kenq_json(data, folder / f"{stem}-kenq.json")
        for p in sorted(folder.iterdir()):
            out[p.name] = p.read_bytes()
    return out


def panel(ctx: dict) -> None:
    result, s, data = ctx["result"], ctx["settings"], ctx["data"]
    stem = base_name(ctx)
    st.markdown("**The whole analysis**")
    c = st.columns(2)
    with c[0]:
        workbook_button(ctx, stem)
    with c[1]:
        analysis_file_button(ctx, stem)
    st.markdown("**Tables as CSV**")
    all_tables = tables.all_tables(result, manual_mask(result, s))
    cols = st.columns(4)
    for n, (name, table) in enumerate(all_tables.items()):
        cols[n % 4].download_button(f"{name}.csv", tables.csv_bytes(table), f"{stem}-{name}.csv",
                                    mime="text/csv", key=f"ws_an_csv_{name}", on_click="ignore")
    st.markdown("**The data**")
    try:
        files = data_files(data.qsortdata(), stem)
    except Exception as exc:  # noqa: BLE001 - a format that cannot hold these data says why
        st.error(f"The data cannot be written in every format: {exc}")
        files = {}
    cols = st.columns(4)
    for n, (name, blob) in enumerate(files.items()):
        cols[n % 4].download_button(name, blob, name, key=f"ws_an_data_{name}", on_click="ignore")
    charts_section(ctx, stem)


def workbook_button(ctx: dict, stem: str) -> None:
    s = ctx["settings"]
    blob = analysis_workbook(ctx["result"], history=s.history, manual_flags=s.manual_flags)
    st.download_button("Workbook (.xlsx)", blob, f"{stem}-analysis.xlsx",
                       mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                       key="ws_an_xlsx", on_click="ignore", type="primary",
                       help="A sheet per table: frozen headers, flags filled (by hand in orange).")


def analysis_file_button(ctx: dict, stem: str) -> None:
    s = ctx["settings"]
    text = analysis_file_text(ctx["data"].qsortdata(), s.options(), s.history, s.manual_flags)
    st.download_button("Reproducible analysis file (.json)", text.encode("utf-8"),
                       f"{stem}-analysis.json", mime="application/json",
                       key="ws_an_file", on_click="ignore", type="primary",
                       help="`python -m qmethod rerun FILE --out DIR` turns it into the same numbers.")


CHARTS = ("scree", "loadings", "composite sorts", "z-scores")


def chart_figures(ctx: dict, which: str) -> dict[str, object]:
    """The page's charts of one kind, by file stem."""
    result, data = ctx["result"], ctx["data"]
    texts = data.texts()
    if which == "z-scores":
        return {"zscores": figures.zscore_dots(result.zscores, texts)}
    if which == "composite sorts":
        numbers = {sid: str(n) for n, sid in enumerate(result.zscores.index, start=1)}
        return {f"composite-{f}": figures.composite_sort(result.factor_arrays[f], result.grid, texts,
                                                         labels=numbers, title=f"Composite Q-sort of {f}")
                for f in result.factor_names if not result.factor_arrays[f].isna().all()}
    if which == "loadings":
        names = list(result.factor_names)
        if len(names) < 2:
            return {}
        return {"loadings-f1-f2": figures.loadings_scatter(
            result.loadings, result.flags, names[0], names[1],
            flag_threshold(result.info.n_statements), manual=manual_mask(result, ctx["settings"]))}
    aids = st.session_state.get(AIDS, {}).get(data.fingerprint)
    return {"scree": figures.scree(aids)} if aids is not None else {}


def charts_section(ctx: dict, stem: str) -> None:
    st.markdown("**Charts as PNG and SVG**")
    c = st.columns([2, 1, 1], vertical_alignment="bottom")
    which = c[0].selectbox("Chart", CHARTS, key="ws_an_chart_kind")
    fmt = c[1].selectbox("Format", FORMATS, key="ws_an_chart_fmt")
    if not c[2].button("Make the image files", key="ws_an_chart_go"):
        return
    figs = chart_figures(ctx, which)
    if not figs:
        st.info("Open the Factors section once to compute the scree plot." if which == "scree"
                else "There is no such chart for this analysis.")
        return
    try:
        with st.spinner("Drawing"):
            images = {f"{stem}-{name}.{fmt}": blob
                      for name, blob in figure_images(figs, fmt).items()}
    except PdfUnavailable as exc:
        st.error(str(exc))
        return
    cols = st.columns(4)
    for n, (name, blob) in enumerate(images.items()):
        cols[n % 4].download_button(name, blob, name, key=f"ws_an_img_{name}", on_click="ignore",
                                    mime="image/png" if fmt == "png" else "image/svg+xml")
