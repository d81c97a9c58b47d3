"""The Streamlit app of the Q-methodology platform.

Run with ``streamlit run app.py``. Participants arrive by a link
``?study=<slug>&t=<token>`` (or an open link ``?study=<slug>``); they never see
the navigation. Researchers sign in on the Researchers page; their pages are
in the menu only while they are signed in (each page checks it anyway, see
``webapp/researcher/guard.py``).
"""
import logging

import streamlit as st

from webapp.participant.flow import browser_tr
from webapp.participant.pages import participant_pages
from webapp.participant.session import get_store, problem_for
from webapp.researcher import cookie, guard
from webapp.researcher.pages import st_pages
from webapp.results import demo, public
from webapp.results.startup import publish_demo_results

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
    problem = problem_for(exc, tr=browser_tr())      # no study known: the browser's languages
    st.error(f"**{problem.title}**\n\n{problem.message}")
    st.stop()

publish_demo_results()      # the demo study's results page, once per server process

participant_link = bool(st.query_params.get("study"))
results_link = public.is_results_link()
signed_in = not participant_link and not results_link and guard.current() is not None
home_page, take_part_page = participant_pages()
workspace_pages, signin_page = st_pages(signed_in)

# The app's pages, by menu section. The researcher's pages
# (webapp/researcher/pages.py) are listed only for a signed-in researcher;
# signed out they stay hidden (and answer with the sign-in prompt).
PUBLIC = [
    home_page,
    take_part_page,
    st.Page(demo.page, title="Demo analysis", url_path="demo", icon=":material/insights:"),
    signin_page,
    # public results pages, reached by their link only
    st.Page(public.page, title="Results", url_path="results", visibility="hidden"),
]
PAGES = {"": PUBLIC, "Workspace": workspace_pages} if signed_in else {"": PUBLIC + workspace_pages}

cookie.sync()       # a sign-in or sign-out this tab made reaches the browser's cookie
navigation = st.navigation(PAGES, position="hidden" if participant_link or results_link else "top")
navigation.run()
