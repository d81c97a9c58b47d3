"""Step 1: welcome and consent. Nothing about the participant is stored
before they agree (an open link gets its token only at this moment)."""
from __future__ import annotations

import streamlit as st

from ..client import client_address
from ..i18n import for_study
from ..study_text import inline, show
from . import session as s
from .ui import PARTICIPANT, guarded


def consent(store, slug: str, token: str | None) -> s.Participant:
    """Record consent (issuing a token for an open link) and move to the next step."""
    if token is None:
        p = s.begin_open_link(store, slug, client_address())
    else:
        p = s.load_participant(store, slug, token)
    s.give_consent(p)
    return p


def view(study, token: str | None, *, start=None) -> None:
    """The welcome page; ``start`` (the researcher's preview) replaces
    recording consent when Start is pressed."""
    defn = study.definition
    tr = for_study(defn)
    _ = tr.gettext
    st.title(inline(defn.title), anchor=False)
    show(defn.welcome)
    with st.container(border=True):
        st.subheader(_("Information and consent"), anchor=False)
        show(defn.consent)
        agreed = st.checkbox(_("I have read this information and I agree to take part."),
                             key="qs_consent")

    def on_start():
        p = consent(s.get_store(), study.slug, token)
        st.session_state[PARTICIPANT] = p
        st.query_params["t"] = p.token

    st.button(_("Start"), type="primary", disabled=not agreed,
              on_click=guarded(start or on_start, tr), key="qs_start")
