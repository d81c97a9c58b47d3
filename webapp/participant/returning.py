"""The study's open link, opened again in a browser that has taken part.

People click the same link again (from the e-mail or the poster), not their
personal link. Once a participant has consented, the browser remembers
their personal link for the study (a cookie, see
``webapp/components/resume_link``); the open link then offers "Continue
where you left off" or "Start again" to a sort in progress, and says "you
have already taken part on this device" after submitting, with a way to
take part again (the open link takes anyone, so a new sort is always
possible there: for someone else on a shared device, for instance).
"""
from __future__ import annotations

import streamlit as st

from ..components.resume_link import cookie_name
from ..i18n import for_study
from ..study_text import inline
from . import session as s
from .ui import PARTICIPANT, guarded
from .withdraw import offer as _offer_withdrawal

# session state: the study for which this tab chose to start a new sort
FRESH = "qs_fresh_start"


def remembered_token(slug: str) -> str | None:
    """The personal link (token) this browser remembers for ``slug``, if any."""
    try:
        value = st.context.cookies.get(cookie_name(slug))
    except Exception:  # noqa: BLE001 - no browser context (tests, scripts)
        return None
    token = str(value or "").strip()
    return token or None


def view(store, study) -> str | None:
    """Show the page for a returning browser, if this is one; returns the page
    shown ('returning' or 'taken_part') or None (then the welcome follows)."""
    if st.session_state.get(FRESH) == study.slug:
        return None
    session = s.remembered_session(store, study.slug, remembered_token(study.slug))
    if session is None:
        return None
    if session.status == "submitted":
        taken_part(study, session.token)
        return "taken_part"
    welcome_back(study, session.token)
    return "returning"


def _start_again(slug: str):
    def run():
        st.session_state[FRESH] = slug
        st.session_state.pop("qs_consent", None)
    return run


def welcome_back(study, token: str) -> None:
    tr = for_study(study.definition)
    _ = tr.gettext
    st.title(_("Welcome back"), anchor=False)
    st.markdown(_("You have started **{title}** on this device. Your sort so far is saved, so "
                  "you can carry on where you left off.", title=inline(study.title)))

    def on_continue():
        st.session_state.pop(PARTICIPANT, None)
        st.query_params["t"] = token

    st.button(_("Continue where you left off"), type="primary", key="qs_resume",
              on_click=guarded(on_continue, tr))
    st.button(_("Start again"), key="qs_start_again", on_click=_start_again(study.slug))
    st.caption(_("Start again begins a new, empty sort, for example if someone else is using "
                 "this device. The sort started before is then not used."))


def taken_part(study, token: str | None = None) -> None:
    tr = for_study(study.definition)
    _ = tr.gettext
    st.title(_("You have already taken part on this device"), anchor=False)
    st.info(_("Thank you! Your answers to **{title}** were received from this device, so "
              "there is nothing more to do.", title=inline(study.title)))
    st.markdown(_("If someone else would like to take part on this device, or the research "
                  "team asked you to sort again, you can start a new sort."))
    st.button(_("Take part again"), key="qs_again", on_click=_start_again(study.slug))
    if token:
        _offer_withdrawal(token, tr)
