"""The participant's pages for ``st.navigation`` (app.py adds researcher pages)."""
from __future__ import annotations

import streamlit as st

from . import flow, home


def participant_pages() -> tuple[st.Page, st.Page]:
    """(home page listing open studies, the take-part page)."""
    # reached by a participant link only, so not listed in the menu
    take_part = st.Page(flow.page, title="Take part", url_path="take-part",
                        icon=":material/swipe:", visibility="hidden")

    def studies() -> None:
        home.page(take_part)

    home_page = st.Page(studies, title="Studies", icon=":material/home:", default=True)
    return home_page, take_part
