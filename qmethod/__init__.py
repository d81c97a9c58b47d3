"""qmethod: the Q-methodology analysis engine (pure Python, numpy and pandas).

One function per step of the method, plus :func:`analyze` for the whole
analysis and :class:`QResult` holding every table. Conventions follow the R
package qmethod 1.8.4 unless a docstring says otherwise.

Shapes: data are n statements x N Q-sorts; loadings N x k; z-scores n x k.
"""
__version__ = "0.1.0"

from .errors import FormatError, GridError, InputError, OptionError, QMethodError  # noqa: E402
from .grid import Grid  # noqa: E402
from .data import QSortData, validate_sorts  # noqa: E402
from .correlation import correlation_factor, correlation_frame, correlation_matrix  # noqa: E402
from .extraction import centroid, pca  # noqa: E402
from .rotation import RotationHistory, invert_factor, rotate_pair, varimax  # noqa: E402
from .flagging import auto_flags, flag_threshold  # noqa: E402
from .scores import factor_array, factor_arrays, zscores  # noqa: E402
from .characteristics import characteristics, factor_correlations, sed_matrix  # noqa: E402
from .distinguishing import distinguishing  # noqa: E402
from .result import QResult  # noqa: E402
from .pipeline import analyze, extract_and_rotate, score  # noqa: E402
from . import io  # noqa: E402

__all__ = [
    "FormatError", "GridError", "InputError", "OptionError", "QMethodError", "Grid",
    "QSortData", "validate_sorts", "correlation_factor", "correlation_frame",
    "correlation_matrix", "centroid", "pca", "RotationHistory", "invert_factor",
    "rotate_pair", "varimax", "auto_flags", "flag_threshold", "factor_array",
    "factor_arrays", "zscores", "characteristics", "factor_correlations", "sed_matrix",
    "distinguishing", "QResult", "analyze", "extract_and_rotate", "score", "io",
]
