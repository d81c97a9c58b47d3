"""Step 4: the grid. Cards start from the pre-sort piles; all moving happens
in the browser (webapp/components/qsort_grid); Python receives the draft every
few seconds and the final placement when the grid is complete.

A draft is stored only if it is newer (by time, see ``session.is_newer``)
than the server's and the participant is still on the grid: once Continue
is accepted, the placement checked then is the one that counts."""
from __future__ import annotations

from typing import Any

import streamlit as st

from ..components.qsort_grid import qsort_grid
from ..i18n import ENGLISH, N_, Translator
from ..study_text import show
from . import presort as presort_step
from . import session as s
from .ui import first_view, guarded, sorting_component

KEY = "qs_grid"
REFUSED = "qs_grid_refused"
UNSORTED = {"id": "unsorted", "label": N_("Statements"), "side": 0}


def unsorted_pile(tr: Translator) -> dict:
    """The one pile of a study without a pre-sort."""
    return {**UNSORTED, "label": tr.gettext(UNSORTED["label"])}


def column_labels(grid, tr: Translator = ENGLISH) -> list[str]:
    if grid.labels is not None:
        return list(grid.labels)
    low, high = grid.scores[0], grid.scores[-1]
    return [tr.gettext("Most disagree") if sc == low else tr.gettext("Most agree") if sc == high
            else "" for sc in grid.scores]


def component_data(p: s.Participant) -> dict[str, Any]:
    """Everything the grid component needs (texts by neutral number only)."""
    grid = p.definition.grid
    assigned = p.presort()
    piles = presort_step.piles(p) if p.definition.presort_piles else [unsorted_pile(p.tr)]
    pile_ids = {x["id"] for x in piles}
    fallback = next((x["id"] for x in piles if x["side"] == 0), piles[0]["id"])
    ts, rev = s.stamp(p.draft.get("grid"))
    return {
        "key": p.storage_key,
        "fingerprint": p.study.fingerprint,
        "cards": [{"n": i + 1, "text": p.text(sid),
                   "pile": assigned.get(sid) if assigned.get(sid) in pile_ids else fallback}
                  for i, sid in enumerate(p.order)],
        "piles": piles,
        "columns": [{"score": sc, "label": label, "capacity": h}
                    for sc, h, label in zip(grid.scores, grid.heights, column_labels(grid, p.tr))],
        "draft": {"rev": rev, "ts": ts,
                  "columns": {score: [p.number(sid) for sid in sids]
                              for score, sids in p.columns().items()}},
        "saved_rev": rev,
        "autosave_ms": s.AUTOSAVE_MS,
        "now_ms": s.now_ms(),
        # the revision sent with Continue that was refused (the grid unfreezes)
        "refused_rev": st.session_state.get(REFUSED),
        # this tab shows the step for the first time: a sort found then was restored
        "resumed": first_view(),
    }


def to_ids(p: s.Participant, value: Any) -> tuple[int, dict[str, list[str]]]:
    """The component's ``{rev, columns: {score: [n, ...]}}`` with statement ids."""
    if not isinstance(value, dict) or not isinstance(value.get("columns"), dict):
        raise ValueError("the grid could not be read")
    scores = {str(sc) for sc in p.definition.grid.scores}
    columns: dict[str, list[str]] = {}
    seen: set[int] = set()
    for score, numbers in value["columns"].items():
        if str(score) not in scores or not isinstance(numbers, list):
            raise ValueError("the grid names an unknown column")
        ids = []
        for n in numbers:
            n = int(n)
            if not 1 <= n <= len(p.order) or n in seen:
                raise ValueError("the grid names an unknown or repeated statement")
            seen.add(n)
            ids.append(p.statement_id(n))
        columns[str(score)] = ids
    return s.stamp(value)[1], columns


def save_draft(p: s.Participant, value: Any) -> bool:
    """Store an autosaved grid if it is newer than the server's copy; True if stored.

    Refused once the step has moved past the grid: the placement that counts
    is the one checked when Continue was pressed, and a late autosave (or a
    stale tab) must not change it behind the participant's back.
    """
    rev, columns = to_ids(p, value)
    piece = {"rev": rev, "ts": s.client_ts(value), "columns": columns}
    saved = p.saved_part("grid")                # also refreshes the step
    if p.step != "grid" or not s.is_newer(piece, saved):
        return False
    p.save(grid=piece)
    return True


def accept(p: s.Participant, value: Any) -> str | None:
    """Finish the grid: check it is complete and valid, then move on.

    Returns a message (in the participant's terms: neutral numbers, column
    scores) if the grid cannot be accepted.
    """
    rev, columns = to_ids(p, value)
    p.refresh()
    if p.step != "grid":
        # finished already (a second press, or another tab): keep what was accepted
        return None
    placements = {sid: int(score) for score, sids in columns.items() for sid in sids}
    problems = p.grid_problems(placements)
    if problems:
        return p.tr.gettext("The grid is not complete yet: {problems}.",
                            problems="; ".join(problems))
    piece = {"rev": rev, "ts": s.client_ts(value), "columns": columns}
    following = s.next_step(p, "grid")
    if following == "thanks":
        # A study without questions: the grid is the last step, so finishing it
        # submits (moving to "thanks" alone would thank for nothing stored).
        p.save(grid=piece)
        from .demographics import submit, user_agent
        return submit(p, user_agent())
    p.save(step=following, grid=piece)
    return None


def offer_way_back(p: s.Participant, back) -> None:
    """On the steps after the grid: if the stored grid is somehow not complete
    (it cannot be submitted), say what is missing and offer a way back to it.
    ``back`` saves the page's answers and moves to the grid."""
    problems = p.grid_problems(p.placements())
    if not problems:
        return
    _ = p.tr.gettext
    st.warning(_("Your grid is not complete: {problems}. Please go back to the grid and place "
                 "every statement; your answers here are kept.", problems="; ".join(problems)))
    st.button(_("Back to the grid"), key="qs_fix_grid", on_click=guarded(back, p.tr))


def view(p: s.Participant) -> None:
    defn = p.definition
    _ = p.tr.gettext
    st.title(_("Step 2: the grid") if "presort" in p.steps else _("Sort the statements"),
             anchor=False)
    show(defn.instruction)       # the condition of instruction, in sight while sorting

    sorting_component(p, KEY, REFUSED, save_draft, accept, mount=lambda **callbacks: qsort_grid(
        key=KEY, data=component_data(p), tr=p.tr, **callbacks))
