"""Helpers for the researcher's pages in Streamlit's AppTest (no browser):
point the app's store at a test database, and run one page as a signed-in
(or not) researcher."""
from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager

from streamlit.testing.v1 import AppTest

SCRIPT = """
import streamlit as st
from webapp.researcher.pages import st_pages, by_name
pages, signin = st_pages(True)
st.navigation(pages + [signin])
by_name({name!r}).render()
"""
TOKEN = "qp_researcher_token"


@contextmanager
def app_store(url: str) -> Iterator:
    """The pages' store (``get_store``) opened on ``url`` for the block."""
    from storage import Store
    from webapp.participant.session import _cached_store

    old = os.environ.get("DATABASE_URL")
    os.environ["DATABASE_URL"] = url
    _cached_store.clear()
    store = Store.from_url(url)
    try:
        yield store
    finally:
        store.close()
        _cached_store.clear()
        if old is None:
            os.environ.pop("DATABASE_URL", None)
        else:
            os.environ["DATABASE_URL"] = old


def page_test(name: str, token: str | None, **params: str) -> AppTest:
    """An AppTest of researcher page ``name`` (not run yet)."""
    at = AppTest.from_string(SCRIPT.format(name=name), default_timeout=60)
    if token:
        at.session_state[TOKEN] = token
    for key, value in params.items():
        at.query_params[key] = value
    return at


def run_page(name: str, token: str | None, **params: str) -> AppTest:
    return page_test(name, token, **params).run()


def shown_text(at: AppTest) -> str:
    """Every text element of the page, as one string, as a reader sees it: the
    markdown escapes of study texts undone and their word joiners dropped
    (see ``webapp/study_text.py``)."""
    parts = [e.value for kind in ("title", "markdown", "caption", "info", "error", "warning",
                                  "success", "subheader") for e in getattr(at, kind)]
    text = "\n".join(str(p) for p in parts)
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", text).replace("\u2060", "")
