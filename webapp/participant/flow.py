"""The participant's page: check the link, then show the current step.

Links: ``?study=<slug>&t=<token>`` (an invitation or a resumed open link) or
``?study=<slug>`` (an open link: a token is issued when the participant
consents and added to the address, so reloading resumes). The thank-you page
adds ``&done=1``: reloading it shows it again, while the used link opened
without the mark gets a kind "you have already taken part" message.
"""
from __future__ import annotations

import streamlit as st

from . import demographics, grid, instruction, postsort, presort, thanks, welcome
from . import session as s
from .ui import PARTICIPANT, show_flash, show_problem

VIEWS = {
    "instruction": instruction.view,
    "presort": presort.view,
    "grid": grid.view,
    "postsort": postsort.view,
    "demographics": demographics.view,
    "thanks": thanks.view,
}


def participant(store, slug: str, token: str) -> s.Participant:
    """The participant of this browser tab (loaded once, then kept in the session)."""
    p = st.session_state.get(PARTICIPANT)
    if p is None or p.slug != slug or p.token != token:
        p = s.load_participant(store, slug, token)
        st.session_state[PARTICIPANT] = p
    return p


def page() -> None:
    params = st.query_params
    slug = (params.get("study") or "").strip()
    token = (params.get("t") or "").strip() or None
    if not slug:
        _page_setup("problem", "Q-sort")
        show_problem(s.LinkProblem("bad_link", "This link is incomplete",
                                   "The link does not name a study. Please use the whole link "
                                   "from your invitation."))
        return
    try:
        store = s.get_store()
        if token is None:
            study = store.get_study(slug)
            if study.is_demo or study.status != "open":
                raise s.StudyClosed(slug, study.title)
            _page_setup("welcome", study.title)
            show_flash()
            welcome.view(study, None)
            _marker("welcome")
            return
        p = participant(store, slug, token)
    except Exception as exc:  # noqa: BLE001 - every failure gets a clear message
        st.session_state.pop(PARTICIPANT, None)
        if isinstance(exc, s.AlreadySubmitted) and _thank_again(slug, token):
            return
        _page_setup("problem", "Q-sort")
        show_problem(s.problem_for(exc))
        return

    step = p.step
    p.mark_entered()
    _page_setup(step, p.definition.title)
    show_flash()
    if step == "welcome":
        welcome.view(p.study, p.token)
    else:
        VIEWS[step](p)
    _marker(step)


def _thank_again(slug: str, token: str) -> bool:
    """The thank-you page reloaded (its address carries the mark): show it again."""
    if st.query_params.get(thanks.DONE_PARAM) != "1":
        return False
    try:
        study = s.submitted_study(s.get_store(), slug, token)
    except Exception:  # noqa: BLE001 - then the used-link message is shown
        return False
    if study is None:
        return False
    _page_setup("thanks", study.definition.title)
    thanks.show(study.definition, s.storage_key(slug, token))
    _marker("thanks")
    return True


def _marker(step: str) -> None:
    """An invisible marker naming the step shown (for tests and page styling)."""
    st.markdown(f'<span class="qs-step" data-step="{step}"></span>', unsafe_allow_html=True)


def _page_setup(step: str, title: str) -> None:
    """Title and layout, set once per run (two calls would make the page jump
    between layouts on every rerun, e.g. at each autosave of the grid)."""
    st.set_page_config(page_title=title, layout="wide" if step == "grid" else "centered")
