"""The analysis options, checked in one place before any work starts.

:class:`AnalysisOptions` is what :func:`qmethod.analyze`, the bootstrap and
the command line accept; building one checks every option (names, ranges,
combinations) and raises :class:`~qmethod.errors.OptionError` with a one-line
message, so that a typo fails at once instead of after reading a large file.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .errors import OptionError

EXTRACTIONS = ("pca", "centroid")
#: Rotations qmethod 1.8.4 offers after PCA (through psych::principal).
ROTATIONS = ("varimax", "none", "quartimax", "equamax", "promax", "oblimin")
#: Oblique rotations: the loadings are the pattern matrix and the factors correlate.
OBLIQUE_ROTATIONS = ("promax", "oblimin")
#: Rotations qmethod accepts after centroid extraction (it refuses the others).
CENTROID_ROTATIONS = ("varimax", "none")
CORRELATIONS = ("pearson", "spearman", "kendall")
TIES = ("qmethod", "grid")
#: z values of the two-sided significance levels used for flagging.
FLAG_LEVELS = {0.05: 1.96, 0.01: 2.58}


def _choice(value, allowed: tuple[str, ...], what: str) -> str:
    v = str(value).lower()
    if v not in allowed:
        raise OptionError(f"unknown {what} {value!r}; choose one of {', '.join(allowed)}")
    return v


def check_extraction(value) -> str:
    return _choice(value, EXTRACTIONS, "extraction")


def check_rotation(value, extraction: str = "pca") -> str:
    """The rotation's name (lower case); refuses an analytic rotation other
    than varimax after centroid extraction, as qmethod does."""
    rotation = _choice(value, ROTATIONS, "rotation")
    if check_extraction(extraction) == "centroid" and rotation not in CENTROID_ROTATIONS:
        raise OptionError(f"rotation {rotation!r} is offered after PCA only; after centroid "
                          f"extraction use {' or '.join(CENTROID_ROTATIONS)} (as qmethod does)")
    return rotation


def check_correlation(value) -> str:
    return _choice(value, CORRELATIONS, "correlation")


def check_ties(value) -> str:
    return _choice(value, TIES, "ties rule")


def check_flag_level(value) -> float:
    try:
        p = float(value)
    except (TypeError, ValueError):
        p = None
    if p not in FLAG_LEVELS or isinstance(value, bool):
        raise OptionError(f"flagging level must be one of {sorted(FLAG_LEVELS)}, got {value!r}")
    return p


def check_nfactors(value) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise OptionError(f"the number of factors must be a whole number, not {value!r}")
    if value < 1:
        raise OptionError(f"the number of factors must be at least 1 (got {value})")
    return int(value)


def check_bool(value, what: str) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise OptionError(f"{what} must be True or False, not {value!r}")
    return bool(value)


def rotation_note(rotation: str) -> str | None:
    """One line for rotations that are not standard in Q studies, else None."""
    if rotation in ("varimax", "none", "supplied"):
        return None
    if rotation in OBLIQUE_ROTATIONS:
        return (f"{rotation} is an oblique rotation, not standard in Q studies: the loadings are "
                "the pattern matrix and the factors correlate (Phi: rotation_factor_correlations)")
    return f"{rotation} is not standard in Q studies, which use varimax or judgmental rotation"


@dataclass(frozen=True)
class AnalysisOptions:
    """Every option of one analysis, checked when built.

    Attributes
    ----------
    nfactors : k >= 1 (checked against the number of sorts once the data are read)
    extraction : 'pca' or 'centroid'
    rotation : one of ``ROTATIONS``; after centroid only 'varimax' or 'none'
    correlation : 'pearson', 'spearman' or 'kendall'
    forced : the sorts follow the grid
    flag_level : 0.05 or 0.01
    majority : the flagging majority rule
    ties : 'qmethod' or 'grid' (factor arrays of tied z-scores)
    """

    nfactors: int
    extraction: str = "pca"
    rotation: str = "varimax"
    correlation: str = "pearson"
    forced: bool = True
    flag_level: float = 0.05
    majority: bool = True
    ties: str = "qmethod"

    def __post_init__(self):
        put = object.__setattr__  # frozen: normalise the values once, here
        put(self, "nfactors", check_nfactors(self.nfactors))
        put(self, "extraction", check_extraction(self.extraction))
        put(self, "rotation", check_rotation(self.rotation, self.extraction))
        put(self, "correlation", check_correlation(self.correlation))
        put(self, "forced", check_bool(self.forced, "forced"))
        put(self, "flag_level", check_flag_level(self.flag_level))
        put(self, "majority", check_bool(self.majority, "majority"))
        put(self, "ties", check_ties(self.ties))

    @property
    def oblique(self) -> bool:
        return self.rotation in OBLIQUE_ROTATIONS

    @property
    def note(self) -> str | None:
        """The one-line warning for a non-standard rotation, or None."""
        return rotation_note(self.rotation)
