"""Saved runs: save this analysis (settings, rotation history, manual flags,
the data and its fingerprint, the interpretation), list the study's runs
(stale ones marked), reopen one, compare two, mark the reported one and
publish its results page.

A run is data (:meth:`storage.Store.save_run`); reopening it puts its
settings and interpretation back on the page and, when the study's data
have changed since, analyses the run's own data.
"""
from __future__ import annotations

import warnings
from types import SimpleNamespace

import streamlit as st

import qmethod as qm
from analysis import compare
from analysis.report import ReportError, build_report, collect_comments
from qmethod.analysis_file import data_from_json, data_to_json
from webapp.participant.session import get_store
from webapp.study_text import inline

from . import actions, common
from . import analysis as page
from . import analysis_interpret as interpret
from .analysis_data import RUN_DATA, SOURCE
from .analysis_state import Dataset, Settings

NAME = "ws_an_run_name"
OPENED = "ws_an_opened_run"         # id of the run reopened (or saved) in this tab
PUBLISHED = "ws_an_published"       # (run id, public address) of the last publication


def run_params(s: Settings) -> dict:
    """What a run keeps of the settings: the analysis file's parts."""
    from qmethod.analysis_file import history_to_list, settings_to_dict
    return {"settings": settings_to_dict(s.options()), "rotation_history": history_to_list(s.history),
            "manual_flags": s.manual_flags}


def settings_of(params: dict) -> Settings:
    opts = dict(params.get("settings") or params)
    return Settings.from_dict({**opts, "rotation_steps": params.get("rotation_history") or [],
                               "manual_flags": params.get("manual_flags") or {}})


def panel(ctx: dict) -> None:
    access, study, result, s = ctx["access"], ctx["study"], ctx["result"], ctx["settings"]
    names = list(result.factor_names)
    with st.container(border=True):
        st.markdown("**Save this analysis**")
        default = (f"{s.nfactors} factors, {s.extraction}, {s.rotation}"
                   + (f", {len(s.steps)} rotation steps" if s.steps else "")
                   + (f", {len(s.manual)} flags by hand" if s.manual else ""))
        c = st.columns([3, 1], vertical_alignment="bottom")
        c[0].text_input("Name of the run", key=NAME, max_chars=200, placeholder=default)
        c[1].button("Save the run", type="primary", key="ws_an_save", on_click=save,
                    args=(ctx, default))
    common.show_flash()
    store = get_store()
    runs = store.saved_runs(study.slug)
    if not access.can_edit:     # the demo study: each researcher sees their own runs
        runs = [r for r in runs if r.created_by == access.researcher.id]
    if not runs:
        st.caption("No saved run yet.")
        return
    opened = st.session_state.get(OPENED)
    if opened in {r.id for r in runs}:
        c = st.columns(2)
        c[0].button("Save the interpretation to the opened run", key="ws_an_save_interp",
                    on_click=lambda: common.run(actions.update_run_interpretation, study.slug, opened,
                                                interpret.current(names).to_dict(),
                                                done="The interpretation is saved with the run."))
    st.markdown("**Saved runs**")
    rows = [{"id": r.id, "name": r.name or f"run {r.id}", "saved": f"{r.created_at:%Y-%m-%d %H:%M}",
             "version": r.study_version, "sorts": r.n_responses,
             "data": "file" if r.source == "upload" else "responses",
             "reported": "✓" if r.reported else "",
             "stale": (r.stale_reason or "yes") if r.stale_at else "",
             "opened": "●" if r.id == opened else ""} for r in runs]
    st.dataframe(rows, hide_index=True, width="stretch", key="ws_an_runs")
    label = {r.id: f"{r.name or 'run'} (#{r.id})" for r in runs}
    ids = [r.id for r in runs]
    chosen = st.selectbox("Run", ids, format_func=label.get, key="ws_an_run_pick")
    c = st.columns(4)
    c[0].button("Reopen", key="ws_an_reopen", on_click=reopen, args=(study.slug, chosen, names))
    c[1].button("Mark as the reported analysis", key="ws_an_mark", disabled=not access.can_edit,
                on_click=lambda: common.run(actions.mark_reported, study.slug, chosen,
                                            done="It is now the study's reported analysis."))
    c[2].button("Delete", key="ws_an_delete_run",
                on_click=lambda: common.run(actions.delete_run, study.slug, chosen,
                                            done="The run is deleted."))
    reported = next((r for r in runs if r.reported), None)
    if reported is not None and access.can_edit and ctx["defn"] is not None:
        publish_section(ctx, reported)
    if len(runs) >= 2:
        compare_section(study.slug, runs, label)


def save(ctx: dict, default: str) -> None:
    """Callback: save the analysis on the page as a run (and empty the name box)."""
    s, data, result = ctx["settings"], ctx["data"], ctx["result"]
    name = str(st.session_state.get(NAME) or "").strip() or default
    run_id = common.run(
        actions.save_run, ctx["study"].slug, name=name, params=run_params(s),
        result_json=result.to_json(), data_json=data_to_json(data.qsortdata()),
        fingerprint=data.fingerprint,
        interpretation=interpret.current(list(result.factor_names)).to_dict(),
        source="responses" if data.source in ("study", "study-run") else "upload",
        done=f"The run “{name}” is saved.")
    if run_id:
        st.session_state[OPENED] = run_id
        st.session_state[NAME] = ""


