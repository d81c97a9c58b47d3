"""qmethod: the Q-methodology analysis engine (pure Python, numpy and pandas).

One function per step of the method, plus :func:`analyze` for the whole
analysis and :class:`QResult` holding every table. Conventions follow the R
package qmethod 1.8.4 unless a docstring says otherwise.

Shapes: data are n statements x N Q-sorts; loadings N x k; z-scores n x k.
"""
__version__ = "0.1.0"

from . import io
from .analytic_rotation import rotate
from .characteristics import characteristics, factor_correlations, sed_matrix
from .correlation import correlation_factor, correlation_frame, correlation_matrix
from .data import QSortData, validate_sorts
from .distinguishing import distinguishing
from .errors import FormatError, GridError, InputError, OptionError, QMethodError
from .extraction import centroid, pca
from .flagging import auto_flags, flag_threshold
from .grid import Grid
from .options import ROTATIONS, AnalysisOptions
from .pipeline import analyze, extract_and_rotate, score
from .result import QResult, ResultInfo
from .rotation import RotationHistory, invert_factor, rotate_pair, varimax
from .scores import factor_array, factor_arrays, zscores

__all__ = [
    "FormatError", "GridError", "InputError", "OptionError", "QMethodError", "Grid",
    "QSortData", "validate_sorts", "correlation_factor", "correlation_frame",
    "correlation_matrix", "centroid", "pca", "RotationHistory", "invert_factor",
    "rotate_pair", "varimax", "auto_flags", "flag_threshold", "factor_array",
    "factor_arrays", "zscores", "characteristics", "factor_correlations", "sed_matrix",
    "distinguishing", "QResult", "ResultInfo", "analyze", "extract_and_rotate", "score", "io",
    "rotate", "ROTATIONS", "AnalysisOptions",
]
