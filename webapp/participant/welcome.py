"""Step 1: welcome and consent. Nothing about the participant is stored
before they agree (an open link gets its token only at this moment)."""
from __future__ import annotations

import streamlit as st

from . import session as s
from .ui import PARTICIPANT, guarded


def consent(store, slug: str, token: str | None) -> s.Participant:
    """Record consent (issuing a token for an open link) and move to the next step."""
    if token is None:
        p = s.begin_open_link(store, slug)
    else:
        p = s.load_participant(store, slug, token)
    s.give_consent(p)
    return p


def view(study, token: str | None) -> None:
    defn = study.definition
    st.title(defn.title)
    st.markdown(defn.welcome)
    with st.container(border=True):
        st.subheader("Information and consent")
        st.markdown(defn.consent)
        agreed = st.checkbox("I have read this information and I agree to take part.",
                             key="qs_consent")

    def on_start():
        p = consent(s.get_store(), study.slug, token)
        st.session_state[PARTICIPANT] = p
        st.query_params["t"] = p.token

    st.button("Start", type="primary", disabled=not agreed, on_click=guarded(on_start),
              key="qs_start")
