"""Who may open a study: its owner shares it by email and removes shares."""
from __future__ import annotations

import streamlit as st

from webapp.participant.session import get_store

from . import actions, common


def sharing_panel(access, study) -> None:
    if study.is_demo:
        return
    members = get_store().study_members(study.slug)
    with st.expander(f"Sharing ({len(members)} researcher{'s' if len(members) != 1 else ''})"):
        for m in members:
            cols = st.columns([3, 1, 1])
            cols[0].markdown(f"{m.email}")
            cols[1].caption("owner" if m.role == "owner" else "shared")
            mine = m.email == access.researcher.email
            if m.role != "owner" and (access.is_owner or mine):
                cols[2].button("Leave" if mine else "Remove", key=f"ws_unshare_{m.email}",
                               on_click=_remove, args=(study.slug, m.email))
        if access.is_owner:
            with st.form("ws_share", border=False, clear_on_submit=True):
                cols = st.columns([3, 1])
                email = cols[0].text_input("Share with (their account's email)",
                                           placeholder="colleague@example.org")
                if cols[1].form_submit_button("Share"):
                    common.run(actions.share, study.slug, email,
                               done=f"Shared with {email.strip()}.")
                    st.rerun()
            st.caption("Those you share with can do everything but share the study further.")


def _remove(slug: str, email: str) -> None:
    common.run(actions.remove_share, slug, email, done=f"{email} can no longer open the study.")
