"""Step 7: thank you."""
from __future__ import annotations

import streamlit as st

from . import session as s


def view(p: s.Participant) -> None:
    st.title("Thank you")
    st.success("Your answers have been submitted.")
    st.markdown(p.definition.thank_you)
