"""Step 5: questions about the statements placed at the two ends of the grid
(showing those statements), and any other post-sort questions."""
from __future__ import annotations

import streamlit as st

from . import grid as grid_step
from . import questions as qs
from . import session as s
from .ui import flash, guarded, statement_box


def extreme_statements(p: s.Participant) -> dict[str, list[tuple[int, str]]]:
    """{'agree_extreme': [(number, text), ...], 'disagree_extreme': [...]}"""
    return {about: [(p.number(sid), p.text(sid)) for sid in ids]
            for about, ids in p.extremes().items()}


def view(p: s.Participant) -> None:
    defn = p.definition
    tr = p.tr
    _ = tr.gettext
    questions = defn.postsort_questions
    st.title(_("About your grid"), anchor=False)
    grid_step.offer_way_back(p, lambda: qs.save_answers(p, questions, step="grid"))
    extremes = extreme_statements(p)
    save = qs.change_saver(p, questions)
    qs.keep_in_browser(p, questions, "postsort")   # before the fields: listening when they appear
    for q in questions:
        if q.about in extremes:
            score = defn.grid.scores[-1] if q.about == "agree_extreme" else defn.grid.scores[0]
            st.markdown(_("**The statements you placed at {score}:**", score=tr.score(score)))
            for number, text in extremes[q.about]:
                statement_box(number, text)
        qs.ask(p, q, on_change=save)
        st.write("")

    def on_next():
        qs.save_answers(p, questions)
        missing = qs.missing_required(p, questions)
        if missing:
            flash(_("Please answer: {questions}", questions="; ".join(missing)))
            return
        p.save(step=s.next_step(p, "postsort"))

    left, right = st.columns([1, 1])
    left.button(_("Back to the grid"), key="qs_post_back",
                on_click=guarded(lambda: qs.save_answers(p, questions, step="grid"), tr))
    last = s.next_step(p, "postsort") == "thanks"
    if last:
        from .demographics import submit_now
        right.button(_("Submit"), type="primary", key="qs_post_submit",
                     on_click=guarded(lambda: submit_now(p, questions), tr))
    else:
        right.button(_("Continue"), type="primary", key="qs_post_next",
                     on_click=guarded(on_next, tr))
