"""Step 6: questions about the participant (optional unless the study says
otherwise), then submit."""
from __future__ import annotations

import streamlit as st

from ..i18n import ENGLISH, Translator
from . import grid as grid_step
from . import questions as qs
from . import session as s
from .ui import flash, guarded


def user_agent() -> str:
    try:
        return str(st.context.headers.get("User-Agent") or "")
    except Exception:  # noqa: BLE001 - not available outside a browser session
        return ""


def intro(questions, tr: Translator = ENGLISH) -> str:
    """The line above the questions: says "optional" only when they all are."""
    _ = tr.gettext
    required = [q for q in questions if q.required]
    if not required:
        return _("These questions are optional. They help us describe who took part.")
    if len(required) == len(questions):
        return _("Please answer these questions. They help us describe who took part.")
    return _("Please answer the questions that are not marked “(optional)”; you may leave "
             "the others empty. They help us describe who took part.")


def submission_problems(p: s.Participant) -> list[str]:
    """What keeps the participant's work from being submitted, in their terms
    (neutral statement numbers, question texts; never ids)."""
    _ = p.tr.gettext
    problems = []
    gaps = p.grid_problems(p.placements())
    if gaps:
        problems.append(_("your grid is not complete ({problems})", problems="; ".join(gaps)))
    missing = qs.missing_required(p, p.definition.questions())
    problems.extend(_("please answer “{question}”", question=text) for text in missing)
    return problems


def not_yet(p: s.Participant, problems: list[str]) -> str:
    return p.tr.gettext("Your answers could not be submitted yet: {problems}.",
                        problems="; ".join(problems))


def submit(p: s.Participant, ua: str = "") -> str | None:
    """Submit the response (idempotent); returns a message if it is not valid."""
    problems = submission_problems(p)
    if problems:
        return not_yet(p, problems)
    try:
        p.submit(ua)
    except s.InvalidSubmission as exc:
        return not_yet(p, p.problem_texts(exc))
    return None


def submit_now(p: s.Participant, questions) -> None:
    qs.save_answers(p, questions)
    problem = submit(p, user_agent())
    if problem:
        flash(problem, "error")


def view(p: s.Participant) -> None:
    questions = p.definition.demographic_questions
    tr = p.tr
    _ = tr.gettext
    st.title(_("About you"), anchor=False)
    grid_step.offer_way_back(p, lambda: qs.save_answers(p, questions, step="grid"))
    st.markdown(intro(questions, tr))
    save = qs.change_saver(p, questions)
    qs.keep_in_browser(p, questions, "demographics")   # before the fields: listening when they appear
    for q in questions:
        qs.ask(p, q, on_change=save)
    left, right = st.columns([1, 1])
    left.button(_("Back"), key="qs_demo_back",
                on_click=guarded(lambda: qs.save_answers(p, questions,
                                                         step=s.previous_step(p, "demographics")),
                                 tr))
    right.button(_("Submit"), type="primary", key="qs_submit",
                 on_click=guarded(lambda: submit_now(p, questions), tr))
