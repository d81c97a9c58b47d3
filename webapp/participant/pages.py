"""The participant's pages for ``st.navigation`` (app.py adds researcher pages)."""
from __future__ import annotations

import streamlit as st

from . import flow, home


def participant_pages() -> tuple[st.Page, st.Page]:
    """(home page listing open studies, the take-part page).

    Participant links point at the home page (``/?study=<slug>``), which
    shows the participant's step when the address names a study: at the
    app's root Streamlit finds its server at once, while under a page's name
    (``/take-part``) it first asks ``/take-part/_stcore/...`` (two 404s in the
    browser's console on every load). The take-part page stays for links
    handed out before.
    """
    # reached by a participant link only, so not listed in the menu
    take_part = st.Page(flow.page, title="Take part", url_path=flow.PAGE_PATH,
                        icon=":material/swipe:", visibility="hidden")

    home_page = st.Page(home.page, title="Studies", icon=":material/home:", default=True)
    return home_page, take_part
