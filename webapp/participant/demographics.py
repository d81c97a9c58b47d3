"""Step 6: questions about the participant (optional unless the study says
otherwise), then submit."""
from __future__ import annotations

import streamlit as st

from . import grid as grid_step
from . import questions as qs
from . import session as s
from .ui import flash, guarded

NOT_YET = "Your answers could not be submitted yet: "


def user_agent() -> str:
    try:
        return str(st.context.headers.get("User-Agent") or "")
    except Exception:  # noqa: BLE001 - not available outside a browser session
        return ""


def intro(questions) -> str:
    """The line above the questions: says "optional" only when they all are."""
    required = [q for q in questions if q.required]
    purpose = "They help us describe who took part."
    if not required:
        return f"These questions are optional. {purpose}"
    if len(required) == len(questions):
        return f"Please answer these questions. {purpose}"
    return (f"Please answer the questions that are not marked “(optional)”; you may leave "
            f"the others empty. {purpose}")


def submission_problems(p: s.Participant) -> list[str]:
    """What keeps the participant's work from being submitted, in their terms
    (neutral statement numbers, question texts; never ids)."""
    problems = []
    gaps = p.grid_problems(p.placements())
    if gaps:
        problems.append("your grid is not complete (" + "; ".join(gaps) + ")")
    missing = qs.missing_required(p, p.definition.questions())
    problems.extend(f"please answer “{text}”" for text in missing)
    return problems


def submit(p: s.Participant, ua: str = "") -> str | None:
    """Submit the response (idempotent); returns a message if it is not valid."""
    problems = submission_problems(p)
    if problems:
        return NOT_YET + "; ".join(problems) + "."
    try:
        p.submit(ua)
    except s.InvalidSubmission as exc:
        return NOT_YET + "; ".join(p.neutral(problem) for problem in exc.problems) + "."
    return None


def submit_now(p: s.Participant, questions) -> None:
    qs.save_answers(p, questions)
    problem = submit(p, user_agent())
    if problem:
        flash(problem, "error")


def view(p: s.Participant) -> None:
    questions = p.definition.demographic_questions
    st.title("About you")
    grid_step.offer_way_back(p, lambda: qs.save_answers(p, questions, step="grid"))
    st.markdown(intro(questions))
    save = qs.change_saver(p, questions)
    for q in questions:
        qs.ask(p, q, on_change=save)
    qs.keep_in_browser(p, questions, "demographics")
    left, right = st.columns([1, 1])
    left.button("Back", key="qs_demo_back",
                on_click=guarded(lambda: qs.save_answers(p, questions,
                                                         step=s.previous_step(p, "demographics"))))
    right.button("Submit", type="primary", key="qs_submit",
                 on_click=guarded(lambda: submit_now(p, questions)))
