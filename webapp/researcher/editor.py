"""The design page's editor: one section per part of a study (texts,
statements, grid, pre-sort piles, questions), each saving its changes to the
draft as they are made and showing the problems of its fields.

Widgets are keyed by study and a generation number: when the draft changes
in a way the widgets cannot follow (another tab, a new grid range, tidied
rows), the generation moves on and the widgets are drawn afresh from the draft.
"""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from studies.definition import ABOUT_VALUES, QUESTION_KINDS
from studies.drafting import column_labels, editable, suggested_grid
from webapp.participant.session import get_store

from . import actions, common

SCORE_LIMIT = 10
TEXTS = (("title", "Title", False, "Participants see it on every page."),
         ("description", "Description (optional)", True, "For researchers and the study list."),
         ("welcome", "Welcome", True, "The first page (Markdown)."),
         ("consent", "Information and consent", True, "Shown before the consent box (Markdown)."),
         ("instruction", "Condition of instruction", True, "What to think about while sorting."),
         ("thank_you", "Thank you", True, "The last page."))


def grid_figure(scores: list[int], heights: list[int], labels: list[str]) -> go.Figure:
    """The grid's shape: one bar per column (hover: its caption and height)."""
    captions = [labels[i] if i < len(labels) else "" for i in range(len(scores))]
    fig = go.Figure(go.Bar(x=[f"{s:+d}" if s else "0" for s in scores], y=heights,
                           text=heights, textposition="inside", customdata=captions,
                           hovertemplate="%{x}: %{customdata}<br>%{y} statements<extra></extra>",
                           marker_color="#4c78a8"))
    fig.update_layout(height=180, margin={"l": 10, "r": 10, "t": 10, "b": 10},
                      yaxis={"visible": False}, xaxis={"type": "category"}, showlegend=False)
    return fig


def gen(slug: str) -> int:
    return st.session_state.get(f"ws_gen_{slug}", 0)


def bump(slug: str) -> None:
    """Rebuild the editor's widgets from the draft (after a change that moves them)."""
    st.session_state[f"ws_gen_{slug}"] = gen(slug) + 1


def widget_key(slug: str, *parts) -> str:
    return "ws_d_" + "_".join(map(str, (slug, gen(slug), *parts)))


def fresh(slug: str, fallback: dict) -> dict:
    """The draft as the database has it now (another tab may have changed it)."""
    draft = get_store().study_draft(slug)
    return editable(draft.content) if draft is not None else dict(fallback)


def save(slug: str, content: dict) -> bool:
    return common.run(actions.save_draft, slug, content) is not None


def show_problems(problems, *prefix, rows: str | None = None) -> None:
    """The problems under ``prefix``, next to their field."""
    for p in problems:
        if p.under(*prefix):
            where = ""
            if rows and len(p.path) > len(prefix) and isinstance(p.path[len(prefix)], int):
                where = f"{rows} {p.path[len(prefix)] + 1}: "
            st.error(where + p.message, icon=":material/error:")


# -- texts ----------------------------------------------------------------------------
def texts_tab(slug: str, content: dict, problems) -> None:
    from .language_panel import language_panel  # (it imports this module)

    language_panel(slug, content)
    show_problems(problems, "language")
    for field, label, long, help_text in TEXTS:
        key = widget_key(slug, field)
        widget = st.text_area if long else st.text_input
        kwargs = {"height": 200 if field in ("welcome", "consent") else 100} if long else {}
        widget(label, value=content[field], key=key, help=help_text,
               on_change=_save_text, args=(slug, field, key, content), **kwargs)
        show_problems(problems, field)


def _save_text(slug: str, field: str, key: str, content: dict) -> None:
    current = fresh(slug, content)
    current[field] = st.session_state.get(key) or ""
    save(slug, current)


