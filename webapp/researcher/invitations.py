"""Invitations: the open link (with a QR code), batches of single-use links
(optional label, copy, CSV download), every link's state, and revoking links."""
from __future__ import annotations

import io

import pandas as pd
import segno
import streamlit as st

from storage.invitations import DEFAULT_ABANDONED_DAYS, STATES
from webapp.participant.session import get_store

from . import actions, common

MAX_BATCH = 1000
NEW_BATCH = "ws_new_batch"


def qr_png(url: str, scale: int = 8) -> bytes:
    """A QR code of ``url`` as PNG bytes (segno: a small pure-Python library)."""
    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, kind="png", scale=scale, border=4)
    return buffer.getvalue()


def links_csv(frame: pd.DataFrame) -> bytes:
    """The links as CSV; a label a spreadsheet would run as a formula gets an apostrophe."""
    from qmethod.cells import safe_frame
    return safe_frame(frame).to_csv(index=False).encode("utf-8")


def page() -> None:
    st.set_page_config(page_title="Invitations", layout="wide")
    access, study = common.study_page("Invitations", "invitations")
    slug = study.slug
    if study.is_demo:
        st.info("The demo study holds simulated participants only: it takes no invitations.")
        return
    if not study.version:
        st.info("Publish the study first (on Design): links can only be made for a published study.")
        common.link("design", "Design", slug, icon=":material/edit_note:")
        return
    if study.status != "open":
        st.warning("The study is closed: its links show participants that it is closed (those "
                   "who consented before may still finish).")
    open_link_panel(slug)
    st.divider()
    if access.can_edit:
        new_batch_panel(slug)
        st.divider()
    links_panel(slug, access.can_edit)


def open_link_panel(slug: str) -> None:
    url = common.participant_link(slug)
    st.subheader("Open link", anchor=False)
    left, right = st.columns([3, 1])
    with left:
        st.markdown("Anyone with this link can take part; each person gets a personal link "
                    "when they consent (so they can come back to a half-finished sort). Use "
                    "it on a web page, a poster or in a newsletter.")
        st.code(url, language=None)
    with right:
        png = qr_png(url)
        st.image(png, caption="QR code of the open link", width=160)
        st.download_button("Download the QR code (PNG)", png, f"{slug}-open-link.png",
                           mime="image/png", key="ws_qr_download")


def new_batch_panel(slug: str) -> None:
    st.subheader("Single-use links", anchor=False)
    st.markdown("Each link works for one person, once. Send each person their own link (e.g. "
                "by mail merge from the CSV file).")
    with st.form("ws_batch", border=True):
        cols = st.columns([1, 2, 1])
        count = cols[0].number_input("How many links", min_value=1, max_value=MAX_BATCH, value=10,
                                     step=1)
        label = cols[1].text_input("Label (optional)", placeholder="e.g. practitioners, wave 1",
                                   max_chars=200)
        made = cols[2].form_submit_button("Make the links", type="primary")
    if made:
        batch = common.run(actions.create_invitations, slug, int(count), label or None)
        if batch is not None:
            st.session_state[NEW_BATCH] = {"slug": slug, "id": batch.id, "label": batch.label,
                                           "tokens": list(batch.tokens)}
    new = st.session_state.get(NEW_BATCH)
    if new and new["slug"] == slug:
        links = [common.participant_link(slug, t) for t in new["tokens"]]
        st.success(f"{len(links)} new link{'s' if len(links) != 1 else ''}"
                   + (f" ({new['label']})" if new["label"] else "") + ": copy them (the button at "
                   "the top right of the box) or download them.")
        st.code("\n".join(links), language=None)
        frame = pd.DataFrame({"label": new["label"] or "", "link": links})
        st.download_button("Download these links (CSV)", links_csv(frame),
                           f"{slug}-links-{new['id']}.csv", mime="text/csv", key="ws_batch_csv")


def links_panel(slug: str, can_edit: bool) -> None:
    st.subheader("Every link and where its person is", anchor=False)
    days = st.columns([1, 2])[0].number_input(
        "Abandoned: a started sort idle for this many days", min_value=1, max_value=365,
        value=DEFAULT_ABANDONED_DAYS, step=1, key="ws_abandoned_days")
    links = get_store().invitations(slug, abandoned_after_days=days)
    if not links:
        st.info("No links yet: make some above, or share the open link.")
        return
    frame = pd.DataFrame([{
        "kind": "open link" if i.kind == "open" else "invitation",
        "label": i.label or "", "state": i.state,
        "made": i.created_at.strftime("%Y-%m-%d %H:%M"),
        "last activity": i.last_activity.strftime("%Y-%m-%d %H:%M") if i.last_activity else "",
        # an open-link participant's personal link is theirs alone: not shown
        "link": common.participant_link(slug, i.token) if i.kind == "invitation" else "",
        "token": i.token,
    } for i in links])
    counts = frame["state"].value_counts()
    cols = st.columns(len(STATES))
    for col, state in zip(cols, STATES):
        col.metric(state, int(counts.get(state, 0)))
    labels = sorted(x for x in frame["label"].unique() if x)
    f1, f2 = st.columns(2)
    states = f1.multiselect("Show states", list(STATES), key="ws_state_filter")
    chosen_labels = f2.multiselect("Show labels", labels, key="ws_label_filter") if labels else []
    shown = frame
    if states:
        shown = shown[shown["state"].isin(states)]
    if chosen_labels:
        shown = shown[shown["label"].isin(chosen_labels)]
    columns = ["kind", "label", "state", "made", "last activity", "link"]
    event = st.dataframe(shown[columns], hide_index=True, width="stretch", key="ws_links_table",
                         on_select="rerun" if can_edit else "ignore", selection_mode="multi-row",
                         # plain text: a click must not open (and so use) a participant's link
                         column_config={"link": st.column_config.TextColumn("link", width="large")})
    st.download_button("Download the links shown (CSV)", links_csv(shown[columns]),
                       f"{slug}-links.csv", mime="text/csv", key="ws_links_csv")
    if not can_edit:
        return
    rows = list(getattr(getattr(event, "selection", None), "rows", []) or [])
    chosen = shown.iloc[rows] if rows else shown.iloc[0:0]
    revocable = chosen[~chosen["state"].isin(("finished", "revoked"))]
    if len(chosen):
        st.markdown(f"{len(chosen)} link(s) selected; {len(revocable)} can be revoked "
                    "(finished ones cannot: exclude or delete the response instead).")
    if st.button(f"Revoke {len(revocable)} selected link{'s' if len(revocable) != 1 else ''}",
                 key="ws_revoke", disabled=not len(revocable)):
        n = common.run(actions.revoke, slug, list(revocable["token"]))
        if n:
            common.flash(f"{n} link(s) revoked: they no longer work.")
        st.rerun()
