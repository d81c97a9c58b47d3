"""Does a Q-sort fit its study's grid? The one rule, answering with data.

:func:`sort_problems` is what :meth:`StudyDefinition.check_placements` (the
importers, the storage layer's check of every submission) and the participant
pages (which word the same problems in the participant's terms: neutral
numbers, never ids) both call, so the rule cannot drift between them.
"""
from __future__ import annotations

import numbers
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from .errors import ColumnCount, Problem

if TYPE_CHECKING:
    from .definition import StudyDefinition


def is_whole(value: Any) -> bool:
    """An integer (numpy's too), not a bool."""
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def id_list(ids: tuple[str, ...] | list[str], limit: int = 12) -> str:
    """``'c01', 'c02' and 3 more``: ids for a researcher's message."""
    shown = ", ".join(repr(i) for i in ids[:limit])
    return shown + (f" and {len(ids) - limit} more" if len(ids) > limit else "")


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'s' if n != 1 else ''}"


def sort_problems(defn: StudyDefinition, placements: Any, who: str = "the Q-sort") -> list[Problem]:
    """Everything that keeps ``placements`` ({statement_id: score}) from filling the grid.

    Every statement of ``defn`` must be placed once, with a whole-number
    score, and the scores must fill each column exactly. Returns an empty list
    for a sort that fits; otherwise, in this order: unknown statements,
    unplaced ones, scores that are not whole numbers (one problem each), and
    one ``grid`` problem with the columns that are over or under full. While
    statements are unplaced, unknown or unscored, under-full columns are only
    a consequence and are left out (an over-full column is still reported).
    Messages (for researchers) name ``who``; see :class:`Problem` for the codes.
    """
    if not isinstance(placements, Mapping):
        return [Problem("placements_unreadable",
                        f"{who}: placements must map statement ids to scores, "
                        f"not {type(placements).__name__}")]
    ids = defn.statement_ids()
    known = set(ids)
    problems: list[Problem] = []
    unknown = tuple(str(k) for k in placements if k not in known)
    missing = tuple(i for i in ids if i not in placements)
    if unknown:
        problems.append(Problem("unknown_statements", f"{who} places "
                                f"{_plural(len(unknown), 'unknown statement')}: {id_list(unknown)}",
                                statements=unknown))
    if missing:
        problems.append(Problem("unplaced", f"{who} leaves {_plural(len(missing), 'statement')} "
                                f"unplaced: {id_list(missing)}", statements=missing))
    for k, v in placements.items():
        if k in known and not is_whole(v):
            problems.append(Problem("not_whole", f"{who} gives statement {k!r} the score {v!r}, "
                                    f"which is not a whole number", statements=(k,),
                                    value=repr(v)[:20]))

    placed: dict[int, list[str]] = {}
    for sid in ids:
        if sid in placements and is_whole(placements[sid]):
            placed.setdefault(int(placements[sid]), []).append(sid)
    grid = defn.grid
    columns = [ColumnCount(score, len(placed[score]), 0, False, tuple(placed[score]))
               for score in sorted(set(placed) - set(grid.scores))]
    for score, room in zip(grid.scores, grid.heights):
        got = tuple(placed.get(score, ()))
        if len(got) > room or (len(got) < room and not problems):
            columns.append(ColumnCount(score, len(got), room, True, got))
    if columns:
        problems.append(Problem("grid", f"{who} does not follow the grid: "
                                + "; ".join(_column_text(c) for c in columns),
                                columns=tuple(columns)))
    return problems


def _column_text(c: ColumnCount) -> str:
    # the wording of qmethod.grid.Grid.deviations, so importers and the
    # platform describe a misfit alike
    if not c.on_grid:
        return f"score {c.score:+d} is not a column of the grid ({_plural(c.count, 'statement')})"
    name = f"{c.score:+d}" if c.score else "0"
    if c.count > c.room:
        return f"column {name} holds {c.count} statements, {c.count - c.room} over its {c.room}"
    return f"column {name} holds {c.count} statements, {c.room - c.count} under its {c.room}"
