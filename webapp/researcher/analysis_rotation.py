"""Judgmental rotation and flags: two factors' loadings as a scatter (the
angle in the slider or number box previews the turn; Apply adds it to the
rotation history), undo, redo, invert a factor; and a sort's flags set by
hand, with the effect on the z-scores shown at once."""
from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

import qmethod as qm
from analysis import figures
from qmethod.errors import QMethodError
from qmethod.flagging import flag_threshold

from . import analysis as page
from .analysis_state import automatic_flags, manual_mask
from .analysis_tables import STYLED_ROWS, flag_style, loadings_table


def show_loadings(result: qm.QResult, manual: pd.DataFrame, key: str) -> None:
    """The loadings with the flags highlighted (pandas' styling costs about a
    millisecond a row: beyond STYLED_ROWS sorts the flagged column says it)."""
    table = loadings_table(result, manual)
    if len(table) <= STYLED_ROWS:
        st.dataframe(flag_style(table, result.flags, manual), width="stretch", height=420, key=key)
    else:
        st.caption(f"{len(table):,} sorts: the column “flagged” names the factors each defines.")
        st.dataframe(table.round(3), width="stretch", height=420, key=key)

X, Y = "ws_an_rot_x", "ws_an_rot_y"
ANGLE, ANGLE_BOX = "ws_an_angle", "ws_an_angle_box"
INVERT = "ws_an_invert"
WHO, ON = "ws_an_flag_who", "ws_an_flag_factor"
BEFORE = "ws_an_flags_before"       # settings before the last flag change (for the z-score effect)


def _sync(src: str, dst: str) -> None:
    st.session_state[dst] = float(st.session_state[src])


def _apply(i: int, j: int) -> None:
    angle = float(st.session_state.get(ANGLE, 0))
    if angle:
        page.set_settings(page.settings().rotate(i, j, angle))
    st.session_state[ANGLE] = st.session_state[ANGLE_BOX] = 0.0


def panel(ctx: dict) -> None:
    _panel(ctx)


@st.fragment
def _panel(ctx: dict) -> None:
    """A fragment: a rotation step or a flag reruns only this section (the
    settings bar, the guard and the data stay as the page's last full run
    drew them; the result is the engine's for the settings now)."""
    s = page.settings()
    try:
        result = page.engine().result(ctx["data"], s)
    except QMethodError as exc:
        st.error(f"These settings cannot be analysed: {exc}")
        return
    ctx = {**ctx, "result": result, "settings": s}
    page.show_notes(result)
    names = list(result.factor_names)
    if len(names) < 2:
        st.info("Judgmental rotation needs at least two factors.")
    elif ctx["result"].rotation_factor_correlations is not None:
        st.info(f"{s.rotation} is oblique: judgmental rotation turns orthogonal factors "
                "(choose varimax or none).")
    else:
        rotation_section(result, s, names)
    flags_section(ctx, result, s, names)


def rotation_section(result: qm.QResult, s, names: list[str]) -> None:
    st.subheader("Judgmental rotation", anchor=False)
    st.session_state.setdefault(ANGLE, 0.0)
    st.session_state.setdefault(ANGLE_BOX, 0.0)
    for key, default in ((X, names[0]), (Y, names[1])):
        if st.session_state.get(key) not in names:
            st.session_state[key] = default
    left, right = st.columns([1, 2])
    with left:
        a, b = st.columns(2)
        fx = a.selectbox("Factor across", names, key=X)
        fy = b.selectbox("Factor up", names, key=Y)
        i, j = names.index(fx), names.index(fy)
        same = i == j
        st.slider("Angle (degrees)", -90.0, 90.0, step=0.5, format="%g°", key=ANGLE, on_change=_sync,
                  args=(ANGLE, ANGLE_BOX), disabled=same,
                  help="A positive angle turns the points clockwise on the plot.")
        st.number_input("Angle (degrees), exactly", -90.0, 90.0, step=1.0, key=ANGLE_BOX,
                        on_change=_sync, args=(ANGLE_BOX, ANGLE), disabled=same)
        angle = float(st.session_state[ANGLE])
        st.button(f"Apply rotation of {fx} and {fy} by {angle:+g}°", type="primary",
                  key="ws_an_apply", disabled=same or not angle, on_click=_apply, args=(i, j))
        u, r = st.columns(2)
        u.button("Undo", key="ws_an_undo", disabled=not s.steps, icon=":material/undo:",
                 on_click=lambda: page.set_settings(page.settings().undo()))
        r.button("Redo", key="ws_an_redo", disabled=not s.redo, icon=":material/redo:",
                 on_click=lambda: page.set_settings(page.settings().redo_step()))
        inv = st.selectbox("Invert a factor (bipolar)", names, key=INVERT)
        st.button(f"Invert {inv}", key="ws_an_invert_btn",
                  on_click=lambda: page.set_settings(page.settings().invert(names.index(inv))))
        st.markdown("**Rotation history** (kept with the run)")
        if s.steps:
            st.markdown("\n".join(f"{n}. {line}" for n, line in
                                  enumerate(s.history.describe(), start=1)))
        else:
            st.caption(f"none: the {s.rotation} solution as it is")
    with right:
        if same:
            st.warning("Choose two different factors.")
            return
        L = result.loadings
        preview = L if not angle else pd.DataFrame(qm.rotate_pair(L.to_numpy(), i, j, angle),
                                                   index=L.index, columns=L.columns)
        flags = result.flags if not angle else pd.DataFrame(
            qm.auto_flags(preview.to_numpy(), result.info.n_statements), index=L.index,
            columns=L.columns)
        fig = figures.loadings_scatter(preview, flags, fx, fy,
                                       flag_threshold(result.info.n_statements),
                                       manual=None if angle else manual_mask(result, s))
        if angle:
            fig.update_layout(title=f"preview: {fx} and {fy} turned by {angle:+g}° "
                                    "(automatic flags; Apply to keep it)")
        st.plotly_chart(fig, key="ws_an_scatter")


