"""The researcher's analysis of one study: data, factor choice, settings,
judgmental rotation, flags, outputs, interpretation, bootstrap, saved runs
and exports.

A thin layer: the numbers come from :mod:`qmethod` through
:class:`webapp.researcher.analysis_state.Engine` (the same result as
:func:`qmethod.analyze`, with the extraction cached so a rotation step or a
flag only rescores), the charts from :mod:`analysis.figures`, the tables
from :mod:`webapp.researcher.analysis_tables`. The page's state is one
:class:`~webapp.researcher.analysis_state.Settings` in the session; each panel
is a module ``analysis_*.py``, and only the chosen panel is drawn.
"""
from __future__ import annotations

from dataclasses import replace

import streamlit as st

from qmethod.errors import QMethodError
from qmethod.options import CENTROID_ROTATIONS, CORRELATIONS, EXTRACTIONS, ROTATIONS

from . import analysis_data, common
from .analysis_state import Engine, Settings

SETTINGS = "ws_an_settings"
ENGINE = "ws_an_engine"
SECTION = "ws_an_section"
SEEN = "ws_an_seen"             # fingerprint of the data the settings were last used on
MAX_FACTORS = 12
#: the widgets of the settings (kept equal to SETTINGS; a reopened run sets them)
WIDGETS = {"correlation": "ws_an_correlation", "extraction": "ws_an_extraction",
           "nfactors": "ws_an_nfactors", "rotation": "ws_an_rotation"}
SECTIONS = ("Factors", "Rotation and flags", "Results", "Interpretation", "Bootstrap",
            "Saved runs", "Exports")
NAMES = {"pearson": "Pearson", "spearman": "Spearman", "kendall": "Kendall's tau",
         "pca": "principal components (PCA)", "centroid": "centroid"}


def engine() -> Engine:
    return st.session_state.setdefault(ENGINE, Engine())


def settings() -> Settings:
    return st.session_state.setdefault(SETTINGS, Settings())


def set_settings(s: Settings, *, widgets: bool = False) -> None:
    st.session_state[SETTINGS] = s
    if widgets:
        for name, key in WIDGETS.items():
            st.session_state[key] = getattr(s, name)


def _options_changed() -> None:
    s = settings()
    new = {name: st.session_state.get(key, getattr(s, name)) for name, key in WIDGETS.items()}
    set_settings(s.with_options(nfactors=int(new["nfactors"]), extraction=new["extraction"],
                                rotation=new["rotation"], correlation=new["correlation"]))


def settings_bar(n_sorts: int) -> Settings:
    """The four options; a change drops the rotation steps and manual flags (they
    name factors of the old solution)."""
    s = settings()
    most = max(1, min(n_sorts, MAX_FACTORS))
    if s.nfactors > most:                       # fewer sorts than the factors asked for
        s = s.with_options(nfactors=most)
        set_settings(s, widgets=True)
    for name, key in WIDGETS.items():
        st.session_state.setdefault(key, getattr(s, name))
    c = st.columns(4)
    c[0].selectbox("Correlation", CORRELATIONS, key=WIDGETS["correlation"], on_change=_options_changed,
                   format_func=lambda v: NAMES.get(v, v))
    c[1].selectbox("Extraction", EXTRACTIONS, key=WIDGETS["extraction"], on_change=_options_changed,
                   format_func=lambda v: NAMES.get(v, v))
    c[2].number_input("Number of factors", min_value=1, max_value=most, step=1,
                      key=WIDGETS["nfactors"], on_change=_options_changed)
    c[3].selectbox("Rotation", ROTATIONS, key=WIDGETS["rotation"], on_change=_options_changed,
                   help=f"After centroid extraction only {' and '.join(CENTROID_ROTATIONS)} "
                        "(as qmethod); promax and oblimin are oblique.")
    return settings()


def show_notes(result) -> None:
    """The engine's plain-words notes (negative flags, a factor without sorts...)."""
    for note in result.notes[:5]:
        st.caption(f"Note: {note}")


def page() -> None:
    st.set_page_config(page_title="Analysis", layout="wide")
    access, study = common.study_page("Analysis", "analysis")
    data, defn = analysis_data.choose(study)
    if data is None:
        return
    if st.session_state.get(SEEN) != data.fingerprint:
        # other data: flags by hand of participants it does not hold are dropped
        keep = {str(p) for p in data.sorts.columns}
        s = settings()
        set_settings(replace(s, manual=tuple((p, fs) for p, fs in s.manual if p in keep)))
        st.session_state[SEEN] = data.fingerprint
    with st.container(border=True):
        s = settings_bar(data.sorts.shape[1])
    try:
        result = engine().result(data, s)
    except QMethodError as exc:
        st.error(f"These settings cannot be analysed: {exc}")
        result = None
    section = st.segmented_control("Show", SECTIONS, key=SECTION, default=SECTIONS[0],
                                   label_visibility="collapsed") or SECTIONS[0]
    ctx = {"access": access, "study": study, "data": data, "defn": defn, "settings": s,
           "result": result}
    if section == "Factors":
        analysis_data.aids_panel(data)
        return
    if result is None:
        st.info("Choose settings the engine accepts to see this.")
        return
    if section != "Rotation and flags":      # that section (a fragment) shows its own
        show_notes(result)
    from . import (
        analysis_boot,
        analysis_exports,
        analysis_interpret,
        analysis_outputs,
        analysis_rotation,
        analysis_runs,
    )
    {"Rotation and flags": analysis_rotation.panel, "Results": analysis_outputs.panel,
     "Interpretation": analysis_interpret.panel, "Bootstrap": analysis_boot.panel,
     "Saved runs": analysis_runs.panel, "Exports": analysis_exports.panel}[section](ctx)
