"""Step 7: thank you.

The page marks its address (``&done=1``), so reloading it shows it again:
the link is used now, and a used link without the mark gets the kind
"You have already taken part" message instead.
"""
from __future__ import annotations

import streamlit as st

from ..components.qsort_grid import forget_local_drafts
from . import session as s

DONE_PARAM = "done"


def show(definition, storage_key: str) -> None:
    st.title("Thank you")
    st.success("Your answers have been submitted.")
    st.markdown(definition.thank_you)
    forget_local_drafts(key="qs_forget", storage_key=storage_key)
    if st.query_params.get(DONE_PARAM) != "1":
        st.query_params[DONE_PARAM] = "1"


def view(p: s.Participant) -> None:
    show(p.definition, p.storage_key)
