"""The Streamlit app of the Q-methodology platform.

Run with ``streamlit run app.py``. Participants arrive by a link
``?study=<slug>&t=<token>`` (or an open link ``?study=<slug>``); they never see
the navigation. Add researcher pages to ``PAGES`` below.
"""
import logging

import streamlit as st

from webapp.participant.pages import participant_pages
from webapp.participant.session import get_store, problem_for
from webapp.results import demo

# Opening the store runs the migrations and publishes the co-production study
# and its demo copy (ensure_coproduction), once per server process. If the
# database cannot be reached, every visitor gets the friendly message (a failed
# open is not cached, so the next page view tries again); the log says why,
# and storage's messages never contain a password.
try:
    get_store()
except Exception as exc:  # noqa: BLE001 - whatever it is, no traceback for visitors
    logging.getLogger("qplatform").error("cannot open the database: %s: %s",
                                         type(exc).__name__, exc)
    problem = problem_for(exc)
    st.error(f"**{problem.title}**\n\n{problem.message}")
    st.stop()

home_page, take_part_page = participant_pages()

# The app's pages, in menu order. Other pages (researchers) are appended here.
PAGES: list = [
    home_page,
    take_part_page,
    st.Page(demo.page, title="Demo analysis", url_path="demo", icon=":material/insights:"),
]

participant_link = bool(st.query_params.get("study"))
navigation = st.navigation(PAGES, position="hidden" if participant_link else "top")
navigation.run()
