"""Researchers sign in here. While the database has no account at all, this
page is the first-run screen that makes the first one instead."""
from __future__ import annotations

import streamlit as st

from storage import StorageError
from webapp.participant.session import get_store

from . import common, guard


def page() -> None:
    st.set_page_config(page_title="Researchers", layout="centered")
    store = get_store()
    researcher = guard.current()
    if researcher is not None:
        st.title("Researchers", anchor=False)
        common.show_flash()
        st.success(f"You are signed in as **{researcher.email}**.")
        common.link("studies", "Go to my studies", icon=":material/folder_open:")
        return
    if store.count_researchers() == 0:
        first_run(store)
        return
    st.title("Researchers", anchor=False)
    common.show_flash()
    st.markdown("Sign in to design studies, invite participants and follow the responses.")
    guard.signin_form()
    st.caption("No account? Ask the person who runs this platform to make one with "
               "`python -m storage add-researcher EMAIL`.")


def first_run(store) -> None:
    """The first account (this screen exists only while there is none)."""
    st.title("Welcome: make the first researcher account", anchor=False)
    st.markdown("This platform has no researcher account yet. The first account owns the "
                "studies already here (such as the co-production study) and can share them. "
                "You can also make accounts on the server with "
                "`python -m storage add-researcher EMAIL`.")
    with st.form("qp_first_run", border=True):
        email = st.text_input("Email", autocomplete="username")
        password = st.text_input("Password (at least 8 characters)", type="password",
                                 autocomplete="new-password")
        again = st.text_input("The password again", type="password", autocomplete="new-password")
        submitted = st.form_submit_button("Make the account and sign in", type="primary")
    if not submitted:
        return
    if password != again:
        st.error("The two passwords differ.")
        return
    try:
        store.create_first_researcher(email, password)
        guard.sign_in(email, password)
    except StorageError as exc:
        st.error(str(exc))
        return
    common.flash("Your account is ready. Start with a new study below.")
    common.go("studies")
    st.rerun()
