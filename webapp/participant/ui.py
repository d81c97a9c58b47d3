"""Small Streamlit helpers shared by the participant pages."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import streamlit as st

from .session import LinkProblem, Participant, problem_for, stamp

FLASH = "qs_flash"           # a message to show once, set by a callback
PARTICIPANT = "qs_participant"


def show_problem(problem: LinkProblem) -> None:
    """A full-page message for a link that cannot be used (or a lost connection)."""
    st.markdown(f"## {problem.title}")
    box = st.info if problem.kind in ("used_link", "closed") else st.error
    box(problem.message)
    retry = problem.kind in ("connection", "version_changed")
    if retry and st.button("Try again", type="primary", key="qs_retry"):
        st.session_state.pop(PARTICIPANT, None)
        st.rerun()
    st.markdown(f'<span class="qs-problem" data-kind="{problem.kind}"></span>',
                unsafe_allow_html=True)


def flash(message: str, kind: str = "warning") -> None:
    st.session_state[FLASH] = (kind, message)


def show_flash() -> None:
    item = st.session_state.pop(FLASH, None)
    if item:
        kind, message = item
        getattr(st, kind if kind in ("warning", "error", "info", "success") else "warning")(message)


def guarded(action: Callable[[], Any]) -> Callable[[], Any]:
    """Wrap a callback so a storage error becomes a message instead of a traceback."""
    def run():
        try:
            return action()
        except Exception as exc:  # noqa: BLE001 - shown to the participant
            problem = problem_for(exc)
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


def sorting_callbacks(p: Participant, key: str, refused_key: str,
                      save_draft: Callable[[Participant, Any], Any],
                      accept: Callable[[Participant, Any], str | None]):
    """The ``on_draft_change`` and ``on_done_change`` callbacks of a sorting
    component (pre-sort or grid) whose widget key is ``key``: drafts are
    saved; a refused Continue is remembered under ``refused_key`` (so the
    component unlocks) and its problem shown."""
    def on_draft():
        save_draft(p, st.session_state[key].get("draft"))

    def on_done():
        value = st.session_state[key].get("done")
        problem = accept(p, value)
        if problem:
            st.session_state[refused_key] = stamp(value)[1]
            flash(problem)
        else:
            st.session_state.pop(refused_key, None)

    return guarded(on_draft), guarded(on_done)
