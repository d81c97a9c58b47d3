"""Step 2: the condition of instruction (what to think about while sorting),
and the participant's personal link to come back to the sort."""
from __future__ import annotations

import streamlit as st

from ..components.resume_link import resume_link
from ..study_text import inline, show
from . import session as s
from .ui import guarded

# the participant page's name, dropped from the personal link (see flow.PAGE_PATH)
PAGE_PATHS = ["take-part"]


def view(p: s.Participant) -> None:
    defn = p.definition
    tr = p.tr
    _ = tr.gettext
    st.title(inline(defn.title), anchor=False)
    st.subheader(_("How to sort"), anchor=False)
    with st.container(border=True):
        show(defn.instruction)
    n = len(defn.statements)
    lines = []
    if "presort" in p.steps:
        # the study's own labels, as written (lower-casing is English only)
        piles = tr.list((inline(pile.label) for pile in defn.presort_piles), style="or")
        lines.append(tr.ngettext("First, read the statement and put it on a pile: {piles}.",
                                 "First, read each of the {count} statements and put it on a "
                                 "pile: {piles}.", n, count=n, piles=piles))
    low, high = defn.grid.scores[0], defn.grid.scores[-1]
    lines.append(_("Then place the statements on a grid from {low} (most disagree) to "
                   "{high} (most agree). Each column holds a fixed number of statements.",
                   low=tr.score(low), high=tr.score(high)))
    lines.append(_("Your work is saved as you go, so you can stop and come back later."))
    st.markdown("\n".join(f"- {line}" for line in lines))

    with st.container(border=True):
        resume_link(key="qs_resume_link", slug=p.slug, token=p.token, page_paths=PAGE_PATHS,
                    tr=tr)
        st.markdown(_("**Keep this link.** It brings you back to your sort on this or any other "
                      "device: copy it into a note, or send it to yourself by e-mail. On this "
                      "device, the study's own link brings you back too."))
    st.button(_("Continue"), type="primary", key="qs_instruction_next",
              on_click=guarded(lambda: p.save(step=s.next_step(p)), tr))
