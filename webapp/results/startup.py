"""Start-up work of the results pages: publish the demo study's results once per server process."""
from __future__ import annotations

import logging

import streamlit as st

from webapp.participant.session import get_store

from .demo_results import ensure_demo_results


@st.cache_resource(show_spinner=False)
def _published_once() -> bool:
    try:
        ensure_demo_results(get_store())
    except Exception as exc:  # noqa: BLE001 - the app works without the demo page; the log says why
        logging.getLogger("qplatform").error("cannot publish the demo results page: %s: %s",
                                             type(exc).__name__, exc)
        return False
    return True


def publish_demo_results() -> bool:
    """Publish the co-production demo study's results page if it is not live
    (see :func:`webapp.results.demo_results.ensure_demo_results`); True when done."""
    return _published_once()
