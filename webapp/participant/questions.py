"""Rendering of post-sort and demographic questions (shared by both steps)."""
from __future__ import annotations

from typing import Any

import streamlit as st

from . import session as s
from .ui import guarded


def widget_key(question_id: str) -> str:
    return f"qs_q_{question_id}"


def missing_required(p: s.Participant, questions) -> list[str]:
    answers = p.answers()
    return [q.text for q in questions
            if q.required and answers.get(q.id) in (None, "")]


def collect(questions) -> dict[str, Any]:
    """The current widget values of ``questions`` (from Streamlit's session state)."""
    out = {}
    for q in questions:
        value = st.session_state.get(widget_key(q.id))
        if isinstance(value, str):
            value = value.strip()
        out[q.id] = value if value not in ("",) else None
    return out


def save_answers(p: s.Participant, questions, *, step: str | None = None) -> None:
    answers = p.answers()
    answers.update(collect(questions))
    p.save(step=step, answers=answers)


def ask(p: s.Participant, q, *, on_change) -> None:
    """One question as a widget, prefilled from the draft."""
    key = widget_key(q.id)
    saved = p.answers().get(q.id)
    label = q.text + ("" if q.required else " (optional)")
    if q.kind == "textarea":
        st.text_area(label, value=saved or "", key=key, on_change=on_change, max_chars=10_000)
    elif q.kind == "text":
        st.text_input(label, value=saved or "", key=key, on_change=on_change, max_chars=1_000)
    elif q.kind == "number":
        value = saved if isinstance(saved, (int, float)) else None
        st.number_input(label, value=value, step=1, min_value=0, key=key, on_change=on_change)
    elif q.kind == "choice":
        options = list(q.options)
        index = options.index(saved) if saved in options else None
        st.radio(label, options, index=index, key=key, on_change=on_change)


def change_saver(p: s.Participant, questions):
    return guarded(lambda: save_answers(p, questions))
