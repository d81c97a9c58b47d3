"""Monitoring: responses over time, completion, time per step, devices, and
the data-quality checks; open one response from here.

The figures come from :func:`studies.quality.summarise` on
:meth:`storage.Store.monitoring_data` (tested without a browser; the page's
server time for 10,000 responses is measured by ``bench/bench_monitoring.py``).
"""
from __future__ import annotations

import math

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from studies.quality import DEFAULT_SECONDS_PER_STATEMENT, summarise
from webapp.participant.session import get_store

from . import common

THRESHOLD = "ws_too_fast"
SHOWN = 1000            # rows of the responses table (the latest)
CHOICES = 300           # responses offered to open (the flagged ones first, then the latest)


def page() -> None:
    st.set_page_config(page_title="Monitoring", layout="wide")
    access, study = common.study_page("Monitoring", "monitor")
    data = get_store().monitoring_data(study.slug)
    if data.responses.empty and data.consents.empty:
        st.info("No one has taken part yet. Invite people on the Invitations page.")
        if not study.is_demo:
            common.link("invitations", "Invitations", study.slug, icon=":material/mail:")
        return
    n_statements = max((len(d.statements) for d in data.definitions.values()), default=0)
    with st.container(border=True):
        left, right = st.columns([1, 2], vertical_alignment="bottom")
        per_statement = left.number_input(
            "Too fast: pre-sort and grid under this many seconds per statement",
            min_value=0.0, max_value=60.0, value=DEFAULT_SECONDS_PER_STATEMENT, step=0.5,
            key=THRESHOLD)
        right.caption(f"Threshold now: {per_statement:g} s per statement = "
                      f"{per_statement * n_statements:.0f} s for {n_statements} statements "
                      "(the data-quality table below uses it).")
    s = summarise(data.responses, data.consents, data.definitions, per_statement)
    cols = st.columns(4)
    cols[0].metric("Consented", s.consented)
    cols[1].metric("Finished", s.finished)
    cols[2].metric("Completion rate", "–" if math.isnan(s.completion) else f"{s.completion:.0%}",
                   help="Finished sorts per consent given.")
    cols[3].metric("Excluded from analysis", s.excluded)
    st.plotly_chart(over_time(s.daily), key="ws_over_time")
    left, right = st.columns(2)
    with left:
        st.markdown("**Time per step** (quartiles and median)")
        st.dataframe(step_table(s.steps), hide_index=True, width="stretch")
    with right:
        st.markdown("**Devices**")
        st.plotly_chart(devices_figure(s.devices), key="ws_devices")
    quality_section(study, data.responses, s)


def over_time(daily: pd.DataFrame) -> go.Figure:
    """Finished sorts per day (bars) and the running totals of consents and
    finished sorts (lines)."""
    fig = go.Figure()
    if not daily.empty:
        days = daily.index
        fig.add_bar(x=days, y=daily["finished"], name="finished that day (right axis)",
                    marker_color="#9ecae9", yaxis="y2", opacity=0.8,
                    hovertemplate="%{x|%d %b %Y}: %{y} finished<extra></extra>")
        fig.add_scatter(x=days, y=daily["consented_total"], name="consented, total",
                        mode="lines+markers", line={"color": "#f58518"},
                        hovertemplate="%{x|%d %b %Y}: %{y} consents so far<extra></extra>")
        fig.add_scatter(x=days, y=daily["finished_total"], name="finished, total",
                        mode="lines+markers", line={"color": "#4c78a8", "width": 3},
                        hovertemplate="%{x|%d %b %Y}: %{y} finished so far<extra></extra>")
        day = pd.Timedelta(days=1)
        fig.update_xaxes(type="date", tickformat="%d %b", range=[days[0] - day, days[-1] + day],
                         dtick=86_400_000 if len(days) <= 14 else None)
    fig.update_layout(title="Responses over time", height=320, margin={"l": 10, "r": 10, "t": 40,
                                                                         "b": 10},
                      legend={"orientation": "h", "y": -0.2},
                      yaxis={"title": "participants, total", "rangemode": "tozero"},
                      yaxis2={"title": "per day", "overlaying": "y", "side": "right",
                              "rangemode": "tozero", "showgrid": False, "tick0": 0,
                              "dtick": max(1, math.ceil(float(daily["finished"].max() or 0) / 5))
                              if not daily.empty else 1})
    return fig


