"""Step 7: thank you."""
from __future__ import annotations

import streamlit as st

from ..components.qsort_grid import forget_local_drafts
from . import session as s


def view(p: s.Participant) -> None:
    st.title("Thank you")
    st.success("Your answers have been submitted.")
    st.markdown(p.definition.thank_you)
    forget_local_drafts(key="qs_forget", storage_key=p.storage_key)
