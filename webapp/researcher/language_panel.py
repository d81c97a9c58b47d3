"""The design page's language panel: the study's language (a picker of the
shipped languages) and which participant texts that language lacks.

A text is lacking when the language's catalogue does not translate it
(:func:`webapp.i18n.missing_messages`) and the study does not word it
itself (its ``messages``); participants then see it in English. The
shipped catalogues are complete (the tests see to it), so a list shows up
while a language is being added or after the code gained a text.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import streamlit as st
from babel import Locale

from studies.languages import SOURCE_LANGUAGE, available_languages, parse_locale, template
from webapp.i18n import missing_messages

from .editor import fresh, save, widget_key


@dataclass(frozen=True)
class Coverage:
    """How many of the ``total`` participant texts ``language`` has; ``missing``
    are the msgids it lacks (neither translated nor worded by the study),
    ``own`` how many the study words itself."""

    language: str
    total: int
    missing: tuple[str, ...]
    own: int


def language_name(code: str) -> str:
    """``German``, ``German (Austria)``; the code itself if Babel does not know it."""
    loc = parse_locale(code)
    return loc.get_display_name(Locale("en")) if loc is not None else code


def coverage(language: str, overrides: Mapping | None = None) -> Coverage:
    """What ``language`` lacks of the participant texts, the study's own
    wording (``overrides``: msgid -> text) counted as present."""
    own = {k for k, v in dict(overrides or {}).items() if v}
    missing = tuple(m for m in missing_messages(language) if m not in own)
    known = template()
    return Coverage(language, len(known), missing, len(own & set(known)))


def summary(c: Coverage) -> str:
    name = language_name(c.language)
    own = (f" ({c.own} in the study's own wording)" if c.own else "")
    if c.language == SOURCE_LANGUAGE:
        return f"{name}: the texts are written in English; all {c.total} as written{own}."
    if not c.missing:
        return f"{name}: all {c.total} texts translated{own}."
    return (f"{name}: {len(c.missing)} of {c.total} texts have no translation{own}; participants "
            "see them in English unless the study words them itself (`messages:` in the study "
            "file, see statements/README.md).")


def language_panel(slug: str, content: dict) -> None:
    """The picker and the coverage of the chosen language."""
    current = str(content.get("language") or SOURCE_LANGUAGE)
    options = list(available_languages())
    if current not in options:
        options.append(current)         # e.g. de_AT, or one whose catalogue was removed
    key = widget_key(slug, "language")

    def on_change():
        chosen = st.session_state.get(key) or SOURCE_LANGUAGE
        updated = fresh(slug, content)
        updated["language"] = chosen
        save(slug, updated)

    st.selectbox("Language of the participant pages", options, index=options.index(current),
                 key=key, format_func=lambda c: f"{language_name(c)} ({c})", on_change=on_change,
                 help="Buttons, hints, messages and the grid's texts come in this language; "
                      "the study's own texts (below) are shown as written.")
    c = coverage(current, content.get("messages"))
    if c.missing:
        st.warning(summary(c), icon=":material/translate:")
        with st.expander(f"The {len(c.missing)} texts without a translation"):
            st.dataframe({"text (English)": list(c.missing)}, hide_index=True, width="stretch")
    else:
        st.caption(summary(c))