# -- tables (statements, piles, questions) -----------------------------------------------
def table_editor(slug: str, name: str, rows: list[dict], to_frame, from_frame, *,
                 column_config: dict, content: dict, field: str) -> None:
    """A table of ``rows`` saved to ``content[field]`` as cells are committed.

    The editor's input stays the frame it was built from while its edits
    live in the widget; it is rebuilt (new key) when the draft changed
    elsewhere, or when saving tidied the rows (new ids, new order).
    """
    base_key, seen_key = widget_key(slug, name, "base"), widget_key(slug, name, "seen")
    if base_key not in st.session_state:
        st.session_state[base_key] = to_frame(rows)
        st.session_state[seen_key] = rows
    edited = st.data_editor(st.session_state[base_key], key=widget_key(slug, name), num_rows="dynamic",
                            hide_index=True, width="stretch", column_config=column_config)
    out, tidied = from_frame(edited)
    if out == rows:
        return
    if st.session_state[seen_key] != rows:      # changed in another tab: show that instead
        bump(slug)
        st.rerun()
    current = fresh(slug, content)
    current[field] = out
    if save(slug, current):
        st.session_state[seen_key] = out
        if tidied:
            bump(slug)
    st.rerun()


def statements_tab(slug: str, content: dict, problems) -> None:
    rows = content["statements"]
    extra = st.session_state.setdefault(f"ws_tags_{slug}", [])
    tags = sorted({t for s in rows for t in s["tags"]} | set(extra))
    st.markdown("One row per statement. Add rows at the bottom; delete a row by selecting it; "
                "change **#** to move a statement. Ids are for you (participants see neutral "
                "numbers); tags record the design and are never shown.")

    def to_frame(items):
        return _frame({"#": (list(range(1, len(items) + 1)), "Int64"),
                       "id": [s["id"] for s in items], "text": [s["text"] for s in items],
                       **{f"tag: {t}": [s["tags"].get(t, "") for s in items] for t in tags}})

    def from_frame(frame):
        return statements_from_frame(frame, tags)

    config = {"#": st.column_config.NumberColumn("#", min_value=1, step=1, width="small"),
              "id": st.column_config.TextColumn("id", width="small"),
              "text": st.column_config.TextColumn("text", width="large")}
    table_editor(slug, "statements", rows, to_frame, from_frame, column_config=config,
                 content=content, field="statements")
    show_problems(problems, "statements", rows="Statement")
    with st.form(widget_key(slug, "newtag"), border=False, clear_on_submit=True):
        cols = st.columns([3, 1])
        name = cols[0].text_input("New tag column", placeholder="e.g. perspective",
                                  label_visibility="collapsed")
        if cols[1].form_submit_button("Add a tag column") and name.strip():
            extra.append(" ".join(name.split()))
            bump(slug)
            st.rerun()


def statements_from_frame(frame: pd.DataFrame, tags: list[str]) -> tuple[list[dict], bool]:
    """The statements in a table (``#``, ``id``, ``text``, ``tag: <name>``...):
    ordered by ``#`` (a row moved to a place goes before the row there), empty
    rows dropped, missing ids made up. Returns (statements, whether the
    table must be redrawn because of that tidying)."""
    records = []
    for pos, row in enumerate(frame.to_dict("records")):
        sid, text = _cell(row.get("id")), _cell(row.get("text"))
        tag_values = {t: _cell(row.get(f"tag: {t}")) for t in tags}
        if not sid and not text and not any(tag_values.values()):
            continue
        wanted = row.get("#")
        try:
            wanted = float(wanted)
            wanted = pos + 1 if wanted != wanted else wanted        # NaN: a new row
        except (TypeError, ValueError):
            wanted = pos + 1
        moved = 0 if wanted != pos + 1 else 1
        records.append(((wanted, moved, pos), {"id": sid, "text": text,
                                               "tags": {t: v for t, v in tag_values.items() if v}}))
    order = sorted(range(len(records)), key=lambda i: records[i][0])
    ordered = [records[i][1] for i in order]
    used = {r["id"] for r in ordered if r["id"]}
    # redraw when the rows moved, or their numbers are no longer 1, 2, 3...
    tidied = order != list(range(len(records))) or \
        any(records[i][0][0] != k + 1 for k, i in enumerate(order))
    prefix = _id_prefix(used)
    counter = len(ordered)
    for r in ordered:
        if not r["id"]:
            counter += 1
            while f"{prefix}{counter}" in used:
                counter += 1
            r["id"] = f"{prefix}{counter}"
            used.add(r["id"])
            tidied = True
    return ordered, tidied


