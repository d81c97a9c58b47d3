"""The analysis's results on screen: loadings with flags, each factor's
composite sort as the study grid, z-scores, distinguishing and consensus
statements (* p < .05, ** p < .01), characteristics, factor correlations,
a crib sheet per factor and the post-sort comments of its defining sorts."""
from __future__ import annotations

import streamlit as st

import qmethod as qm
from analysis import crib, figures
from analysis.report import collect_comments
from webapp.participant.session import get_store
from webapp.study_text import inline

from . import analysis_tables as tables
from .analysis_rotation import show_loadings
from .analysis_state import manual_mask

FACTOR = "ws_an_out_factor"


def panel(ctx: dict) -> None:
    result, s = ctx["result"], ctx["settings"]
    manual = manual_mask(result, s)
    names = list(result.factor_names)
    texts = ctx["data"].texts()
    tabs = st.tabs(["Loadings", "Composite sorts", "Z-scores", "Distinguishing and consensus",
                    "Characteristics", "Crib sheets and comments"])
    with tabs[0]:
        st.caption("Blue: flagged by the automatic rule; orange: set by hand.")
        show_loadings(result, manual, key="ws_an_out_loadings")
    with tabs[1]:
        f = st.selectbox("Factor", names, key=FACTOR)
        if result.factor_arrays[f].isna().all():
            st.info(f"{f} has no defining sort, so no composite sort.")
        else:
            numbers = {sid: str(n) for n, sid in enumerate(result.zscores.index, start=1)}
            st.plotly_chart(figures.composite_sort(result.factor_arrays[f], result.grid, texts,
                                                   labels=numbers,
                                                   title=f"Composite Q-sort of {f}"),
                            key="ws_an_composite")
            st.dataframe(_grid_listing(result, f, texts), hide_index=True, width="stretch")
    with tabs[2]:
        st.plotly_chart(figures.zscore_dots(result.zscores, texts), key="ws_an_zdots")
        st.dataframe(tables.zscores_table(result).round(3), width="stretch", key="ws_an_ztable")
    with tabs[3]:
        st.caption("Marks: * p < .05 against every other factor; ** p < .01 against every other factor.")
        for f in names:
            st.markdown(f"**Distinguishing statements of {f}**")
            t = tables.distinguishing_table(result, f)
            if t.empty:
                st.caption("none")
            else:
                st.dataframe(t.round(3), hide_index=True, width="stretch", key=f"ws_an_dist_{f}")
        st.markdown("**Consensus statements** (no pair of factors differs at p < .05)")
        st.dataframe(tables.consensus_table(result).round(3), hide_index=True, width="stretch",
                     key="ws_an_consensus")
    with tabs[4]:
        st.dataframe(tables.characteristics_table(result).round(3), width="stretch",
                     key="ws_an_characteristics")
        st.markdown("**Correlations between the factors' z-scores**")
        st.dataframe(tables.factor_correlations_table(result).round(3), width="stretch",
                     key="ws_an_fcorr")
        if result.rotation_factor_correlations is not None:
            st.markdown(f"**Factor correlations of the {result.info.rotation} rotation (Phi)**")
            st.dataframe(result.rotation_factor_correlations.round(3), width="stretch")
    with tabs[5]:
        crib_and_comments(ctx, result, names)


def _grid_listing(result: qm.QResult, f: str, texts: dict) -> "object":
    t = tables.zscores_table(result)
    out = t[[c for c in t.columns if c in ("text", f"{f} position", f"{f} z")]]
    return out.sort_values(f"{f} z", ascending=False).reset_index().round(3)


def crib_and_comments(ctx: dict, result: qm.QResult, names: list[str]) -> None:
    f = st.selectbox("Factor", names, key="ws_an_crib_factor")
    left, right = st.columns(2)
    with left:
        st.markdown(f"**Crib sheet of {f}**")
        crib_sheet(result, f)
    with right:
        st.markdown(f"**What {f}'s defining participants wrote**")
        comments = factor_comments(ctx, result, f)
        if comments is None:
            st.caption("Comments come with the study's own responses (not with an uploaded file).")
        elif not comments:
            st.caption("No post-sort comment from its defining participants.")
        by_question: dict[str, list] = {}
        for c in comments or []:
            by_question.setdefault(c.question, []).append(c)
        with st.container(height=640 if comments else None, border=False):
            for question, group in by_question.items():
                st.markdown(f"*{inline(question)}*")
                st.markdown("\n".join(f"- {inline(c.text)} ({inline(c.participant)}"
                                       + ("" if c.quote_consent else ", no consent to quote")
                                       + ")" for c in group))


def crib_sheet(result: qm.QResult, f: str) -> None:
    sheet = crib.crib_sheet(result, f)
    for name in crib.SECTIONS:
        table = sheet.section(name)
        st.markdown(f"*{crib.SECTION_TITLES[name]}*")
        if table.empty:
            st.caption("none")
        else:
            st.dataframe(table.round(3), width="stretch", key=f"ws_an_crib_{name}")


def factor_comments(ctx: dict, result: qm.QResult, f: str):
    """Comments of ``f``'s defining participants (None for uploaded data)."""
    if ctx["defn"] is None:
        return None
    defining = {str(p) for p in result.flags.index[result.flags[f].to_numpy(bool)]}
    comments = collect_comments(ctx["defn"], get_store().responses(ctx["study"].slug))
    return [c for c in comments if c.participant in defining]
