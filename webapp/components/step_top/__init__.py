"""Start each participant step at its top, with the focus on its heading.

A v2 component that draws nothing (``step_top.js``): when the step shown
changes, it scrolls Streamlit's main area to the top and moves the keyboard
focus to the step's heading (so a screen reader announces the new step).
"""
from __future__ import annotations

from functools import cache
from pathlib import Path

_JS = Path(__file__).resolve().parent / "step_top.js"


@cache
def _renderer():
    import streamlit as st

    return st.components.v2.component("qsort_step_top", js=_JS.read_text(encoding="utf-8"))


def start_at_top(*, step: str, heading: str, notice: str = "") -> None:
    """Scroll to the top and focus ``heading`` when ``step`` (or ``notice``, a
    message just shown at the top) differs from what this page showed before."""
    _renderer()(key="qs_step_top", data={"step": step, "heading": heading, "notice": notice},
                height=0)
