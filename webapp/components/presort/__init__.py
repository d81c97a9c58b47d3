"""The pre-sort: a Streamlit custom component (v2) in plain HTML/CSS/JS.

Data (``data=``): ``key``, ``fingerprint``, ``cards`` (``[{"n", "text"}]`` in
the participant's order), ``piles`` (``[{"id", "label", "side"}]``, shown
left to right with the keys 1, 2, 3 ...), ``draft`` (``{"rev", "ts", "piles":
{n: pile_id}}`` or None), ``saved_rev``, ``autosave_ms``, ``now_ms`` and
``refused_rev`` (as for the grid: see ``qsort_grid``).

Returns state ``draft`` and trigger ``done``, both ``{"rev", "ts", "piles": {n: pile_id}}``.

Keys: 1/2/3 put the current card (or a focused card in a pile) on the first,
second or third pile; Enter or Space on a card in a pile brings it back to
sort again. Once the last card is sorted the focus moves to Continue.
"""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..shared import renderer

_HERE = Path(__file__).resolve().parent
NAME = "qsort_presort"


def _renderer():
    # the JS comes after the draft bookkeeping shared by the two components
    return renderer(NAME, _HERE, "presort.html", "presort.css", "presort.js")


def presort_piles(*, key: str, data: dict[str, Any],
                  on_draft_change: Callable[[], None], on_done_change: Callable[[], None]):
    """Mount the pre-sort; returns the component result (``.draft``, ``.done``)."""
    return _renderer()(key=key, data=data, on_draft_change=on_draft_change,
                       on_done_change=on_done_change, height="content")
