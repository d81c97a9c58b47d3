"""Interpretation: the calibrated viewpoint matching (:mod:`analysis.viewpoints`)
as a proposal per factor that the researcher accepts, renames or rejects, and
a name and narrative per factor. Kept as an :class:`analysis.report.Interpretation`
in the session and saved with the run."""
from __future__ import annotations

import streamlit as st

from analysis import figures
from analysis.report import FactorInterpretation, Interpretation
from analysis.viewpoints import ViewpointError, match_result
from webapp.study_text import inline

MATCH = "ws_an_match"           # (result key, tag) -> ViewpointMatch
TAG = "ws_an_tag"
PERMUTATIONS = 9999
SEED = 0
DECISIONS = {None: "not decided", "accepted": "accept the proposal", "renamed": "accept, renamed",
             "rejected": "reject the proposal"}


STORE = "ws_an_interp"         # widget key -> value (kept while the section is not drawn)
TITLE, SUMMARY = "ws_an_i_title", "ws_an_i_summary"


def _key(f: str, part: str) -> str:
    return f"ws_an_i_{f}_{part}"


def _kept() -> dict:
    return st.session_state.setdefault(STORE, {})


def _remember(key: str) -> None:
    """on_change: copy a widget's value where it outlives the widget (Streamlit
    forgets a widget's value when a run does not draw it)."""
    _kept()[key] = st.session_state.get(key)


def _bind(key: str, default=None) -> dict:
    """The widget arguments for ``key``, its value restored from the kept ones."""
    if key not in st.session_state:
        st.session_state[key] = _kept().get(key, default)
    return {"key": key, "on_change": _remember, "args": (key,)}


def current(names: list[str]) -> Interpretation:
    """The interpretation as the researcher has written it so far."""
    kept = _kept()
    factors = {f: FactorInterpretation(name=str(kept.get(_key(f, "name")) or ""),
                                       narrative=str(kept.get(_key(f, "narrative")) or ""),
                                       decision=kept.get(_key(f, "decision")))
               for f in names}
    return Interpretation(factors=factors, title=str(kept.get(TITLE) or ""),
                          summary=str(kept.get(SUMMARY) or ""))


def load(interp: Interpretation | dict | None, names: list[str]) -> None:
    """Put a saved interpretation on the page (reopening a run)."""
    if isinstance(interp, dict):
        interp = Interpretation.from_dict(interp)
    interp = interp or Interpretation()
    kept = {TITLE: interp.title, SUMMARY: interp.summary}
    for f in names:
        fi = interp.factor(f)
        kept.update({_key(f, "name"): fi.name, _key(f, "narrative"): fi.narrative,
                     _key(f, "decision"): fi.decision})
    st.session_state[STORE] = kept
    for key in [k for k in st.session_state if str(k).startswith("ws_an_i_")]:
        del st.session_state[key]


def matching(ctx: dict, tag: str):
    """The viewpoint match of this result (cached), or the reason there is none."""
    result, data, defn = ctx["result"], ctx["data"], ctx["defn"]
    if defn is None:
        return None, "The viewpoint matching needs the study's statements and their tags."
    key = (data.fingerprint, ctx["settings"], tag)
    cache = st.session_state.setdefault(MATCH, {})
    if key not in cache:
        try:
            with st.spinner("Matching the factors to the design's viewpoints"):
                cache.clear()
                cache[key] = match_result(result, defn, tag=tag, permutations=PERMUTATIONS, seed=SEED)
        except ViewpointError as exc:
            return None, str(exc)
    return cache[key], ""


def panel(ctx: dict) -> None:
    result, defn = ctx["result"], ctx["defn"]
    names = list(result.factor_names)
    tags = sorted({k for s in defn.statements for k in s.tags}) if defn is not None else []
    match, why = None, "The statements carry no design tag to match the factors to."
    if tags:
        tag = st.selectbox("Match the factors to the design tag", tags, key=TAG,
                           index=tags.index("perspective") if "perspective" in tags else 0)
        match, why = matching(ctx, tag)
    if match is None:
        st.caption(why)
    else:
        st.caption(f"Calibrated matching ({match.permutations} permutations, family-wise alpha "
                   f"{match.alpha:g}): a proposal for you to accept, rename or reject.")
        with st.expander("Evidence (standardised differences)"):
            st.plotly_chart(figures.viewpoint_heatmap(match), key="ws_an_vp_heat")
    st.text_input("Title of the results", max_chars=300,
                  placeholder="(default: Results: the study's title)", **_bind(TITLE, ""))
    st.text_area("Summary above the viewpoints", max_chars=5000, **_bind(SUMMARY, ""))
    for f in names:
        with st.container(border=True):
            st.markdown(f"**{f}**")
            proposal = ""
            if match is not None and f in match.proposals.index:
                row = match.proposals.loc[f]
                proposal = str(row.perspective or "")
                st.markdown(f"Proposal: **{inline(proposal or 'no name')}** ({row.status}). {inline(row.explanation)}")
            decision = st.radio("Decision", list(DECISIONS), horizontal=True,
                                format_func=DECISIONS.get, disabled=not proposal and match is None,
                                **_bind(_key(f, "decision")))
            name_key = _key(f, "name")
            bound = _bind(name_key, "")
            if decision == "accepted" and proposal and not st.session_state.get(name_key):
                st.session_state[name_key] = _kept()[name_key] = proposal
            st.text_input("Name of the viewpoint", max_chars=200,
                          placeholder=proposal or f"Viewpoint {names.index(f) + 1}", **bound)
            st.text_area("Narrative", max_chars=20_000,
                         placeholder="What this viewpoint says, in your words.",
                         **_bind(_key(f, "narrative"), ""))
    st.caption("The interpretation is saved with the run (Saved runs).")
