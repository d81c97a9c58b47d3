"""The analysis page's state as plain data, and its result computed from it.

No Streamlit here (tests call it directly). :class:`Settings` is what a run
is made of besides its data: the analysis options, the judgmental rotation
steps (:class:`qmethod.RotationHistory` steps) and the manual flags.
:func:`compute` gives exactly :func:`qmethod.analyze`'s result for the same
settings (a test checks it to 1e-12), but keeps the extraction in a cache so
that a rotation step or a flag only redoes the rescoring (:func:`qmethod.score`).
"""
from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

import qmethod as qm
from qmethod.analysis_file import data_fingerprint
from qmethod.data import QSortData, validate_sorts
from qmethod.errors import OptionError
from qmethod.flagging import apply_manual
from qmethod.options import AnalysisOptions

#: results kept per page session (each a few tables; rotation steps add one each)
RESULTS_KEPT = 24
EXTRACTIONS_KEPT = 6


@dataclass(frozen=True)
class Dataset:
    """The Q-sorts a page analyses.

    sorts : (n statements, N participants) int grid scores
    statements : statement texts by id, or None
    grid : the study's grid (None: taken from the first sort, as the engine does)
    source : ``"study"`` or ``"upload"``; label : what the page calls it
    fingerprint : :func:`qmethod.analysis_file.data_fingerprint` of sorts and grid
    """

    sorts: pd.DataFrame
    statements: pd.Series | None
    grid: qm.Grid | None
    source: str
    label: str
    fingerprint: str

    @classmethod
    def of(cls, data: QSortData, source: str, label: str, grid: qm.Grid | None = None) -> "Dataset":
        grid = grid or data.grid
        return cls(data.sorts, data.statements, grid, source, label,
                   data_fingerprint(data.sorts, grid))

    def qsortdata(self) -> QSortData:
        return QSortData(self.sorts, self.statements, self.grid)

    def texts(self) -> dict[str, str]:
        if self.statements is None:
            return {}
        return {str(k): str(v) for k, v in self.statements.items()}


@dataclass(frozen=True)
class Settings:
    """One analysis: options, judgmental steps (0-based factor numbers, as
    :class:`qmethod.RotationHistory`) and manual flags (participant id ->
    1-based factors, as :func:`qmethod.analyze`'s ``manual_flags``)."""

    nfactors: int = 3
    extraction: str = "pca"
    rotation: str = "varimax"
    correlation: str = "pearson"
    steps: tuple = ()
    manual: tuple = ()          # ((participant, (factor, ...)), ...) sorted by participant
    redo: tuple = field(default=(), compare=False)   # undone steps, newest last (not part of a run)

    @property
    def history(self) -> qm.RotationHistory:
        return qm.RotationHistory([tuple(s) for s in self.steps])

    @property
    def manual_flags(self) -> dict[str, list[int]]:
        return {pid: list(fs) for pid, fs in self.manual}

    def options(self) -> dict:
        return {"nfactors": self.nfactors, "extraction": self.extraction,
                "rotation": self.rotation, "correlation": self.correlation}

    def with_options(self, **options) -> "Settings":
        """New options; the rotation steps and manual flags refer to the old
        factors, so they are dropped when anything changes."""
        new = replace(self, **options)
        if new.options() == self.options():
            return self
        return replace(new, steps=(), manual=(), redo=())

    # -- judgmental rotation ------------------------------------------------------
    def rotate(self, i: int, j: int, degrees: float) -> "Settings":
        step = tuple(self.history.rotate(i, j, degrees).steps[-1])
        return replace(self, steps=self.steps + (step,), redo=())

    def invert(self, f: int) -> "Settings":
        step = tuple(self.history.invert(f).steps[-1])
        return replace(self, steps=self.steps + (step,), redo=())

    def undo(self) -> "Settings":
        if not self.steps:
            return self
        return replace(self, steps=self.steps[:-1], redo=self.redo + (self.steps[-1],))

    def redo_step(self) -> "Settings":
        if not self.redo:
            return self
        return replace(self, steps=self.steps + (self.redo[-1],), redo=self.redo[:-1])

    # -- flags ------------------------------------------------------------------
    def with_flags(self, participant: str, factors, automatic) -> "Settings":
        """Participant's flags set to ``factors`` (1-based); kept as a manual
        flag only when they differ from the ``automatic`` ones (1-based)."""
        manual = dict(self.manual)
        factors = tuple(sorted(int(f) for f in factors))
        if factors == tuple(sorted(int(f) for f in automatic)):
            manual.pop(str(participant), None)
        else:
            manual[str(participant)] = factors
        return replace(self, manual=tuple(sorted(manual.items())))

    def to_dict(self) -> dict:
        """JSON-safe: options, ``rotation_steps`` and ``manual_flags``."""
        return {**self.options(), "rotation_steps": [list(s) for s in self.steps],
                "manual_flags": self.manual_flags}

    @classmethod
    def from_dict(cls, d: dict) -> "Settings":
        steps = tuple(tuple(s) for s in d.get("rotation_steps") or d.get("judgmental_steps") or ())
        manual = tuple(sorted((str(p), tuple(int(f) for f in fs))
                              for p, fs in (d.get("manual_flags") or {}).items()))
        return cls(int(d.get("nfactors", 3)), str(d.get("extraction", "pca")),
                   str(d.get("rotation", "varimax")), str(d.get("correlation", "pearson")),
                   steps, manual)


