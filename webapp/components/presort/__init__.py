"""The pre-sort: a Streamlit custom component (v2) in plain HTML/CSS/JS.

Data (``data=``): ``key``, ``fingerprint``, ``cards`` (``[{"n", "text"}]`` in
the participant's order), ``piles`` (``[{"id", "label", "side"}]``, shown
left to right with the keys 1, 2, 3 ...), ``draft`` (``{"rev", "ts", "piles":
{n: pile_id}}`` or None), ``saved_rev``, ``autosave_ms``, ``now_ms``,
``refused_rev`` and ``resumed`` (as for the grid: see ``qsort_grid``), and
``i18n``, the component's texts in the study's language (added by
:func:`presort_piles`, see :meth:`webapp.i18n.Translator.js`).

Returns state ``draft`` and trigger ``done``, both ``{"rev", "ts", "piles": {n: pile_id}}``.

Keys: 1/2/3 put the current card (or a focused card in a pile) on the first,
second or third pile; Enter or Space on a card in a pile brings it back to
sort again. Once the last card is sorted the focus moves to Continue (just
under the card, above the piles), scrolled into view. The piles show every
statement whole; touch screens get no key hints.
"""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from ...i18n import ENGLISH, Translator
from ..shared import renderer, scripts

_HERE = Path(__file__).resolve().parent
NAME = "qsort_presort"
SCRIPTS = scripts(_HERE, "presort.js")


def _renderer():
    # the JS comes after the texts and draft bookkeeping shared by the two components
    return renderer(NAME, _HERE, "presort.html", "presort.css", "presort.js")


def presort_piles(*, key: str, data: dict[str, Any], tr: Translator = ENGLISH,
                  on_draft_change: Callable[[], None], on_done_change: Callable[[], None]):
    """Mount the pre-sort, its texts in ``tr``'s language (``data.i18n``);
    returns the component result (``.draft``, ``.done``)."""
    return _renderer()(key=key, data={**data, "i18n": tr.js(SCRIPTS)},
                       on_draft_change=on_draft_change, on_done_change=on_done_change,
                       height="content")
