"""Preview of the analysis on the co-production study's simulated (demo) data.

Shown so that a fresh install has something to look at. The demo copy is a
separate study marked [DEMO]; its rows never mix with real responses.
"""
from __future__ import annotations

import warnings

import streamlit as st

import qmethod as qm
from analysis import plots
from analysis.perspectives import match_perspectives
from analysis.viewpoints import extreme_statements
from studies.ideal_types import ideal_type_sorts
from webapp.participant.session import get_store

DEMO_SLUG = "coproduction-demo"


@st.cache_data(show_spinner="Analysing the demo data...", ttl=300)
def _analyse(slug: str, nfactors: int, n_responses: int):
    # n_responses is part of the cache key so new demo rows refresh the analysis.
    store = get_store()
    info = store.get_study(slug)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = qm.analyze(store.sorts_frame(slug), nfactors, grid=info.definition.grid)
    match = match_perspectives(res.zscores, ideal_type_sorts(info.definition))
    return info.definition, res, match


@st.cache_data(show_spinner="Comparing with random studies...", ttl=300)
def _aids(slug: str, n_responses: int):
    from qmethod.nfactors import factor_aids
    return factor_aids(get_store().sorts_frame(slug), parallel_iterations=300, seed=1)


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
        st.pyplot(plots.scree_plot(aids), clear_figure=True)
        for reason in aids.reasons:
            st.markdown(f"- {reason}")
    k = st.slider("Number of factors", 1, 5, 3)
    defn, res, match = _analyse(DEMO_SLUG, k, n)
    st.caption(f"{res.info['n_statements']} statements, {res.info['n_sorts']} Q-sorts; PCA, "
               "varimax, automatic flagging (the conventions of the R package qmethod).")

    st.subheader("Which viewpoint resembles which perspective?")
    st.markdown("A proposal for the researcher to confirm, not a label: each factor's z-scores "
                "are correlated with each perspective's ideal-type sort. With "
                f"{res.info['n_statements']} statements, |r| must exceed "
                f"**{match.threshold:.2f}** to be significant (p < .05).")
    for line in match.describe():
        st.markdown(f"- {line}")
    st.pyplot(plots.perspective_heatmap(match), clear_figure=True)

    texts = {s.id: s.text for s in defn.statements}
    st.subheader("Each viewpoint in its own words")
    for f in res.factor_names:
        defining = int(res.characteristics.loc[f, "defining_sorts"])
        with st.expander(f"{f}: {defining} defining sorts, "
                         f"{res.characteristics.loc[f, 'explained_variance']:.0f}% of variance"):
            if res.zscores[f].isna().any():
                st.write("No sort defines this factor, so it has no composite sort.")
                continue
            numbers = {sid: str(i + 1) for i, sid in enumerate(defn.statement_ids())}
            st.pyplot(plots.composite_sort(res.factor_arrays[f], res.grid, numbers,
                                           title=f"{f}: composite Q-sort (statement numbers)"),
                      clear_figure=True)
            top, bottom = extreme_statements(res.zscores, res.factor_arrays, texts, f)
            st.markdown("**Most agree**")
            st.dataframe(top[["position", "text"]], hide_index=True, width="stretch")
            st.markdown("**Most disagree**")
            st.dataframe(bottom[["position", "text"]], hide_index=True, width="stretch")
    st.subheader("Where the viewpoints differ")
    st.pyplot(plots.zscore_plot(res.zscores, {sid: f"{i + 1}" for i, sid in
                                               enumerate(defn.statement_ids())}), clear_figure=True)
