"""Withdrawing a submitted response from the participant's own link.

Offered wherever a participant who has submitted arrives with their link:
the thank-you page, the "you have already taken part" page of their
personal link, and the open link's "already taken part on this device". A
first button asks for confirmation; confirming deletes the response and its
answers (:meth:`storage.Store.withdraw_response`, which also marks the
analyses built on it stale and logs only that it happened). The link then
says the response was withdrawn.
"""
from __future__ import annotations

import streamlit as st

from ..i18n import Translator
from . import session as s
from .ui import PARTICIPANT, flash, guarded

CONFIRM = "qs_withdraw_confirm"     # session state: the token whose withdrawal is being confirmed


def withdraw(store, token: str, tr: Translator) -> None:
    """Withdraw ``token``'s response (a second click finds it done already)."""
    try:
        store.withdraw_response(token)
    except s.ResponseWithdrawn:
        pass
    st.session_state.pop(CONFIRM, None)
    st.session_state.pop(PARTICIPANT, None)         # load the link again: it says "withdrawn"
    flash(tr.gettext("Your response has been withdrawn and deleted."), "success")


def offer(token: str, tr: Translator) -> None:
    """The way to withdraw, with its confirmation."""
    _ = tr.gettext
    with st.container(border=True, key="qs_withdraw_box"):
        if st.session_state.get(CONFIRM) != token:
            st.markdown(_("Changed your mind? You can withdraw your answers from the study: "
                          "they are then deleted and not used."))
            st.button(_("Withdraw my response"), key="qs_withdraw",
                      on_click=lambda: st.session_state.__setitem__(CONFIRM, token))
            return
        st.warning(_("Withdraw your response? Your answers will be deleted for good, and the "
                     "research team will not be able to use them. This cannot be undone."))
        left, right = st.columns([1, 1])
        left.button(_("Yes, withdraw my response"), type="primary", key="qs_withdraw_yes",
                    on_click=guarded(lambda: withdraw(s.get_store(), token, tr), tr))
        right.button(_("Cancel"), key="qs_withdraw_no",
                     on_click=lambda: st.session_state.pop(CONFIRM, None))