def automatic_flags(result: qm.QResult, participant: str) -> list[int]:
    """The 1-based factors the automatic rule flags ``participant`` on."""
    L = result.loadings.loc[[participant]].to_numpy()
    row = qm.auto_flags(L, result.info.n_statements, p=result.info.flag_level,
                        majority=result.info.majority_rule)[0]
    return [int(f) + 1 for f in np.flatnonzero(row)]


def manual_mask(result: qm.QResult, settings: Settings) -> pd.DataFrame:
    """(N, k) bool: the flags set by hand."""
    mask = pd.DataFrame(False, index=result.flags.index, columns=result.flags.columns)
    for pid, _ in settings.manual:
        if pid in mask.index:
            mask.loc[pid] = result.flags.loc[pid].to_numpy(bool)
    return mask


class Engine:
    """Results by (data fingerprint, settings), the extraction shared by all
    settings that differ only in rotation steps and flags."""

    def __init__(self) -> None:
        self._extracted: OrderedDict = OrderedDict()
        self._results: OrderedDict = OrderedDict()

    @staticmethod
    def _keep(cache: OrderedDict, key, value, size: int):
        cache[key] = value
        cache.move_to_end(key)
        while len(cache) > size:
            cache.popitem(last=False)
        return value

    def extracted(self, data: Dataset, s: Settings):
        key = (data.fingerprint, s.nfactors, s.extraction, s.rotation, s.correlation)
        if key in self._extracted:
            self._extracted.move_to_end(key)
            return self._extracted[key]
        sorts, grid = validate_sorts(data.sorts, grid=data.grid, forced=True)
        ex = qm.extract_and_rotate(sorts.to_numpy(), s.nfactors, extraction=s.extraction,
                                   rotation=s.rotation, correlation=s.correlation, ids=sorts.columns)
        return self._keep(self._extracted, key, (sorts, grid, ex), EXTRACTIONS_KEPT)

    def result(self, data: Dataset, s: Settings) -> qm.QResult:
        """:func:`qmethod.analyze` (data, settings); raises the engine's errors."""
        key = (data.fingerprint, s.nfactors, s.extraction, s.rotation, s.correlation, s.steps,
               s.manual)
        if key in self._results:
            self._results.move_to_end(key)
            return self._results[key]
        opts = AnalysisOptions(s.nfactors, extraction=s.extraction, rotation=s.rotation,
                               correlation=s.correlation)
        history = s.history
        if history.steps:
            if opts.oblique:
                raise OptionError(f"judgmental rotation turns orthogonal factors; {opts.rotation} is "
                                  "oblique (start from varimax or none)")
            history.apply(np.eye(opts.nfactors))
        sorts, grid, ex = self.extracted(data, s)
        manual = s.manual_flags
        if manual:
            apply_manual(np.zeros((sorts.shape[1], opts.nfactors), dtype=bool), manual,
                                     sorts.columns, opts.nfactors)
        info = {"extraction": opts.extraction, "rotation": opts.rotation,
                "correlation": opts.correlation, "forced": True, "grid": grid.to_dict()}
        L = ex.loadings
        if history.steps:
            L = history.apply(L)
            info["judgmental"] = history.describe()
            info["judgmental_steps"] = [list(st) for st in history.steps]
        res = qm.score(sorts, L, grid=grid, manual_flags=manual or None, info=info,
                       unrotated=ex.unrotated, eigenvalues=ex.eigenvalues,
                       statements=data.statements, phi=ex.phi, notes=ex.notes)
        return self._keep(self._results, key, res, RESULTS_KEPT)

    def analyze(self, data: Dataset, s: Settings) -> qm.QResult:
        """The same through :func:`qmethod.analyze` itself (for checks)."""
        return qm.analyze(data.qsortdata(), s.nfactors, extraction=s.extraction,
                          rotation=s.rotation, correlation=s.correlation,
                          manual_flags=s.manual_flags or None, judgmental=s.history)
