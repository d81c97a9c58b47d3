"""The researcher's pages: the table ``app.py`` builds its menu from.

Each entry names the module whose ``page()`` draws it. Every page starts with
the guard (:mod:`webapp.researcher.guard`); ``tests/web/test_researcher_guard.py``
runs each page of this table signed out and as another researcher, so a new
page that forgets the guard fails it. Pages with ``menu=False`` are reached
by links (they need a study and more, e.g. one response).
"""
from __future__ import annotations

import importlib
from dataclasses import dataclass

import streamlit as st


@dataclass(frozen=True)
class ResearcherPage:
    name: str           # module in webapp/researcher/ with a page() function
    title: str
    url_path: str
    icon: str
    study: bool         # works on one study (``?slug=``)
    menu: bool          # listed in the menu (else reached by links)

    def render(self) -> None:
        importlib.import_module(f"webapp.researcher.{self.name}").page()


RESEARCHER_PAGES: tuple[ResearcherPage, ...] = (
    ResearcherPage("studies", "My studies", "workspace", ":material/folder_open:", False, True),
    ResearcherPage("design", "Design", "design", ":material/edit_note:", True, True),
    ResearcherPage("preview", "Preview", "preview", ":material/visibility:", True, False),
    ResearcherPage("invitations", "Invitations", "invitations", ":material/mail:", True, True),
    ResearcherPage("monitor", "Monitoring", "monitoring", ":material/monitoring:", True, True),
    ResearcherPage("response", "Response", "response", ":material/person:", True, False),
    ResearcherPage("analysis", "Analysis", "analysis", ":material/query_stats:", True, True),
    ResearcherPage("account", "Account", "account", ":material/account_circle:", False, True),
)
SIGNIN = ResearcherPage("signin", "Researchers", "signin", ":material/login:", False, True)

# the st.Page objects of this run, by name (for links between pages)
_PAGES: dict[str, st.Page] = {}


def by_name(name: str) -> ResearcherPage:
    for p in (*RESEARCHER_PAGES, SIGNIN):
        if p.name == name:
            return p
    raise KeyError(name)


def st_pages(signed_in: bool) -> tuple[list[st.Page], st.Page]:
    """(the workspace pages, the sign-in page) as ``st.Page`` objects.

    Signed out, the workspace pages are hidden from the menu but still
    answer their address (with the sign-in prompt), so a saved link works
    after signing in; the sign-in page is listed instead.
    """
    _PAGES.clear()
    pages = []
    for p in RESEARCHER_PAGES:
        page = st.Page(p.render, title=p.title, url_path=p.url_path, icon=p.icon,
                       visibility="visible" if signed_in and p.menu else "hidden")
        _PAGES[p.name] = page
        pages.append(page)
    signin = st.Page(SIGNIN.render, title=SIGNIN.title, url_path=SIGNIN.url_path, icon=SIGNIN.icon,
                     visibility="hidden" if signed_in else "visible")
    _PAGES[SIGNIN.name] = signin
    return pages, signin


def st_page(name: str) -> st.Page | None:
    """The ``st.Page`` of researcher page ``name`` in this run (None outside the app)."""
    return _PAGES.get(name)
