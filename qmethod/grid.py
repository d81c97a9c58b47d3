"""The Q-sort grid (the forced quasi-normal distribution).

A grid is a list of columns, each a score (e.g. -4..+4) with a height (how
many statements go into it). It is the one place that knows how to check a
Q-sort against the grid, so the importers, the storage layer and the web app
all give the same error messages.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

from .errors import GridError, InputError

#: Largest magnitude of a grid score: every grid lies within -20..+20, so it has
#: at most 41 columns (Q grids have about 7 to 13). The bound is checked before a
#: range is built, so a typo like -100000000..100000000 costs nothing, and data
#: with scores up to +-1,000,000 cannot turn into a grid of two million columns.
MAX_GRID_SCORE = 20
MAX_GRID_COLUMNS = 2 * MAX_GRID_SCORE + 1


def grid_bound_problem(low: int, high: int) -> str | None:
    """Why scores ``low..high`` cannot be a grid (None when they can): the one
    wording of the width bound, shared by the grid, the study loader and the CLI."""
    worst = max(abs(int(low)), abs(int(high)))
    if worst <= MAX_GRID_SCORE:
        return None
    return (f"grid score {int(low) if abs(int(low)) == worst else int(high):+d} is out of range: "
            f"grid scores must lie within -{MAX_GRID_SCORE}..+{MAX_GRID_SCORE} "
            f"(at most {MAX_GRID_COLUMNS} columns)")


def check_grid_bounds(low: int, high: int) -> None:
    """GridError when ``low..high`` goes beyond :data:`MAX_GRID_SCORE`."""
    problem = grid_bound_problem(low, high)
    if problem:
        raise GridError(problem)


@dataclass(frozen=True)
class Grid:
    """Columns of a Q-sort grid.

    Parameters
    ----------
    scores : sequence of int, ascending
        The score of each column, most disagree first (e.g. ``-4 .. 4``).
    heights : sequence of int, same length
        How many statements each column holds; their sum is the number of
        statements n.
    labels : optional sequence of str
        Column captions shown to participants ("Most disagree" ...).
    """

    scores: tuple[int, ...]
    heights: tuple[int, ...]
    labels: tuple[str, ...] | None = field(default=None, compare=False)

    def __post_init__(self):
        scores = tuple(int(s) for s in self.scores)
        heights = tuple(int(h) for h in self.heights)
        object.__setattr__(self, "scores", scores)
        object.__setattr__(self, "heights", heights)
        if self.labels is not None:
            object.__setattr__(self, "labels", tuple(str(x) for x in self.labels))
        if len(scores) == 0:
            raise GridError("the grid has no columns")
        if len(scores) != len(heights):
            raise GridError(
                f"the grid has {len(scores)} column scores but {len(heights)} column heights")
        check_grid_bounds(min(scores), max(scores))
        if list(scores) != sorted(set(scores)):
            raise GridError("grid column scores must be distinct and ascending")
        if any(h < 0 for h in heights):
            raise GridError("grid column heights cannot be negative")
        if sum(heights) < 2:
            raise GridError("the grid must hold at least 2 statements")
        if self.labels is not None and len(self.labels) != len(scores):
            raise GridError(
                f"the grid has {len(scores)} columns but {len(self.labels)} column labels")

    # -- construction -------------------------------------------------
    @classmethod
    def from_range(cls, low: int, high: int, heights: Sequence[int],
                   labels: Sequence[str] | None = None) -> "Grid":
        """Grid with consecutive scores ``low..high`` and the given heights."""
        check_grid_bounds(low, high)   # before the range is built
        scores = list(range(int(low), int(high) + 1))
        if len(scores) != len(heights):
            raise GridError(
                f"the grid runs from {low} to {high} ({len(scores)} columns) "
                f"but {len(heights)} column heights were given")
        return cls(tuple(scores), tuple(heights), None if labels is None else tuple(labels))

    @classmethod
    def from_values(cls, values: Iterable[int]) -> "Grid":
        """Grid whose multiset of scores is ``values`` (e.g. one forced Q-sort).

        Columns between the lowest and highest score that hold no statement are
        kept with height 0 so the grid stays a contiguous range when it is one.
        """
        counts = Counter(int(v) for v in values)
        if not counts:
            raise GridError("cannot build a grid from no values")
        lo, hi = min(counts), max(counts)
        check_grid_bounds(lo, hi)   # before the range is built
        scores = tuple(range(lo, hi + 1))
        return cls(scores, tuple(counts.get(s, 0) for s in scores))

    # -- views ----------------------------------------------------------
    @property
    def n_statements(self) -> int:
        return int(sum(self.heights))

    def distribution(self) -> np.ndarray:
        """All n grid values in ascending order, shape (n,), dtype int."""
        return np.repeat(np.asarray(self.scores, dtype=int), self.heights)

    def column_label(self, score: int) -> str:
        if self.labels is None:
            return f"{score:+d}" if score else "0"
        return self.labels[self.scores.index(score)]

    def to_dict(self) -> dict:
        d = {"scores": list(self.scores), "heights": list(self.heights)}
        if self.labels is not None:
            d["labels"] = list(self.labels)
        return d

    @classmethod
    def from_dict(cls, d: dict) -> "Grid":
        return cls(tuple(d["scores"]), tuple(d["heights"]),
                   None if d.get("labels") is None else tuple(d["labels"]))

    # -- checks -----------------------------------------------------------
    def deviations(self, values: Iterable[int]) -> list[str]:
        """Human-readable list of how ``values`` break the grid (empty if they fit).

        Each item names the column and by how much it is over or under full,
        e.g. ``"column +3 holds 4 statements, 1 over its 3"``.
        """
        counts = Counter(int(v) for v in values)
        problems = []
        for score in sorted(set(counts) - set(self.scores)):
            problems.append(f"score {score:+d} is not a column of the grid "
                            f"({counts[score]} statement{'s' if counts[score] != 1 else ''})")
        for score, height in zip(self.scores, self.heights):
            got = counts.get(score, 0)
            name = f"{score:+d}" if score else "0"
            if got > height:
                problems.append(f"column {name} holds {got} statements, {got - height} over its {height}")
            elif got < height:
                problems.append(f"column {name} holds {got} statements, {height - got} under its {height}")
        return problems

    def check_sort(self, values: Sequence[int], who: str = "the Q-sort") -> None:
        """Raise :class:`GridError` naming ``who`` and each over/under-full column."""
        values = list(values)
        if len(values) != self.n_statements:
            raise GridError(f"{who} places {len(values)} statements but the grid holds "
                            f"{self.n_statements}")
        problems = self.deviations(values)
        if problems:
            raise GridError(f"{who} does not follow the grid: " + "; ".join(problems))


def check_forced(sorts: np.ndarray, ids: Sequence[str], grid: Grid) -> None:
    """Check every column of ``sorts`` (n x N) against ``grid``.

    The error names every deviating participant (up to ten) and how each
    deviates, so a researcher can fix the data in one pass.
    """
    n = sorts.shape[0]
    if n != grid.n_statements:
        raise GridError(f"the data have {n} statements but the grid holds {grid.n_statements}")
    expected = grid.distribution()
    # Each sort, sorted, must be the grid's distribution. Sorted a block of
    # sorts at a time, each block turned so a sort is a contiguous row: sorting
    # the columns of the whole C-ordered table walks memory with a stride of N
    # (seconds at a million sorts).
    N = sorts.shape[1]
    wrong = np.zeros(N, dtype=bool)
    step = max(1, 2 ** 18 // max(n, 1))
    for lo in range(0, N, step):
        block = np.sort(np.ascontiguousarray(sorts[:, lo:lo + step].T), axis=1)
        wrong[lo:lo + step] = (block != expected).any(axis=1)
    bad = np.flatnonzero(wrong)
    if bad.size == 0:
        return
    lines = [f"participant {ids[j]!r}: " + "; ".join(grid.deviations(sorts[:, j]))
             for j in bad[:10]]
    more = f" (and {bad.size - 10} more)" if bad.size > 10 else ""
    raise GridError(f"{bad.size} Q-sort{'s do' if bad.size != 1 else ' does'} not follow the "
                    f"forced grid{more}: " + " | ".join(lines))


def require_int_values(values: Iterable, what: str) -> list[int]:
    out = []
    for v in values:
        try:
            f = float(v)
        except (TypeError, ValueError):
            raise InputError(f"{what}: {v!r} is not a number") from None
        if not np.isfinite(f) or f != int(f):
            raise InputError(f"{what}: {v!r} is not a whole number")
        out.append(int(f))
    return out
