"""Small Streamlit helpers shared by the participant pages."""
from __future__ import annotations

from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import streamlit as st

from ..components.page_language import set_page_language
from ..i18n import ENGLISH, Translator
from .session import LinkProblem, Participant, problem_for, stamp

FLASH = "qs_flash"           # a message to show once, set by a callback
FLASHES = "qs_flash_count"   # how many messages this tab has shown
PARTICIPANT = "qs_participant"
LANGUAGE = "qs_language"     # the translator of the page on screen (for its callbacks)
# the steps this tab has shown, and whether the one on screen is shown for the
# first time (a sort that this tab shows for the first time was restored)
SEEN = "qs_seen_steps"
FIRST_VIEW = "qs_first_view"
_CSS = Path(__file__).resolve().parent / "page.css"


@cache
def _page_css() -> str:
    return "<style>\n" + _CSS.read_text(encoding="utf-8") + "\n</style>"


def page_style() -> None:
    """The participant pages' own styles (touch targets, focus rings, no
    heading anchors, no header band); takes no room on the page."""
    st.html(_page_css())


def use_language(tr: Translator) -> None:
    """The page speaks ``tr``'s language: ``<html lang dir>`` (so the layout,
    the components and screen readers follow it) and the callbacks of its
    buttons word their messages in it (see :func:`page_tr`)."""
    st.session_state[LANGUAGE] = tr
    _ = tr.gettext
    # the texts Streamlit writes itself: a number field's steppers, the skip link
    set_page_language(lang=tr.tag, direction=tr.direction, labels={
        '[data-testid="stNumberInputStepDown"]': _("Decrease"),
        '[data-testid="stNumberInputStepUp"]': _("Increase"),
    }, texts={'[data-testid="stSkipToContent"]': _("Skip to main content")})


def page_tr() -> Translator:
    """The translator of the page on screen (English before any page set one)."""
    tr = st.session_state.get(LANGUAGE)
    return tr if isinstance(tr, Translator) else ENGLISH


def mark_view(step: str) -> None:
    """Note that ``step`` is on screen (see :func:`first_view`)."""
    seen = st.session_state.setdefault(SEEN, set())
    st.session_state[FIRST_VIEW] = step not in seen
    seen.add(step)


def first_view() -> bool:
    """Whether the step on screen is shown for the first time in this tab
    (after a reload or on a link opened again, for instance)."""
    return bool(st.session_state.get(FIRST_VIEW, True))


def show_problem(problem: LinkProblem, tr: Translator | None = None) -> None:
    """A full-page message for a link that cannot be used (or a lost connection);
    ``problem`` is worded already, ``tr`` words the button."""
    _ = (tr or page_tr()).gettext
    st.title(problem.title, anchor=False)
    box = st.info if problem.kind in ("used_link", "closed", "demo", "withdrawn") else st.error
    box(problem.message)
    retry = problem.kind in ("connection", "version_changed")
    if retry and st.button(_("Try again"), type="primary", key="qs_retry"):
        st.session_state.pop(PARTICIPANT, None)
        st.rerun()
    st.markdown(f'<span class="qs-problem" data-kind="{problem.kind}"></span>',
                unsafe_allow_html=True)


def flash(message: str, kind: str = "warning") -> None:
    st.session_state[FLASH] = (kind, message)


def show_flash() -> str:
    """Show the message a callback left (if any). Returns a text that changes
    with every message shown, so the page can bring it into view."""
    item = st.session_state.pop(FLASH, None)
    if item:
        kind, message = item
        getattr(st, kind if kind in ("warning", "error", "info", "success") else "warning")(message)
        st.session_state[FLASHES] = st.session_state.get(FLASHES, 0) + 1
    return str(st.session_state.get(FLASHES, 0))


def guarded(action: Callable[[], Any], tr: Translator | None = None) -> Callable[[], Any]:
    """Wrap a callback so a storage error becomes a message instead of a
    traceback, worded in ``tr``'s language (default: the page's, see
    :func:`use_language`)."""
    def run():
        try:
            return action()
        except Exception as exc:  # noqa: BLE001 - shown to the participant
            problem = problem_for(exc, tr=tr or page_tr())
            title = problem.title if problem.title.endswith(("!", ".", "?")) else problem.title + "."
            flash(f"{title} {problem.message}",
                  "info" if problem.kind == "used_link" else "error")
            if problem.kind in ("version_changed", "used_link"):
                st.session_state.pop(PARTICIPANT, None)     # load it again on the next run
    return run


def statement_box(number: int, text: str) -> None:
    """A statement as plain text (never Markdown or HTML), with its neutral number."""
    with st.container(border=True):
        st.text(f"{number}. {text}")


def sorting_component(p: Participant, key: str, refused_key: str,
                      save_draft: Callable[[Participant, Any], Any],
                      accept: Callable[[Participant, Any], str | None],
                      mount: Callable[..., Any]) -> None:
    """Mount a sorting component (pre-sort or grid) whose widget key is
    ``key`` with ``mount(on_draft_change=..., on_done_change=...)``: drafts are
    saved; a refused Continue is remembered under ``refused_key`` (so the
    component unlocks) and its problem shown.

    Streamlit calls a widget's callbacks only in a server session that has run
    the page once. A value that reaches a new session first (the page
    reconnected to another replica after its own died, or to a restarted
    server) is set without its callback, and that draft, or that Continue,
    would be dropped. So each value is marked when handled, whatever the
    callbacks have not seen is handled after mounting, and the page runs again
    to show it saved.
    """
    seen = {"draft": f"{key}__draft_seen", "done": f"{key}__done_seen"}

    def value_of(part: str):
        state = st.session_state.get(key)
        return state.get(part) if hasattr(state, "get") else None

    def on_draft():
        value = value_of("draft")
        st.session_state[seen["draft"]] = stamp(value)
        return save_draft(p, value)

    def on_done():
        value = value_of("done")
        st.session_state[seen["done"]] = stamp(value)
        problem = accept(p, value)
        if problem:
            st.session_state[refused_key] = stamp(value)[1]
            flash(problem)
        else:
            st.session_state.pop(refused_key, None)

    def missed(part: str) -> bool:
        value = value_of(part)
        return bool(value) and st.session_state.get(seen[part]) != stamp(value)

    handle_draft, handle_done = guarded(on_draft, p.tr), guarded(on_done, p.tr)
    mount(on_draft_change=handle_draft, on_done_change=handle_done)
    if missed("done"):
        handle_done()
        st.rerun()
    elif missed("draft") and handle_draft():
        st.rerun()