def _frame(columns: dict) -> pd.DataFrame:
    """A table for the editor: each column a list (text) or (list, dtype), so
    that an empty table still has the right column types."""
    specs = {name: spec if isinstance(spec, tuple) else (spec, "object")
             for name, spec in columns.items()}
    return pd.DataFrame({name: pd.Series(values, dtype=dtype)
                         for name, (values, dtype) in specs.items()})


def _cell(value) -> str:
    """A cell as one line of text ('' for an empty cell, whatever marks it empty)."""
    try:
        if value is None or bool(pd.isna(value)):
            return ""
    except (TypeError, ValueError):
        pass
    return " ".join(str(value).split())


def _id_prefix(ids: set[str]) -> str:
    """The letters most ids start with (``s`` by default), for new ids."""
    heads = [i.rstrip("0123456789") for i in ids]
    return max(set(heads), key=heads.count) if heads and all(heads) else "s"


def piles_tab(slug: str, content: dict, problems) -> None:
    st.markdown("Before the grid, participants put each statement on one of these piles "
                "(most studies use disagree, neutral and agree). Delete every row for no pre-sort.")

    def to_frame(items):
        return _frame({"id": [p["id"] for p in items], "label": [p["label"] for p in items]})

    def from_frame(frame):
        out = [{"id": _cell(r.get("id")), "label": _cell(r.get("label"))}
               for r in frame.to_dict("records")]
        return [p for p in out if p["id"] or p["label"]], False

    table_editor(slug, "piles", content["presort_piles"], to_frame, from_frame,
                 column_config={"id": st.column_config.TextColumn("id"),
                                "label": st.column_config.TextColumn("label", width="large")},
                 content=content, field="presort_piles")
    show_problems(problems, "presort_piles", rows="Pile")


def questions_tab(slug: str, content: dict, problems) -> None:
    for field, title, about in (("postsort_questions", "After the grid", True),
                                ("demographic_questions", "About the participant", False)):
        st.markdown(f"**{title}**" + (" (an *about* question shows the statements placed at "
                                       "that end of the grid)" if about else ""))

        def to_frame(items, about=about):
            data = {"id": [q["id"] for q in items], "text": [q["text"] for q in items],
                    "kind": [q["kind"] for q in items],
                    "options": ["; ".join(q["options"]) for q in items],
                    "required": ([bool(q["required"]) for q in items], "bool")}
            if about:
                data["about"] = [q["about"] or "" for q in items]
            return _frame(data)

        def from_frame(frame, about=about):
            out = []
            for r in frame.to_dict("records"):
                q = {"id": _cell(r.get("id")), "text": _cell(r.get("text")),
                     "kind": _cell(r.get("kind")) or "text",
                     "options": [o.strip() for o in _cell(r.get("options")).split(";") if o.strip()],
                     "required": _cell(r.get("required")) in ("True", "true", "1"),
                     "about": (_cell(r.get("about")) or None) if about else None}
                if q["id"] or q["text"]:
                    out.append(q)
            return out, False

        config = {"id": st.column_config.TextColumn("id", width="small"),
                  "text": st.column_config.TextColumn("question", width="large"),
                  "kind": st.column_config.SelectboxColumn("kind", options=list(QUESTION_KINDS),
                                                           required=True, default="text"),
                  "options": st.column_config.TextColumn("options (choice; separated; by ;)"),
                  "required": st.column_config.CheckboxColumn("required", default=False)}
        if about:
            config["about"] = st.column_config.SelectboxColumn("about", options=["", *ABOUT_VALUES])
        table_editor(slug, field, content[field], to_frame, from_frame, column_config=config,
                     content=content, field=field)
        show_problems(problems, field, rows="Question")


