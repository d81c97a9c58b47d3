"""Choosing the defining sorts of each factor (flagging)."""
from __future__ import annotations

import warnings

import numpy as np

from .data import str_labels
from .errors import OptionError
from .options import FLAG_LEVELS, check_flag_level

__all__ = ["FLAG_LEVELS", "flag_threshold", "auto_flags", "negative_flags", "apply_manual",
           "warn_flag_issues"]


def flag_threshold(n_statements: int, p: float = 0.05) -> float:
    """Loading above which a sort loads significantly: z / sqrt(n)."""
    return FLAG_LEVELS[check_flag_level(p)] / np.sqrt(n_statements)


def auto_flags(L: np.ndarray, n_statements: int, *, p: float = 0.05,
               majority: bool = True) -> np.ndarray:
    """Automatic flags as qmethod's ``qflag`` sets them.

    The one implementation of the rule: the bootstrap calls it on a stack of
    resamples.

    Parameters
    ----------
    L : (N, k) final loadings, or a stack (..., N, k) (one solution per
        leading index)
    n_statements : n, for the significance threshold z/sqrt(n)
    p : 0.05 (qmethod, PQMethod) or 0.01 (Ken-Q option)
    majority : also require L_sf^2 > sum of the sort's other squared loadings
        (qmethod and PQMethod always do; Ken-Q lets it be switched off)

    Returns a bool array shaped like L. A sort can be flagged on a negative loading:
    it then enters the factor with a negative weight (it holds the mirror view).
    """
    L = np.asarray(L, dtype=float)
    sq = L ** 2
    flags = np.abs(L) > flag_threshold(n_statements, p)
    if majority:
        flags &= sq > (sq.sum(axis=-1, keepdims=True) - sq)
    return flags


def negative_flags(L: np.ndarray, flags: np.ndarray) -> list[tuple[int, int]]:
    """(sort, factor) positions flagged on a negative loading, for warnings."""
    return [tuple(map(int, x)) for x in np.argwhere(flags & (np.asarray(L) < 0))]


def apply_manual(flags: np.ndarray, manual: dict | None, ids, nfactors: int) -> np.ndarray:
    """Override automatic flags: ``manual`` maps participant id -> iterable of
    1-based factor numbers that sort defines (an empty list unflags it)."""
    if not manual:
        return flags
    out = flags.copy()
    index = {p: i for i, p in enumerate(str_labels(ids))}
    for pid, factors in manual.items():
        if str(pid) not in index:
            raise OptionError(f"manual flag for unknown participant {pid!r}")
        row = index[str(pid)]
        out[row, :] = False
        for f in factors:
            if not 1 <= int(f) <= nfactors:
                raise OptionError(f"manual flag for participant {pid!r} names factor {f}, "
                                  f"but there are {nfactors} factors")
            out[row, int(f) - 1] = True
    return out


#: Per-participant notes listed one by one; beyond this many of a kind, one
#: note counts the rest (a million sorts can hold thousands of them).
MAX_LISTED_NOTES = 10


def warn_flag_issues(L, flags, ids) -> list[str]:
    """Plain-words notes on flags a researcher should inspect (and warn them)."""
    L = np.asarray(L)
    notes = []
    negative = np.argwhere(flags & (L < 0))
    for s, f in negative[:MAX_LISTED_NOTES]:
        notes.append(f"participant {ids[s]!r} is flagged on f{f + 1} with a negative loading "
                     f"({L[s, f]:.2f}): it enters that factor as its mirror image")
    if len(negative) > MAX_LISTED_NOTES:
        notes.append(f"{len(negative) - MAX_LISTED_NOTES:,} more sorts are flagged with a "
                     "negative loading (see flags and loadings)")
    heywood = np.argwhere(flags & (np.abs(L) >= 1.0))
    for s, f in heywood[:MAX_LISTED_NOTES]:
        notes.append(f"participant {ids[s]!r} loads {L[s, f]:.3f} on f{f + 1} (a Heywood case, "
                     f"|loading| >= 1): it is weighted as if it loaded "
                     f"{np.sign(L[s, f]) * 0.99:+.2f}")
    if len(heywood) > MAX_LISTED_NOTES:
        notes.append(f"{len(heywood) - MAX_LISTED_NOTES:,} more flagged sorts are Heywood cases "
                     "(|loading| >= 1), weighted as if they loaded 0.99")
    empty = np.nonzero(~flags.any(axis=0))[0]
    for f in empty:
        notes.append(f"f{f + 1} has no flagged sort: it has no z-scores or factor array")
    for note in notes:
        warnings.warn(note, stacklevel=3)
    return notes
