"""Preview of the analysis on the co-production study's simulated (demo) data.

Shown so that a fresh install has something to look at. The demo copy is a
separate study marked [DEMO]; its rows never mix with real responses. Every
chart comes from :mod:`analysis.figures`; the names of the viewpoints from the
calibrated matching of :mod:`analysis.viewpoints`.
"""
from __future__ import annotations

import warnings

import streamlit as st

import qmethod as qm
from analysis import figures
from analysis.perspectives import critical_r, ideal_type_correlations
from analysis.viewpoints import extreme_statements, match_result
from qmethod.flagging import flag_threshold
from studies.ideal_types import ideal_type_sorts
from webapp.participant.session import get_store

DEMO_SLUG = "coproduction-demo"
SEED = 0
PERMUTATIONS = 9999
_STATUS_WORDS = {"matched": "matches", "hybrid": "is a hybrid of", "rejects": "rejects",
                 "unmatched": "matches no perspective", "no defining sort": "has no defining sort"}


@st.cache_data(show_spinner="Analysing the demo data...", ttl=300)
def _analyse(slug: str, nfactors: int, n_responses: int):
    # n_responses is part of the cache key so new demo rows refresh the analysis.
    store = get_store()
    info = store.get_study(slug)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = qm.analyze(store.sorts_frame(slug), nfactors, grid=info.definition.grid)
    match = match_result(res, info.definition, permutations=PERMUTATIONS, seed=SEED)
    return info.definition, res, match


@st.cache_data(show_spinner="Comparing with random studies...", ttl=300)
def _aids(slug: str, n_responses: int):
    from qmethod.nfactors import factor_aids
    return factor_aids(get_store().sorts_frame(slug), parallel_iterations=300, seed=1)


def _headline(f: str, row) -> str:
    if row.status in ("matched", "hybrid"):
        return f"**{f}** {_STATUS_WORDS[row.status]} **{row.perspective}**"
    if row.status == "rejects":
        return f"**{f}** rejects **{row.rejected}** (no perspective named)"
    return f"**{f}** {_STATUS_WORDS[row.status]}"


def page() -> None:
    st.title("Demo: viewpoints in simulated data")
    store = get_store()
    try:
        info = store.get_study(DEMO_SLUG)
        n = store.count_responses(DEMO_SLUG)
    except qm.QMethodError as exc:
        st.error(f"The demo study is not available: {exc}")
        return
    st.warning(f"**Simulated participants, not real people.** {info.title} holds {n} synthetic "
               "Q-sorts drawn from the three perspectives plus noise. Real responses are kept "
               "in a separate study and never mixed with these.")
    if n < 3:
        st.info("The demo study has too few sorts to analyse. Run `python -m storage demo`.")
        return
    aids = _aids(DEMO_SLUG, n)
    with st.expander(f"How many factors? The aids suggest {aids.recommended}"):
        st.plotly_chart(figures.scree(aids), key="scree")
        for reason in aids.reasons:
            st.markdown(f"- {reason}")
    k = st.slider("Number of factors", 1, 5, 3)
    defn, res, match = _analyse(DEMO_SLUG, k, n)
    n_statements, n_sorts = res.zscores.shape[0], res.loadings.shape[0]
    st.caption(f"{n_statements} statements, {n_sorts} Q-sorts; PCA, varimax, automatic flagging "
               "(the conventions of the R package qmethod).")

    st.subheader("Which viewpoint matches which perspective?")
    st.info("**A hypothesis for the researcher to confirm, rename or reject, not a label.** "
            "For each factor, the z-scores of each perspective's statements are compared with the "
            "rest; the chance of such a difference is found by shuffling the perspective tags "
            f"across the statements {match.permutations:,} times (seed {match.seed}). A name is "
            f"proposed only when the difference is significant for the whole study at once "
            f"(family-wise, p \u2264 {match.alpha:g}: a standardised difference beyond "
            f"\u00b1{match.critical:.2f}), so on random data a perspective is claimed in at most "
            f"{match.alpha:.0%} of studies. Only a positive difference names a perspective.")
    for f, row in match.proposals.iterrows():
        st.markdown(f"- {_headline(f, row)}. {row.explanation}")
    st.plotly_chart(figures.viewpoint_heatmap(match), key="viewpoint-heatmap")
    with st.expander("Extra evidence: correlations with the ideal-type sorts (uncorrected)"):
        st.markdown("Each factor's z-scores correlated with the sort a pure holder of each perspective "
                    "would make. One test per cell, not corrected for the number of cells: it shows "
                    "closeness, it does not name factors.")
        corr = ideal_type_correlations(res.zscores, ideal_type_sorts(defn))
        st.plotly_chart(figures.correlation_heatmap(corr, critical_r(n_statements)), key="ideal-types")

    texts = {s.id: s.text for s in defn.statements}
    numbers = {sid: str(i + 1) for i, sid in enumerate(defn.statement_ids())}
    st.subheader("Each viewpoint in its own words")
    for f in res.factor_names:
        defining = int(res.characteristics.loc[f, "defining_sorts"])
        with st.expander(f"{f}: {defining} defining sorts, "
                         f"{res.characteristics.loc[f, 'explained_variance']:.0f}% of variance"):
            if res.zscores[f].isna().any():
                st.write("No sort defines this factor, so it has no composite sort.")
                continue
            st.plotly_chart(figures.composite_sort(res.factor_arrays[f], res.grid, texts, numbers,
                                                   title=f"{f}: composite Q-sort (statement numbers; "
                                                         "hover for the text)"), key=f"composite-{f}")
            top, bottom = extreme_statements(res.zscores, res.factor_arrays, texts, f)
            st.markdown("**Most agree**")
            st.dataframe(top[["position", "text"]], hide_index=True, width="stretch")
            st.markdown("**Most disagree**")
            st.dataframe(bottom[["position", "text"]], hide_index=True, width="stretch")
    st.subheader("Where the viewpoints differ")
    st.plotly_chart(figures.zscore_dots(res.zscores, texts, numbers), key="zscores")
    if res.nfactors >= 2:
        st.subheader("The sorts on the first two factors")
        st.plotly_chart(figures.loadings_scatter(res.loadings, res.flags, "f1", "f2",
                                                 flag_threshold(n_statements)), key="loadings")
