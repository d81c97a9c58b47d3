"""The page's language and writing direction: ``<html lang="..." dir="...">``.

A v2 component that draws nothing (``page_language.js``). Streamlit writes
``<html lang="en">`` whatever the page says; the participant pages set the
study's language (screen readers pronounce the text in it, the browser
hyphenates and picks fonts for it) and its direction: ``dir="rtl"`` turns
Streamlit's layout and the sorting components (which inherit the direction
into their shadow roots) right to left. It also names, in the page's
language, the few texts that Streamlit writes in English itself (``labels``:
CSS selector -> ``aria-label``; ``texts``: CSS selector -> text).
"""
from __future__ import annotations

from functools import cache
from pathlib import Path

_JS = Path(__file__).resolve().parent / "page_language.js"


@cache
def _renderer():
    import streamlit as st

    return st.components.v2.component("qsort_page_language", js=_JS.read_text(encoding="utf-8"))


def set_page_language(*, lang: str, direction: str, labels: dict[str, str] | None = None,
                      texts: dict[str, str] | None = None) -> None:
    """Set ``<html lang>`` to ``lang`` (a BCP 47 tag) and ``dir`` to ``'ltr'`` or
    ``'rtl'``; ``labels`` and ``texts`` word Streamlit's own controls (selector ->
    aria-label, selector -> text)."""
    from streamlit.errors import StreamlitDuplicateElementKey

    data = {"lang": lang, "dir": direction, "labels": labels or {}, "texts": texts or {}}
    try:
        _renderer()(key="qs_page_language", data=data, height=0)
    except StreamlitDuplicateElementKey:
        # set twice in one run (a page that turned into a problem page): the later wins
        _renderer()(key="qs_page_language_again", data=data, height=0)
