"""The participant's page: check the link, then show the current step.

Links: ``?study=<slug>&t=<token>`` (an invitation or a personal link) or
``?study=<slug>`` (the study's open link: a token is issued when the
participant consents and added to the address, so reloading resumes). The
app's root answers these links (``/?study=...``), and so does the page
``/take-part`` (links handed out before); study names match whatever their
case.

The open link opened again in a browser that has taken part offers to
continue (or says that this device has taken part): see :mod:`.returning`.
The thank-you page adds ``&done=1``: reloading it shows it again, while the
used link opened without the mark gets a kind "you have already taken part"
message.

Every page speaks its study's language (``language:`` in the study file, see
:mod:`webapp.i18n`); a problem page for a study that cannot be read, or a
link that names none, speaks the browser's (``Accept-Language``).
"""
from __future__ import annotations

import streamlit as st

from ..components.resume_link import remember_on_device
from ..components.step_top import start_at_top
from ..i18n import Translator, for_browser, for_study
from ..study_text import inline
from . import (
    demographics,
    grid,
    instruction,
    postsort,
    presort,
    returning,
    thanks,
    welcome,
    withdraw,
)
from . import session as s
from .ui import PARTICIPANT, mark_view, page_style, show_flash, show_problem, use_language

# the participant page's name in addresses (pages.py); links are given out
# without it (see resume_link.js)
PAGE_PATH = instruction.PAGE_PATHS[0]

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


def link_problem(exc: Exception, token: str | None, tr: Translator) -> s.LinkProblem:
    """The message for a link that cannot be used. A study that exists with a
    personal code (``t=``) that does not: the personal link is not recognised."""
    _ = tr.gettext
    if isinstance(exc, s.UnknownToken) and not isinstance(exc, s.ResponseWithdrawn) and token:
        return s.LinkProblem(
            "bad_token", _("This personal link is not recognised"),
            _("The study exists, but the personal code at the end of this link (after “t=”) "
              "is not one we know. Please copy the whole link again from your invitation or "
              "from where you kept it, or ask the research team for a new one."))
    return s.problem_for(exc, tr=tr)


def demo_problem(study, tr: Translator) -> s.LinkProblem:
    return s.LinkProblem(
        "demo", tr.gettext("This is a demo study"),
        tr.gettext("“{title}” is a demo copy filled with simulated participants, made to show "
                   "how the analysis works. It does not take part in any study, so there is "
                   "nothing to sort here.", title=inline(study.title)))


def browser_tr() -> Translator:
    """The texts of a page shown before a study is known: the browser's
    languages (``Accept-Language``), else English."""
    try:
        header = st.context.headers.get("Accept-Language")
    except Exception:  # noqa: BLE001 - no browser context (tests, scripts)
        header = None
    return for_browser(header)


def problem_tr(slug: str) -> Translator:
    """The texts of a problem page for ``slug``: its study's language when the
    study can be read, else the browser's."""
    try:
        return for_study(s.get_store().get_study(slug).definition)
    except Exception:  # noqa: BLE001 - unknown study, no database: the browser's languages
        return browser_tr()


def page() -> None:
    params = st.query_params
    given = (params.get("study") or "").strip()
    slug = given.lower()        # slugs are lower-case; a link typed otherwise still works
    if slug != given:
        st.query_params["study"] = slug
    token = (params.get("t") or "").strip() or None
    if not slug:
        tr = browser_tr()
        _page_setup("problem", tr.gettext("Q-sort"), tr)
        _problem(s.LinkProblem("bad_link", tr.gettext("This link is incomplete"),
                               tr.gettext("The link does not name a study. Please use the whole "
                                          "link from your invitation.")), tr)
        return
    try:
        store = s.get_store()
        if token is None:
            _open_link(store, slug)
            return
        p = participant(store, slug, token)
    except Exception as exc:  # noqa: BLE001 - every failure gets a clear message
        st.session_state.pop(PARTICIPANT, None)
        if isinstance(exc, s.AlreadySubmitted) and _thank_again(slug, token):
            return
        tr = problem_tr(slug)
        _page_setup("problem", tr.gettext("Q-sort"), tr)
        notice = show_flash()
        problem = link_problem(exc, token, tr)
        show_problem(problem, tr)
        if isinstance(exc, s.AlreadySubmitted):
            withdraw.offer(token, tr)           # their own link: they may withdraw
        _finish(f"problem-{problem.kind}", heading=problem.title, notice=notice)
        return

    step = p.step
    p.mark_entered()
    _page_setup(step, p.definition.title, p.tr)
    mark_view(step)
    notice = show_flash()
    if step == "welcome":
        welcome.view(p.study, p.token)
    else:
        VIEWS[step](p)
        remember_on_device(slug=p.slug, token=p.token)       # consented: worth remembering
    _finish(step, notice=notice)


def _open_link(store, slug: str) -> None:
    """The study's open link: welcome and consent, unless this browser has
    taken part already (then: continue, or start again)."""
    study = store.get_study(slug)
    tr = for_study(study.definition)
    if study.is_demo:
        _page_setup("problem", study.title, tr)
        _problem(demo_problem(study, tr), tr)
        return
    if study.status != "open":
        raise s.StudyClosed(slug, study.title)
    _page_setup("welcome", study.title, tr)
    notice = show_flash()
    shown = returning.view(store, study)
    if shown:
        _finish(shown, notice=notice)
        return
    welcome.view(study, None)
    _finish("welcome", notice=notice)


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
    _page_setup("thanks", study.definition.title, for_study(study.definition))
    thanks.show(study.definition, s.storage_key(slug, token), token=token)
    _finish("thanks")
    return True


def _problem(problem: s.LinkProblem, tr: Translator) -> None:
    show_problem(problem, tr)
    _finish(f"problem-{problem.kind}", heading=problem.title)


def _finish(step: str, *, heading: str = "", notice: str = "") -> None:
    """After the step's content: its marker, and the move to its top."""
    _marker(step)
    start_at_top(step=step, heading=heading, notice=notice)


def _marker(step: str) -> None:
    """An invisible marker naming the step shown (for tests and page styling)."""
    st.markdown(f'<span class="qs-step" data-step="{step}"></span>', unsafe_allow_html=True)


def _page_setup(step: str, title: str, tr: Translator) -> None:
    """Title, layout, style and language, set once per run (two calls would
    make the page jump between layouts on every rerun, e.g. at each autosave
    of the grid)."""
    st.set_page_config(page_title=title, layout="wide" if step == "grid" else "centered")
    page_style()
    use_language(tr)