def duration(seconds: float) -> str:
    """``45 s``, ``3 min 05 s``, ``1 h 02 min`` (empty when unknown)."""
    if seconds != seconds:
        return ""
    seconds = int(round(seconds))
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 3600:
        return f"{seconds // 60} min {seconds % 60:02d} s"
    return f"{seconds // 3600} h {seconds % 3600 // 60:02d} min"


def devices_figure(devices: pd.Series) -> go.Figure:
    fig = go.Figure(go.Bar(x=devices.values, y=devices.index, orientation="h",
                           text=devices.values, textposition="auto", marker_color="#4c78a8",
                           hovertemplate="%{y}: %{x} responses<extra></extra>"))
    fig.update_layout(height=220, margin={"l": 10, "r": 10, "t": 10, "b": 10},
                      yaxis={"autorange": "reversed"})
    return fig


def step_table(steps: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({"step": steps.index, "responses": steps["n"].to_numpy(),
                         "first quartile": [duration(x) for x in steps["q1"]],
                         "median": [duration(x) for x in steps["median"]],
                         "third quartile": [duration(x) for x in steps["q3"]]})


def responses_table(responses: pd.DataFrame, quality: pd.DataFrame) -> pd.DataFrame:
    """One row per response (same order): what the tables show, plus ``id``
    and the raw ``seconds`` and ``submitted_at`` (formatted by :func:`shown`)."""
    return pd.DataFrame({
        "response": responses["label"].to_numpy(), "version": responses["version"].to_numpy(),
        "submitted_at": responses["submitted_at"].to_numpy(),
        "device": responses["device"].fillna("unknown").to_numpy(),
        "seconds": quality["sort_seconds"].to_numpy(),
        "checks": quality["flags"].to_numpy(),
        "excluded": responses["exclusion_reason"].fillna("").where(responses["excluded"], "")
        .to_numpy(),
        "id": responses["id"].to_numpy()})


def shown(rows: pd.DataFrame) -> pd.DataFrame:
    """Rows of :func:`responses_table` as the page shows them (only those shown
    are formatted: the table may hold 10,000)."""
    return pd.DataFrame({
        "response": rows["response"], "version": rows["version"],
        "submitted": pd.to_datetime(rows["submitted_at"], utc=True).dt.strftime("%Y-%m-%d %H:%M"),
        "device": rows["device"], "sorting time": [duration(x) for x in rows["seconds"]],
        "checks": rows["checks"], "excluded": rows["excluded"]})


def quality_section(study, responses: pd.DataFrame, s) -> None:
    if responses.empty:
        return
    table = responses_table(responses, s.quality)
    flagged = table[table["checks"] != ""]
    st.subheader("Data quality", anchor=False)
    st.markdown(f"**{len(flagged)}** of {len(table)} responses break a rule: sorted too fast "
                f"(under {s.seconds_per_statement:g} s per statement), placed statements "
                "against their own pre-sort pile (a card piled “disagree” placed above 0, or "
                "“agree” below 0), or identical to an earlier response. These are hints: open a "
                "response to decide, and exclude it from the analysis if needed.")
    if len(flagged):
        st.dataframe(shown(flagged.head(SHOWN)), hide_index=True, width="stretch",
                     key="ws_flagged")
    note = f", the latest {SHOWN:,}" if len(table) > SHOWN else ""
    with st.expander(f"All responses ({len(table):,}{note})", expanded=len(table) <= 50):
        st.dataframe(shown(table.iloc[::-1].head(SHOWN)), hide_index=True, width="stretch",
                     key="ws_all_responses")
    open_response(study, table, flagged)


def open_response(study, table: pd.DataFrame, flagged: pd.DataFrame) -> None:
    """A choice of responses to open: the flagged ones, then the latest."""
    offered = pd.concat([flagged, table.iloc[::-1]]).drop_duplicates("id").head(CHOICES)
    multi_version = table["version"].nunique() > 1
    options = list(zip(offered["id"], offered["response"], offered["version"], offered["checks"]))
    chosen = st.selectbox(
        "Open a response", options, index=None, key="ws_open_response",
        placeholder="Choose a response to open (the flagged ones first, then the latest)",
        format_func=lambda o: o[1] + (f" (version {o[2]})" if multi_version else "")
        + (f" · {o[3]}" if o[3] else ""))
    if chosen is not None:
        common.link("response", f"Open response {chosen[1]}", study.slug,
                    icon=":material/open_in_new:", extra={"response": str(chosen[0])})
