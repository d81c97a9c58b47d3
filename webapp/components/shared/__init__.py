"""What the pre-sort and the grid components share: ``drafts.js``, the draft
bookkeeping (localStorage, autosave, server clock, freeze after Continue).

Streamlit takes a component's JS as one inline ES module string, where a
relative ``import`` cannot resolve, so ``drafts.js`` (declarations only, no
``export``) is prepended to each component's own module instead.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

_DRAFTS_JS = Path(__file__).resolve().parent / "drafts.js"


def read_assets(folder: Path, html: str, css: str, js: str) -> tuple[str, str, str]:
    """The texts of a component's HTML, CSS and JS files in ``folder``; the JS
    comes after ``drafts.js``."""
    html_text, css_text, own_js = ((folder / name).read_text(encoding="utf-8")
                                   for name in (html, css, js))
    return html_text, css_text, _DRAFTS_JS.read_text(encoding="utf-8") + "\n" + own_js


@lru_cache(maxsize=None)
def renderer(name: str, folder: Path, html: str, css: str, js: str):
    """The mounted v2 component ``name`` built from those files, made once per
    process (Streamlit is imported only when a page first needs it)."""
    import streamlit as st

    html_text, css_text, js_text = read_assets(folder, html, css, js)
    return st.components.v2.component(name, html=html_text, css=css_text, js=js_text)
