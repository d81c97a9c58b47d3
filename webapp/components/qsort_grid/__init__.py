"""The Q-sort grid: a Streamlit custom component (v2) in plain HTML/CSS/JS.

No build step: ``grid.html``, ``grid.css`` and ``grid.js`` (an ES module) sit
next to this file and are passed inline to ``st.components.v2.component``,
the JS after ``../shared/drafts.js`` (the draft bookkeeping shared with the
pre-sort).

Data contract (``data=``, JSON):

``key``          text identifying the participant (study slug + token); the
                 browser keeps its draft in localStorage under it.
``fingerprint``  the study version; a local draft of another version is ignored.
``cards``        ``[{"n": 1, "text": "...", "pile": "agree"}, ...]`` in the
                 participant's shuffled order; ``n`` is the neutral number shown
                 on the card (never the statement id or its tags).
``piles``        ``[{"id", "label", "side"}]`` (side -1/0/+1), display order.
``columns``      ``[{"score", "label", "capacity"}]``, most disagree first.
``draft``        the server's copy ``{"rev", "ts", "columns": {"-4": [n, ...]}}`` or None.
``saved_rev``    the last draft revision the server has stored.
``autosave_ms``  how often (at most) the draft is sent to Python.
``now_ms``       the server's clock: the browser stamps each change with its
                 own clock corrected by it (``ts``), and the newer of its local
                 copy and the server's wins by ``ts`` (``rev`` counts the
                 changes of one browser and only breaks ties).
``refused_rev``  the revision sent with Continue that Python refused (the grid,
                 frozen since Continue, can be changed again), or None.
``resumed``      whether the page shows the grid for the first time in this tab
                 (a link opened again, a reload): a sort found then says
                 "Your sort so far has been restored".
``i18n``         the grid's texts in the study's language (added by
                 :func:`qsort_grid`, see :meth:`webapp.i18n.Translator.js`):
                 ``{"lang", "dir", "plural", "messages"}``.

What comes back: state ``draft`` and trigger ``done``, both
``{"rev": int, "ts": int, "columns": {score_text: [n, ...]}}``. After ``done``
the grid ignores every key, click and drag and sends no more drafts.

Keys (documented to the participant on the page): Tab moves between cards;
Enter or Space picks a card up and puts it down; Left/Right (or Up/Down)
choose the column (Left/Right as seen: in a right-to-left language the most
disagree column is on the right, the reading start side, and Left moves
towards most agree); Home/End jump to the first/last column; holding a card,
Enter on a placed card puts it there (the two swap if the column is full);
Escape cancels; Delete or Backspace sends a placed card back to its pile.

Layout: see ``grid.css`` (a strip of cards to place above the columns; cards
in the columns clamped to the lines that let the grid fit the screen, whole
on hover, focus or selection; rows of whole cards on narrow screens).
"""
from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Any

from ...i18n import ENGLISH, Translator
from ..shared import renderer, scripts

_HERE = Path(__file__).resolve().parent
NAME = "qsort_grid"
SCRIPTS = scripts(_HERE, "grid.js")


def _renderer():
    # the JS comes after the texts and draft bookkeeping shared by the two components
    return renderer(NAME, _HERE, "grid.html", "grid.css", "grid.js")


def qsort_grid(*, key: str, data: dict[str, Any], tr: Translator = ENGLISH,
               on_draft_change: Callable[[], None],
               on_done_change: Callable[[], None]):
    """Mount the grid, its texts in ``tr``'s language (``data.i18n``); returns
    the component result (``.draft``, ``.done``)."""
    return _renderer()(key=key, data={**data, "i18n": tr.js(SCRIPTS)},
                       on_draft_change=on_draft_change, on_done_change=on_done_change,
                       height="content")


# After submitting, the browser's copies of the drafts are no longer needed:
# remove them (the grid, the piles and each typed answer, see
# webapp/participant/answer_keeper.js) so that a shared computer keeps
# nothing of the participant's sort.
_FORGET_JS = """
export default function forgetDrafts({ data }) {
  try {
    const storage = window.localStorage;
    for (const prefix of ["qsort-grid:", "qsort-presort:"]) storage.removeItem(prefix + data.key);
    const answers = "qsort-answer:" + data.key + ":";
    const names = [];
    for (let i = 0; i < storage.length; i += 1) names.push(storage.key(i));
    for (const name of names) if (name && name.startsWith(answers)) storage.removeItem(name);
  } catch (err) { /* no storage */ }
}
"""


@lru_cache(maxsize=1)
def _forget_renderer():
    import streamlit as st

    return st.components.v2.component("qsort_forget_drafts", js=_FORGET_JS)


def forget_local_drafts(*, key: str, storage_key: str) -> None:
    """Remove the browser's draft copies of ``storage_key`` (renders nothing)."""
    _forget_renderer()(key=key, data={"key": storage_key}, height=0)
