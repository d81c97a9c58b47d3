"""What the components share: ``i18n.js``, the participant texts in the
study's language (``_()``, ``ngettext()`` from the catalogue in ``data.i18n``,
see :mod:`webapp.i18n`), and, for the pre-sort and the grid, ``drafts.js``,
the draft bookkeeping (localStorage, autosave, server clock, freeze after
Continue).

Streamlit takes a component's JS as one inline ES module string, where a
relative ``import`` cannot resolve, so these files (declarations only, no
``export``) are prepended to each component's own module instead.
"""
from __future__ import annotations

from functools import cache
from pathlib import Path

_HERE = Path(__file__).resolve().parent
I18N_JS = _HERE / "i18n.js"
DRAFTS_JS = _HERE / "drafts.js"


def scripts(folder: Path, js: str, *, drafts: bool = True) -> tuple[Path, ...]:
    """The JS files of a component, in the order they are joined: ``i18n.js``,
    ``drafts.js`` (if used) and the component's own ``js`` in ``folder``. The
    msgids of its catalogue (:meth:`webapp.i18n.Translator.js`) come from these."""
    return (I18N_JS,) + ((DRAFTS_JS,) if drafts else ()) + (folder / js,)


def read_assets(folder: Path, html: str, css: str, js: str,
                drafts: bool = True) -> tuple[str, str, str]:
    """The texts of a component's HTML, CSS and JS files in ``folder``; the JS
    comes after the shared files (see :func:`scripts`)."""
    html_text, css_text = ((folder / name).read_text(encoding="utf-8") for name in (html, css))
    js_text = "\n".join(p.read_text(encoding="utf-8") for p in scripts(folder, js, drafts=drafts))
    return html_text, css_text, js_text


@cache
def renderer(name: str, folder: Path, html: str, css: str, js: str, drafts: bool = True):
    """The mounted v2 component ``name`` built from those files, made once per
    process (Streamlit is imported only when a page first needs it)."""
    import streamlit as st

    html_text, css_text, js_text = read_assets(folder, html, css, js, drafts)
    return st.components.v2.component(name, html=html_text, css=css_text, js=js_text)
