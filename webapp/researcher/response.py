"""One response: the sort drawn as the grid with the statement texts, the
pre-sort, the post-sort and background answers, the times; exclude it from
the analysis with a reason (reversible, logged) or delete it (a participant's
withdrawal; asks to confirm)."""
from __future__ import annotations

import html

import pandas as pd
import streamlit as st

from storage import UnknownStudy
from studies.quality import contradictions, device_of, pile_sides, sort_seconds
from webapp.participant.session import get_store
from webapp.study_text import inline

from . import actions, common
from .monitor import duration

PARAM = "response"


def grid_html(defn, placements: dict[str, int]) -> str:
    """The sort as the grid: one column per score, its statements as cards
    (texts escaped: they are the researcher's data, never markup)."""
    g = defn.grid
    labels = list(g.labels or [""] * len(g.scores))
    texts = {s.id: s.text for s in defn.statements}
    number = {sid: i + 1 for i, sid in enumerate(defn.statement_ids())}
    cols = []
    for score, label in zip(g.scores, labels):
        ids = [sid for sid in defn.statement_ids() if placements.get(sid) == score]
        cards = "".join(f'<div class="ws-card" title="{html.escape(sid)}"><b>{number[sid]}</b> '
                        f"{html.escape(texts[sid])}</div>" for sid in ids)
        cols.append(f'<div class="ws-col"><div class="ws-head">{score:+d}'.replace("+0", "0")
                    + f'<br><small>{html.escape(label)}</small></div>{cards}</div>')
    style = ("<style>.ws-grid{display:flex;gap:6px;align-items:flex-start;overflow-x:auto}"
             ".ws-col{flex:1 1 0;min-width:110px;display:flex;flex-direction:column;gap:4px}"
             ".ws-head{text-align:center;font-weight:600;border-bottom:2px solid #4c78a8;"
             "padding-bottom:2px}.ws-card{border:1px solid #ccc;border-radius:6px;padding:4px 6px;"
             "font-size:0.8rem;line-height:1.2;background:#fafafa}</style>")
    return style + '<div class="ws-grid">' + "".join(cols) + "</div>"


def page() -> None:
    st.set_page_config(page_title="Response", layout="wide")
    access, study = common.study_page("Response", "response")
    store = get_store()
    raw = (st.query_params.get(PARAM) or "").strip()
    try:
        record = store.response(study.slug, int(raw))
    except (ValueError, UnknownStudy):
        st.error("There is no such response in this study (it may have been deleted).")
        common.link("monitor", "Back to monitoring", study.slug, icon=":material/monitoring:")
        return
    defn = store.get_study(study.slug, record.study_version).definition
    common.link("monitor", "Back to monitoring", study.slug, icon=":material/monitoring:")
    st.subheader(f"Response {record.participant} (version {record.study_version})", anchor=False)
    seconds = sort_seconds(record.timings)
    st.caption(f"Submitted {record.submitted_at:%Y-%m-%d %H:%M} UTC · "
               f"{device_of(record.user_agent)} · "
               + ("sorting time not recorded" if seconds != seconds
                  else f"pre-sort and grid took {duration(seconds)}"))
    if record.excluded:
        st.warning(f"**Excluded from the analysis**: {inline(record.exclusion_reason)}")
    st.html(grid_html(defn, record.placements))
    against = contradictions([record.placements], [record.presort], defn)[0] \
        if defn.presort_piles else 0
    left, right = st.columns(2)
    with left:
        answers_section(defn, record)
    with right:
        st.markdown("**Time per step**")
        st.dataframe(pd.DataFrame({"step": list(record.timings),
                                   "time": [duration(v) for v in record.timings.values()]}),
                     hide_index=True)
        if defn.presort_piles:
            presort_section(defn, record, against)
    if access.can_edit:
        decisions(study.slug, record)
    log = store.study_events(study.slug, response_id=record.id)
    if log:
        with st.expander(f"What was done with this response ({len(log)})"):
            for e in log:
                st.markdown(f"- {e.at:%Y-%m-%d %H:%M} {e.who or 'command line'}: **{e.action}**"
                            + (f" — {inline(e.detail)}" if e.detail else ""))


def answers_section(defn, record) -> None:
    for title, questions in (("After the grid", defn.postsort_questions),
                             ("About the participant", defn.demographic_questions)):
        if not questions:
            continue
        st.markdown(f"**{title}**")
        for q in questions:
            answer = record.answers.get(q.id)
            st.markdown(f"*{inline(q.text)}*")
            st.text("(no answer)" if answer in (None, "") else str(answer))


def presort_section(defn, record, against: int) -> None:
    labels = {p.id: p.label for p in defn.presort_piles}
    counts = pd.Series(list(record.presort.values()), dtype="object").map(labels).value_counts()
    st.markdown("**Pre-sort**: " + ", ".join(f"{inline(k)} {v}" for k, v in counts.items()))
    if against:
        sides = pile_sides(defn.presort_piles)
        wrong = [s.id for s in defn.statements
                 if (sides.get(record.presort.get(s.id), 0) < 0 < record.placements[s.id])
                 or (sides.get(record.presort.get(s.id), 0) > 0 > record.placements[s.id])]
        st.markdown(f"{against} statement(s) placed against their pile: " + ", ".join(wrong))


def decisions(slug: str, record) -> None:
    st.subheader("Decide", anchor=False)
    left, right = st.columns(2)
    with left, st.container(border=True):
        if record.excluded:
            st.markdown("Excluded responses stay stored but are left out of the analysis.")
            st.button("Include it in the analysis again", key="ws_include",
                      on_click=lambda: common.run(actions.include_response, slug, record.id,
                                                  done=f"{record.participant} is included again."))
        else:
            reason = st.text_input("Reason for excluding it from the analysis",
                                   key="ws_exclude_reason", max_chars=1000,
                                   placeholder="e.g. sorted in under a minute")
            st.button("Exclude from the analysis", key="ws_exclude", disabled=not reason.strip(),
                      on_click=lambda: common.run(actions.exclude_response, slug, record.id,
                                                  st.session_state.get("ws_exclude_reason", ""),
                                                  done=f"{record.participant} is excluded."))
    with right, st.container(border=True):
        st.markdown("**Delete** (for a participant who withdraws): the response is deleted for "
                    "good and its link stops working; the log keeps that it happened.")
        sure = st.checkbox("I understand that this cannot be undone", key="ws_delete_sure")
        why = st.text_input("Note for the log (optional)", key="ws_delete_note", max_chars=1000)
        if st.button("Delete this response", key="ws_delete", disabled=not sure):
            if common.run(actions.delete_response, slug, record.id, why,
                          done=f"Response {record.participant} was deleted."):
                common.go("monitor", slug)
            st.rerun()