def _toggle(who: str, factor: int, current: list[int], auto: list[int]) -> None:
    """Callback: flag or unflag ``who`` on ``factor`` (1-based); ``current`` and
    ``auto`` are its flags now and by the automatic rule."""
    on = sorted(set(current) ^ {factor})
    st.session_state[BEFORE] = page.settings()
    page.set_settings(page.settings().with_flags(who, on, auto))


def _automatic(who: str, auto: list[int]) -> None:
    st.session_state[BEFORE] = page.settings()
    page.set_settings(page.settings().with_flags(who, auto, auto))


def flags_section(ctx: dict, result: qm.QResult, s, names: list[str]) -> None:
    st.subheader("Flags", anchor=False)
    manual = manual_mask(result, s)
    st.caption("Defining sorts are highlighted: blue = flagged by the automatic rule, orange = "
               "set by hand. Flag or unflag any sort below; z-scores and everything after them update "
               "at once.")
    ids = [str(p) for p in result.loadings.index]
    left, right = st.columns([1, 2])
    with left, st.container(border=True):
        who = st.selectbox("Sort", ids, key=WHO, index=None, placeholder="Choose a sort")
        if who is not None:
            current = [names.index(f) + 1 for f in names if bool(result.flags.loc[who, f])]
            auto = automatic_flags(result, who)
            st.caption("flagged now: " + (", ".join(f"f{f}" for f in current) or "not flagged")
                       + " · automatic rule: " + (", ".join(f"f{f}" for f in auto) or "not flagged")
                       + (" · set by hand" if who in dict(s.manual) else ""))
            f = st.selectbox("Factor", names, key=ON)
            k = names.index(f) + 1
            b1, b2 = st.columns(2)
            b1.button(f"Unflag on {f}" if k in current else f"Flag on {f}", key="ws_an_toggle_flag",
                      on_click=_toggle, args=(who, k, current, auto), type="primary")
            b2.button("Back to automatic", key="ws_an_auto_flags", disabled=who not in dict(s.manual),
                      on_click=_automatic, args=(who, auto))
        if s.manual:
            st.markdown("**Set by hand:** " + "; ".join(
                f"{p}: {', '.join(f'f{f}' for f in fs) or 'none'}" for p, fs in s.manual))
    with right:
        effect(ctx, result)
        show_loadings(result, manual, key="ws_an_loadings_flags")


def effect(ctx: dict, result: qm.QResult) -> None:
    """How the last flag change moved the z-scores."""
    before = st.session_state.get(BEFORE)
    if before is None or before == page.settings():
        return
    try:
        old = page.engine().result(ctx["data"], before)
    except Exception:  # noqa: BLE001 - settings since changed: nothing to compare
        return
    if list(old.zscores.columns) != list(result.zscores.columns):
        return
    d = (result.zscores - old.zscores)
    biggest = d.abs().max()
    parts = [f"{f}: up to {v:.2f}" for f, v in biggest.items() if np.isfinite(v) and v > 1e-12]
    nan = [f for f in d.columns if old.zscores[f].isna().any() != result.zscores[f].isna().any()]
    text = ("The last flag change moved the z-scores of " + "; ".join(parts)) if parts else \
        "The last flag change did not move any z-score."
    if nan:
        text += " (" + ", ".join(nan) + " gained or lost all its defining sorts)"
    st.info(text + ".")