def reopen(slug: str, run_id: int, names: list[str]) -> None:
    """Callback: the run's settings, interpretation and (if the study's data
    changed since) its own data back on the page."""
    try:
        run = get_store().run(slug, run_id)
    except Exception as exc:  # noqa: BLE001 - deleted meanwhile, or not this study's
        common.flash(f"That run cannot be opened: {exc}", "error")
        return
    s = settings_of(run.params)
    page.set_settings(s, widgets=True)
    interp = run.interpretation or {}
    interpret.load(interp, [f"f{i + 1}" for i in range(s.nfactors)])
    st.session_state[OPENED] = run.id
    if run.data_json:
        data = data_from_json(run.data_json)
        source = "study" if run.source == "responses" else "upload"
        st.session_state[RUN_DATA] = Dataset.of(data, "run" if source == "upload" else "study-run",
                                                f"the data saved with run {run.id} "
                                                f"({data.sorts.shape[1]} sorts)", grid=data.grid)
        st.session_state[SOURCE] = "run"
    common.flash(f"Run {inline(run.name or run.id)} is open" + (" (its data are stale: "
                                                          f"{inline(run.stale_reason)})" if run.stale_at else "")
                 + ".", "info")


def publish_section(ctx: dict, reported) -> None:
    with st.container(border=True):
        st.markdown(f"**Publish results** of the reported run: {inline(reported.name or reported.id)}")
        st.caption("Publishes a results page (names, narratives and consented quotations, no "
                   "participant's data) under a new link; a page published before is replaced.")
        if st.button("Publish results", key="ws_an_publish", type="primary"):
            link = publish(ctx, reported.id)
            if link is not None:
                st.session_state[PUBLISHED] = (reported.id, f"{common.app_url()}/results?r={link.token}")
        done = st.session_state.get(PUBLISHED)
        if done and done[0] == reported.id:
            st.success("Published. The public link (shown once; keep it):")
            st.code(done[1], language=None)


def publish(ctx: dict, run_id: int):
    """Build the results report of run ``run_id`` and publish it."""
    store, slug = get_store(), ctx["study"].slug
    run = store.run(slug, run_id)
    defn = store.get_study(slug, run.study_version).definition     # the run's own version
    result = qm.QResult.from_json(run.result_json)
    interp = interpret.Interpretation.from_dict(run.interpretation or {})
    comments = collect_comments(defn, store.responses(slug, run.study_version))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            # the matching of the run's own result (cached under the run's data and settings)
            of_run = {**ctx, "result": result, "defn": defn, "settings": settings_of(run.params),
                      "data": SimpleNamespace(fingerprint=run.fingerprint or f"run {run.id}")}
            match, _ = interpret.matching(of_run, "perspective") \
                if any("perspective" in s.tags for s in defn.statements) else (None, "")
            report = build_report(result, defn, match=match, interpretation=interp,
                                  comments=comments)
    except ReportError as exc:
        common.flash(f"The results cannot be published yet: {exc}", "error")
        return None
    except ValueError as exc:
        common.flash(f"The results cannot be published: {exc}", "error")
        return None
    return common.run(actions.publish_run, slug, run_id, report.to_dict(),
                      done="The results page is published.")


def compare_section(slug: str, runs, label: dict) -> None:
    """Two runs side by side: their settings, the pairing of their factors by
    Tucker's congruence, and who changed factor (:mod:`analysis.compare`)."""
    st.markdown("**Compare two runs**")
    ids = [r.id for r in runs]
    c = st.columns(2)
    a = c[0].selectbox("Run A", ids, index=1, format_func=label.get, key="ws_an_cmp_a")
    b = c[1].selectbox("Run B", ids, index=0, format_func=label.get, key="ws_an_cmp_b")
    if a == b:
        st.caption("Choose two different runs.")
        return
    store = get_store()
    runs_ab = [store.run(slug, x) for x in (a, b)]
    for col, run in zip(c, runs_ab):
        s = settings_of(run.params)
        col.caption(f"{s.nfactors} factors, {s.extraction}, {s.rotation}, {s.correlation}; "
                    f"{len(s.steps)} rotation steps; {len(s.manual)} flags by hand; "
                    f"{run.n_responses} sorts")
    try:
        cmp = compare.compare_runs(*(qm.QResult.from_json(r.result_json) for r in runs_ab))
    except ValueError as exc:
        st.error(f"These runs cannot be compared: {exc}")
        return
    left, right = st.columns(2)
    with left:
        st.markdown(f"*Factors paired by congruence* (over {cmp.n_statements} statements)")
        st.dataframe(cmp.pairs.round(3), hide_index=True, width="stretch", key="ws_an_cmp_pairs")
        st.dataframe(cmp.congruence.round(3), width="stretch", key="ws_an_cmp_phi")
    with right:
        changed = cmp.changed
        st.markdown(f"*Who changed factor* ({len(changed)} of {len(cmp.participants)})")
        st.dataframe(changed, width="stretch", key="ws_an_cmp_people")
