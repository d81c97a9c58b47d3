"""Step 4: the grid. Cards start from the pre-sort piles; all moving happens
in the browser (webapp/components/qsort_grid); Python receives the draft every
few seconds and the final placement when the grid is complete."""
from __future__ import annotations

from typing import Any

import streamlit as st

from studies.errors import StudyError

from ..components.qsort_grid import qsort_grid
from . import presort as presort_step
from . import session as s
from .ui import flash, guarded

KEY = "qs_grid"
UNSORTED = {"id": "unsorted", "label": "Statements", "side": 0}


def column_labels(grid) -> list[str]:
    if grid.labels is not None:
        return list(grid.labels)
    low, high = grid.scores[0], grid.scores[-1]
    return ["Most disagree" if sc == low else "Most agree" if sc == high else ""
            for sc in grid.scores]


def component_data(p: s.Participant) -> dict[str, Any]:
    """Everything the grid component needs (texts by neutral number only)."""
    grid = p.definition.grid
    assigned = p.presort()
    piles = presort_step.piles(p) if p.definition.presort_piles else [UNSORTED]
    pile_ids = {x["id"] for x in piles}
    fallback = next((x["id"] for x in piles if x["side"] == 0), piles[0]["id"])
    draft = p.draft.get("grid") or {}
    return {
        "key": p.storage_key,
        "fingerprint": p.study.fingerprint,
        "cards": [{"n": i + 1, "text": p.text(sid),
                   "pile": assigned.get(sid) if assigned.get(sid) in pile_ids else fallback}
                  for i, sid in enumerate(p.order)],
        "piles": piles,
        "columns": [{"score": sc, "label": label, "capacity": h}
                    for sc, h, label in zip(grid.scores, grid.heights, column_labels(grid))],
        "draft": {"rev": int(draft.get("rev") or 0),
                  "columns": {score: [p.number(sid) for sid in sids]
                              for score, sids in p.columns().items()}},
        "saved_rev": int(draft.get("rev") or 0),
        "autosave_ms": s.AUTOSAVE_MS,
    }


def to_ids(p: s.Participant, value: Any) -> tuple[int, dict[str, list[str]]]:
    """The component's ``{rev, columns: {score: [n, ...]}}`` with statement ids."""
    if not isinstance(value, dict) or not isinstance(value.get("columns"), dict):
        raise ValueError("the grid could not be read")  # noqa: TRY004 - bad input, one error type
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
    return int(value.get("rev") or 0), columns


def save_draft(p: s.Participant, value: Any) -> None:
    rev, columns = to_ids(p, value)
    if rev <= p.saved_rev("grid"):
        return
    p.save(grid={"rev": rev, "columns": columns})


def accept(p: s.Participant, value: Any) -> str | None:
    """Finish the grid: check it is complete and valid, then move on."""
    rev, columns = to_ids(p, value)
    placements = {sid: int(score) for score, sids in columns.items() for sid in sids}
    try:
        p.definition.check_placements(placements, "your grid")
    except StudyError as exc:
        return "The grid is not complete yet: " + "; ".join(exc.problems)
    p.save(step=s.next_step(p, "grid"), grid={"rev": rev, "columns": columns})
    return None


def view(p: s.Participant) -> None:
    defn = p.definition
    st.title("Step 2: the grid" if "presort" in p.steps else "Sort the statements")
    with st.container(border=True):
        st.markdown(defn.instruction)

    def on_draft():
        save_draft(p, st.session_state[KEY].get("draft"))

    def on_done():
        problem = accept(p, st.session_state[KEY].get("done"))
        if problem:
            flash(problem)

    qsort_grid(key=KEY, data=component_data(p), on_draft_change=guarded(on_draft),
               on_done_change=guarded(on_done))
