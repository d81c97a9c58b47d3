"""Coming back to a sort: the personal link on show, and this device's memory of it.

Two v2 components (no build step):

``resume_link``       the participant's personal link in a read-only field with
                      a "Copy link" button (``resume_link.html/.css/.js``);
``remember_on_device`` a cookie ``qsort_<slug>=<token>`` (``remember.js``, draws
                      nothing), read back with ``st.context.cookies`` when the
                      study's open link is opened again in this browser.
"""
from __future__ import annotations

from functools import cache
from pathlib import Path
from urllib.parse import urlencode

from ...i18n import ENGLISH, Translator
from ..shared import read_assets, scripts

_HERE = Path(__file__).resolve().parent
SCRIPTS = scripts(_HERE, "resume_link.js", drafts=False)

# how long this device remembers a personal link: longer than a study runs
REMEMBER_DAYS = 180


def cookie_name(slug: str) -> str:
    """The cookie naming a study's personal link (slugs are ``[a-z0-9-]``)."""
    return f"qsort_{slug}"


def link_query(slug: str, token: str) -> str:
    """The query of a personal link: ``?study=<slug>&t=<token>``."""
    return "?" + urlencode({"study": slug, "t": token})


@cache
def _link_renderer():
    import streamlit as st

    html, css, js = read_assets(_HERE, "resume_link.html", "resume_link.css", "resume_link.js",
                                drafts=False)
    return st.components.v2.component("qsort_resume_link", html=html, css=css, js=js)


@cache
def _remember_renderer():
    import streamlit as st

    js = (_HERE / "remember.js").read_text(encoding="utf-8")
    return st.components.v2.component("qsort_remember_link", js=js)


def resume_link(*, key: str, slug: str, token: str, page_paths: list[str],
                tr: Translator = ENGLISH) -> None:
    """Show the personal link of ``token`` with a copy button (texts in ``tr``'s
    language). ``page_paths``: the participant page names to drop from this
    page's address."""
    _link_renderer()(key=key, data={"query": link_query(slug, token), "page_paths": page_paths,
                                    "i18n": tr.js(SCRIPTS)},
                     height="content")


def remember_on_device(*, slug: str, token: str) -> None:
    """Let this browser remember ``token`` as its link to ``slug`` (draws nothing)."""
    _remember_renderer()(key="qs_remember", data={
        "name": cookie_name(slug), "value": token, "max_age": REMEMBER_DAYS * 24 * 3600},
        height=0)
