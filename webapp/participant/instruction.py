"""Step 2: the condition of instruction (what to think about while sorting)."""
from __future__ import annotations

import streamlit as st

from . import session as s
from .ui import guarded


def view(p: s.Participant) -> None:
    defn = p.definition
    st.title(defn.title)
    st.subheader("How to sort")
    with st.container(border=True):
        st.markdown(defn.instruction)
    n = len(defn.statements)
    lines = []
    if "presort" in p.steps:
        piles = ", ".join(pile.label.lower() for pile in defn.presort_piles)
        lines.append(f"First, read each of the {n} statements and put it on a pile: {piles}.")
    low, high = defn.grid.scores[0], defn.grid.scores[-1]
    lines.append(f"Then place the statements on a grid from {low:+d} (most disagree) to "
                 f"{high:+d} (most agree). Each column holds a fixed number of statements.")
    lines.append("Your work is saved as you go: if you close the page, open the same link "
                 "again to carry on where you stopped.")
    st.markdown("\n".join(f"- {line}" for line in lines))
    st.button("Continue", type="primary", key="qs_instruction_next",
              on_click=guarded(lambda: p.save(step=s.next_step(p))))
