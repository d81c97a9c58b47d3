"""Step 6: optional questions about the participant, then submit."""
from __future__ import annotations

import streamlit as st

from . import questions as qs
from . import session as s
from .ui import flash, guarded


def user_agent() -> str:
    try:
        return str(st.context.headers.get("User-Agent") or "")
    except Exception:  # noqa: BLE001 - not available outside a browser session
        return ""


def submit(p: s.Participant, ua: str = "") -> str | None:
    """Submit the response (idempotent); returns a message if it is not valid."""
    try:
        p.submit(ua)
    except s.InvalidSubmission as exc:
        return "Your answers could not be submitted yet: " + "; ".join(exc.problems)
    return None


def submit_now(p: s.Participant, questions) -> None:
    qs.save_answers(p, questions)
    problem = submit(p, user_agent())
    if problem:
        flash(problem, "error")


def view(p: s.Participant) -> None:
    questions = p.definition.demographic_questions
    st.title("About you")
    st.markdown("These questions are optional. They help us describe who took part.")
    save = qs.change_saver(p, questions)
    for q in questions:
        qs.ask(p, q, on_change=save)
    left, right = st.columns([1, 1])
    left.button("Back", key="qs_demo_back",
                on_click=guarded(lambda: qs.save_answers(p, questions,
                                                         step=s.previous_step(p, "demographics"))))
    right.button("Submit", type="primary", key="qs_submit",
                 on_click=guarded(lambda: submit_now(p, questions)))
