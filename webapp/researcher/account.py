"""The signed-in researcher's account: who is signed in, signing out."""
from __future__ import annotations

import streamlit as st

from . import common, guard


def page() -> None:
    access = guard.require_researcher()
    common.header("Account", access)
    st.markdown(f"You are signed in as **{access.researcher.email}**. Your session ends after a "
                "day without activity, or when you sign out.")
    if st.button("Sign out", type="primary", key="qp_sign_out"):
        guard.sign_out()
        common.flash("You are signed out.", "info")
        common.go("signin")
        st.rerun()
    st.caption("A forgotten password is reset on the server: "
               "`python -m storage set-password EMAIL`.")
