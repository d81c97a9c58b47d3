"""Rendering of post-sort and demographic questions (shared by both steps).

Saving: an answer is saved to the server when the participant leaves its
field (Streamlit sends a text field's value only then) and at every step
(Back, Continue, Submit). What is typed in between is kept in this browser
(``answer_keeper.js`` mirrors each keystroke into localStorage under the
study, token and question) and, if the tab was closed before it reached the
server, restored and saved when the link is opened again, unless the
server's answer was saved later (``answer_ts``).
"""
from __future__ import annotations

import math
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

import streamlit as st

from ..study_text import defuse, inline
from . import session as s
from .ui import guarded

# the kinds of questions whose answers are typed (and so kept in the browser)
TYPED = ("text", "textarea", "number")
_HERE = Path(__file__).resolve().parent


def widget_key(question_id: str) -> str:
    return f"qs_q_{question_id}"


def widget_class(question_id: str) -> str:
    """The CSS class Streamlit gives the element of a widget with a key."""
    return "st-key-" + re.sub(r"[^a-zA-Z0-9_-]", "-", widget_key(question_id).strip())


def missing_required(p: s.Participant, questions) -> list[str]:
    answers = p.answers()
    # texts go into markdown messages, so escaped
    return [inline(q.text) for q in questions
            if q.required and answers.get(q.id) in (None, "")]


def clean(q, value: Any) -> Any:
    """A widget value as it is stored (text stripped, empty text as None)."""
    if isinstance(value, str):
        value = value.strip()
    return None if value == "" else value


def collect(questions) -> dict[str, Any]:
    """The current widget values of ``questions`` (from Streamlit's session state)."""
    return {q.id: clean(q, st.session_state.get(widget_key(q.id))) for q in questions}


def save_answers(p: s.Participant, questions, *, step: str | None = None,
                 values: dict[str, Any] | None = None) -> None:
    """Save the answers on screen (or ``values``) and, optionally, move to ``step``.

    Each answer that changed gets the time it was saved (``answer_ts``), so a
    copy typed earlier in some browser never replaces it.
    """
    old = p.answers()
    answers = dict(old)
    answers.update(collect(questions) if values is None else values)
    times = p.answer_times()
    now = s.now_ms()
    for qid, value in answers.items():
        if old.get(qid) != value or qid not in times:
            times[qid] = now
    p.save(step=step, answers=answers, answer_ts=times)


def ask(p: s.Participant, q, *, on_change) -> None:
    """One question as a widget, prefilled from the draft.

    The saved answer goes into the widget's session state (not ``value=``), so
    an answer restored from the browser's copy can replace it before the
    widget is drawn.
    """
    _ = p.tr.gettext
    key = widget_key(q.id)
    saved = p.answers().get(q.id)
    # a label is also the field's accessible name: defused, not backslash-escaped
    label = defuse(q.text) if q.required else _("{question} (optional)", question=defuse(q.text))
    if q.kind in ("textarea", "text"):
        if key not in st.session_state and isinstance(saved, str):
            st.session_state[key] = saved
        widget = st.text_area if q.kind == "textarea" else st.text_input
        widget(label, value=None, key=key, on_change=on_change,
               max_chars=10_000 if q.kind == "textarea" else 1_000)
    elif q.kind == "number":
        if key not in st.session_state and isinstance(saved, (int, float)) \
                and not isinstance(saved, bool):
            st.session_state[key] = saved
        st.number_input(label, value=None, step=1, min_value=0, key=key, on_change=on_change)
    elif q.kind == "choice":
        options = list(q.options)
        if key not in st.session_state and saved in options:
            st.session_state[key] = saved
        st.radio(label, options, index=None, key=key, on_change=on_change, format_func=defuse)
        if not q.required and st.session_state.get(key) is not None:
            # a chosen option cannot be unchosen by clicking it: a way back to no answer
            def clear():
                st.session_state[key] = None
                on_change()

            st.button(_("Clear this answer"), key=f"qs_clear_{q.id}", on_click=clear,
                      help=_("Leave this optional question unanswered"))


def change_saver(p: s.Participant, questions):
    return guarded(lambda: save_answers(p, questions), p.tr)


# ---------------------------------------------------------------------------
# the browser's copy of typed answers
# ---------------------------------------------------------------------------
@lru_cache(maxsize=1)
def _keeper():
    js = (_HERE / "answer_keeper.js").read_text(encoding="utf-8")
    return st.components.v2.component("qsort_answer_keeper", js=js)


def restored_value(q, text: Any) -> Any:
    """The widget value of a typed answer restored from the browser (None if unusable)."""
    if not isinstance(text, str):
        return None
    if q.kind == "number":
        try:
            number = float(text.strip())
        except ValueError:
            return None
        if not math.isfinite(number) or number < 0:
            return None
        return int(number) if number.is_integer() else number
    return text[:10_000 if q.kind == "textarea" else 1_000]


def restore(p: s.Participant, questions, value: Any) -> dict[str, Any]:
    """Put the answers the browser kept (typed, never sent) into the widgets and
    save them; returns the answers restored. Runs in a callback, before the
    widgets are drawn."""
    found = value.get("answers") if isinstance(value, dict) else None
    if not isinstance(found, dict):
        return {}
    by_id = {q.id: q for q in questions if q.kind in TYPED}
    restored = {}
    for qid, text in found.items():
        q = by_id.get(str(qid))
        widget_value = None if q is None else restored_value(q, text)
        if widget_value is None:
            continue
        st.session_state[widget_key(q.id)] = widget_value
        restored[q.id] = clean(q, widget_value)
    if restored:
        save_answers(p, questions, values=restored)
    return restored


def keep_in_browser(p: s.Participant, questions, step: str) -> None:
    """Mirror what is typed into ``questions`` into this browser and restore what
    was typed but never saved (renders nothing visible)."""
    answers, times = p.answers(), p.answer_times()
    fields = [{"id": q.id, "cls": widget_class(q.id), "kind": q.kind,
               "value": answers.get(q.id), "ts": times.get(q.id, 0)}
              for q in questions if q.kind in TYPED]
    if not fields:
        return
    key = f"qs_keeper_{step}"

    def on_restore():
        restore(p, questions, (st.session_state.get(key) or {}).get("restore"))

    _keeper()(key=key, data={"key": p.storage_key, "fields": fields, "now_ms": s.now_ms()},
              on_restore_change=guarded(on_restore, p.tr), height=0)