# -- the grid ---------------------------------------------------------------------------
def grid_tab(slug: str, content: dict, problems) -> None:
    g = content["grid"]
    n = len(content["statements"])
    low, high = g["low"], g["high"]
    scores = list(range(low, high + 1))
    heights = (g["heights"] + [0] * len(scores))[:len(scores)]
    labels = (g["labels"] + [""] * len(scores))[:len(scores)]
    st.markdown("How many statements each column holds, from most disagree to most agree. "
                "The heights must add up to the number of statements.")
    cols = st.columns([1, 1, 2])
    lo_key, hi_key = widget_key(slug, "grid_low"), widget_key(slug, "grid_high")
    cols[0].number_input("Lowest score", min_value=-SCORE_LIMIT, max_value=0, value=min(low, 0),
                         step=1, key=lo_key, on_change=_grid_range, args=(slug, lo_key, hi_key, content))
    cols[1].number_input("Highest score", min_value=0, max_value=SCORE_LIMIT, value=max(high, 0),
                         step=1, key=hi_key, on_change=_grid_range, args=(slug, lo_key, hi_key, content))
    if n >= 2:
        suggestion = suggested_grid(n)
        cols[2].button(f"Use the suggested shape for {n} statements "
                       f"({', '.join(map(str, suggestion['heights']))})", key=widget_key(slug, "suggest"),
                       on_click=_suggest, args=(slug, content))
    total = sum(heights)
    hcols = st.columns(len(scores)) if scores else []
    for i, (score, col) in enumerate(zip(scores, hcols)):
        col.number_input(f"{score:+d}" if score else "0", min_value=0, max_value=1000,
                         value=max(0, int(heights[i])), step=1, key=widget_key(slug, "h", score),
                         on_change=_grid_cells, args=(slug, scores, content))
        col.text_input(f"Caption {score:+d}", value=labels[i], key=widget_key(slug, "l", score),
                       label_visibility="collapsed", on_change=_grid_cells, args=(slug, scores, content),
                       placeholder="caption")
    if total == n and n:
        st.success(f"The columns hold {total} places, one for each of the {n} statements.",
                   icon=":material/check:")
    show_problems(problems, "grid")     # a wrong total among them, in the loader's words
    st.plotly_chart(grid_figure(scores, heights, labels), key=widget_key(slug, "grid_fig"))


def _grid_range(slug: str, lo_key: str, hi_key: str, content: dict) -> None:
    current = fresh(slug, content)
    g = current["grid"]
    low, high = int(st.session_state[lo_key]), int(st.session_state[hi_key])
    old = dict(zip(range(g["low"], g["high"] + 1), zip(g["heights"] + [0] * 99, g["labels"] + [""] * 99)))
    defaults = column_labels(low, high)
    scores = list(range(low, high + 1))
    current["grid"] = {"low": low, "high": high,
                       "heights": [old.get(s, (0, ""))[0] for s in scores],
                       "labels": [old[s][1] if s in old and old[s][1] else defaults[i]
                                  for i, s in enumerate(scores)]}
    if save(slug, current):
        bump(slug)


def _grid_cells(slug: str, scores: list[int], content: dict) -> None:
    current = fresh(slug, content)
    current["grid"] = {"low": scores[0], "high": scores[-1],
                       "heights": [int(st.session_state.get(widget_key(slug, "h", s)) or 0) for s in scores],
                       "labels": [str(st.session_state.get(widget_key(slug, "l", s)) or "").strip()
                                  for s in scores]}
    save(slug, current)


def _suggest(slug: str, content: dict) -> None:
    current = fresh(slug, content)
    current["grid"] = suggested_grid(len(current["statements"]))
    if save(slug, current):
        bump(slug)
