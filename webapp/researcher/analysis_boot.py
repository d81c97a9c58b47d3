"""Bootstrap of the analysis (:func:`qmethod.bootstrap.bootstrap`) with a
progress bar, its plain-words stability summary and the z-score intervals."""
from __future__ import annotations

import warnings

import streamlit as st

from analysis import figures
from qmethod.bootstrap import bootstrap

from . import common

RESULT = "ws_an_boot"          # (data fingerprint, options, resamples, seed) -> BootstrapResult


def panel(ctx: dict) -> None:
    data, s, result = ctx["data"], ctx["settings"], ctx["result"]
    st.caption("The bootstrap resamples the Q-sorts and repeats the analysis with these options "
               f"({s.nfactors} factors, {s.extraction}, {s.rotation}, {s.correlation}); "
               "judgmental rotation and flags set by hand are not part of it.")
    c = st.columns(3)
    resamples = c[0].number_input("Resamples", 50, 5000, 500, step=50, key="ws_an_boot_n")
    seed = c[1].number_input("Seed", 0, 2**31 - 1, 1, step=1, key="ws_an_boot_seed")
    key = (data.fingerprint, tuple(sorted(s.options().items())), int(resamples), int(seed))
    kept = st.session_state.get(RESULT)
    if c[2].button("Run the bootstrap", type="primary", key="ws_an_boot_go"):
        def work(progress):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                return bootstrap(data.qsortdata(), s.nfactors, int(resamples), seed=int(seed),
                                 extraction=s.extraction, rotation=s.rotation,
                                 correlation=s.correlation, progress=progress)

        boot = common.with_progress("Resampling", work)
        if boot is None:
            return
        kept = (key, boot)
        st.session_state[RESULT] = kept
    if not kept or kept[0] != key:
        return
    boot = kept[1]
    st.code(boot.summary, language=None)
    f = st.selectbox("Factor", list(result.factor_names), key="ws_an_boot_factor")
    st.plotly_chart(figures.bootstrap_intervals(boot, f, data.texts()), key="ws_an_boot_fig")
