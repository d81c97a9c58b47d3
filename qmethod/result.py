"""The result object: every table of one Q analysis, in one place.

Index conventions: participant-level tables are indexed by participant id,
statement-level tables by statement id, factor-level tables by factor name
("f1".."fk"). Factor columns are named "f1".."fk" everywhere.

On disk (:meth:`QResult.save`, :meth:`QResult.write`) a result is
``result.json`` (settings, notes and the statement- and factor-level tables)
plus ``result.npz`` beside it: the Q-sorts and the per-participant tables as
plain NumPy arrays, so that a study of a million sorts is saved in a second.
:meth:`QResult.to_json` gives one self-contained JSON document instead.
"""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

import numpy as np
import pandas as pd

from .files import read_limited, write_text_atomic
from .grid import Grid
from .result_files import frame_from_doc, frame_to_doc, load_npz, save_npz, write_tables

#: 1: every table inline, column by column; 2: homogeneous tables as matrices,
#: the large ones optionally in the ``.npz`` sidecar. Both are read.
FORMAT_VERSION = 2

#: The files of the output contract (tests/reference/README.md), in order.
CONTRACT_FILES = ("loadings", "flags", "zscores", "factor_arrays", "characteristics",
                  "factor_correlations", "distinguishing")
#: Written beside the contract files for oblique rotations only.
ROTATION_PHI_FILE = "rotation_factor_correlations"
RESULT_JSON = "result.json"
#: Tables with a row (or column) per participant: in the sidecar when saved to files.
_SIDECAR_TABLES = ("data", "unrotated_loadings", "loadings", "flags")


@dataclass
class ResultInfo:
    """Settings and sizes of one analysis (``QResult.info``).

    Attributes
    ----------
    n_statements, n_sorts, nfactors : n, N, k
    extraction : 'pca', 'centroid', or 'supplied' (loadings given to ``score``)
    rotation : one of qmethod.options.ROTATIONS, or 'supplied'
    correlation : 'pearson', 'spearman', 'kendall', or 'unknown'
    forced : whether the sorts had to follow the grid (None: not stated)
    grid : the grid as ``Grid.to_dict()``, or None
    flagging : 'automatic', 'supplied', 'manual' or 'automatic + manual'
    flag_level, majority_rule : the automatic flagging rule
    ties : factor-array rule for tied z-scores, 'qmethod' or 'grid'
    judgmental, judgmental_steps : judgmental rotations applied, in words and
        as steps (see qmethod.rotation.RotationHistory)
    created : UTC time, ISO 8601; engine_version : qmethod's version
    extra : any other keys read from a result file, kept as they were
    """

    n_statements: int
    n_sorts: int
    nfactors: int
    extraction: str = "supplied"
    rotation: str = "supplied"
    correlation: str = "unknown"
    forced: bool | None = None
    grid: dict | None = None
    flagging: str = "automatic"
    flag_level: float = 0.05
    majority_rule: bool = True
    ties: str = "qmethod"
    judgmental: list = field(default_factory=list)
    judgmental_steps: list = field(default_factory=list)
    created: str = ""
    engine_version: str = ""
    extra: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        d = asdict(self)
        d.update(d.pop("extra"))
        return d

    @classmethod
    def from_dict(cls, d: dict) -> "ResultInfo":
        """From ``to_dict`` output, or the plain ``info`` dict of a version-1 file."""
        names = {f.name for f in fields(cls)} - {"extra"}
        known = {k: v for k, v in d.items() if k in names}
        return cls(**known, extra={k: v for k, v in d.items() if k not in names})

    # Read access by key, as when ``info`` was a dict (``res.info["rotation"]``).
    def __getitem__(self, key: str):
        if key in self.extra:
            return self.extra[key]
        if key == "extra" or key not in {f.name for f in fields(self)}:
            raise KeyError(key)
        return getattr(self, key)

    def get(self, key: str, default=None):
        try:
            return self[key]
        except KeyError:
            return default


@dataclass
class QResult:
    """Result of :func:`qmethod.analyze`.

    Attributes (n statements, N participants, k factors)
    ----------
    info : ResultInfo, the settings and sizes (extraction, rotation, correlation, ...)
    data : (n, N) the Q-sorts analysed
    grid : the grid the factor arrays are built on
    eigenvalues : Series, all eigenvalues of the correlation matrix in
        decreasing order (for the scree plot and Kaiser's rule, whatever the
        extraction; a factor's own eigenvalue is in ``characteristics``)
    unrotated_loadings : (N, k)
    loadings : (N, k) final loadings
    flags : (N, k) bool, defining sorts
    zscores : (n, k)
    factor_arrays : (n, k) grid values (Int64, missing for a factor without
        defining sorts)
    characteristics : (k, 5) eigenvalue, explained_variance, defining_sorts,
        composite_reliability, se_zscores
    factor_correlations : (k, k) correlations between z-score columns
    sed : (k, k) standard errors of differences
    distinguishing : (n, ...) consensus, distinguishes_f*, label, pair differences
    statements : Series of statement texts, or None
    notes : plain-words warnings (negative flags, empty factors, a rotation
        that is not standard in Q studies)
    rotation_factor_correlations : (k, k) the oblique rotation's factor
        correlation matrix Phi (promax, oblimin), else None. Not to be mixed
        up with ``factor_correlations``, the correlations of the z-scores.
    """

    info: ResultInfo
    data: pd.DataFrame
    grid: Grid
    eigenvalues: pd.Series
    unrotated_loadings: pd.DataFrame
    loadings: pd.DataFrame
    flags: pd.DataFrame
    zscores: pd.DataFrame
    factor_arrays: pd.DataFrame
    characteristics: pd.DataFrame
    factor_correlations: pd.DataFrame
    sed: pd.DataFrame
    distinguishing: pd.DataFrame
    statements: pd.Series | None = None
    notes: list = field(default_factory=list)
    rotation_factor_correlations: pd.DataFrame | None = None

    # -- convenience -------------------------------------------------------
    @property
    def nfactors(self) -> int:
        return self.loadings.shape[1]

    @property
    def factor_names(self) -> list[str]:
        return list(self.loadings.columns)

    def summary(self) -> str:
        """A short human summary: settings, characteristics, defining sorts."""
        i = self.info
        lines = [f"Q analysis: {i.n_statements} statements, {i.n_sorts} Q-sorts, "
                 f"{i.nfactors} factor{'s' if i.nfactors != 1 else ''} "
                 f"({i.extraction}, {i.rotation} rotation, {i.correlation} correlation, "
                 f"{i.flagging} flagging)"]
        ch = self.characteristics
        lines.append("")
        lines.append(f"{'factor':<8}{'eigenvalue':>11}{'% var':>8}{'defining':>10}{'reliab.':>9}{'SE':>8}")
        for f, row in ch.iterrows():
            lines.append(f"{f:<8}{row.eigenvalue:>11.3f}{row.explained_variance:>8.1f}"
                         f"{int(row.defining_sorts):>10d}{row.composite_reliability:>9.3f}"
                         f"{row.se_zscores:>8.3f}")
        lines.append("")
        for f in self.factor_names:
            where = np.flatnonzero(self.flags[f].to_numpy())
            who = [str(p) for p in self.flags.index[where[:12]]]
            more = f" and {where.size - 12} more" if where.size > 12 else ""
            lines.append(f"{f} defined by {where.size}: {', '.join(who) + more or '-'}")
        d = self.distinguishing
        if "consensus" in d:
            lines.append(f"consensus statements (p < .05): {int(d['consensus'].sum())}; "
                         + ", ".join(f"distinguishing {f}: {int(d[f'distinguishes_{f}'].sum())}"
                                     for f in self.factor_names))
        phi = self.rotation_factor_correlations
        if phi is not None:
            lines.append("")
            lines.append(f"factor correlations of the {i.rotation} rotation (Phi):")
            lines.append(f"{'':<8}" + "".join(f"{c:>8}" for c in phi.columns))
            for f, row in phi.iterrows():
                lines.append(f"{f:<8}" + "".join(f"{v:>8.3f}" for v in row))
        for note in self.notes:
            lines.append(f"note: {note}")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.summary()

    # -- the output contract ---------------------------------------------------
    def contract_tables(self) -> dict[str, pd.DataFrame]:
        """The seven tables of the output contract, as written to CSV."""
        k = self.factor_names
        dist_cols = ["consensus"] + [f"distinguishes_{f}" for f in k]
        return {
            "loadings": self.loadings,
            "flags": self.flags,
            "zscores": self.zscores,
            "factor_arrays": self.factor_arrays,
            "characteristics": self.characteristics,
            "factor_correlations": self.factor_correlations,
            "distinguishing": self.distinguishing[dist_cols],
        }

    def write(self, out_dir) -> list[Path]:
        """Write the contract CSV files, ``rotation_factor_correlations.csv``
        for an oblique rotation, and ``result.json`` with its ``result.npz``
        (see :meth:`save`) into ``out_dir``; returns the paths written."""
        tables = self.contract_tables()
        if self.rotation_factor_correlations is not None:
            tables[ROTATION_PHI_FILE] = self.rotation_factor_correlations
        files = write_tables(tables, out_dir)
        return files + self.save(Path(out_dir) / RESULT_JSON)

    # -- saving and loading ------------------------------------------------------------
    def _document(self, arrays: dict | None) -> dict:
        doc = {"format": "qmethod-result", "version": FORMAT_VERSION,
               "info": self.info.to_dict(), "grid": self.grid.to_dict(), "notes": list(self.notes),
               "eigenvalues": self.eigenvalues.tolist(),
               "statements": None if self.statements is None else
               {str(k): str(v) for k, v in self.statements.items()}}
        shared = {"participants": self.data.columns}
        for name in _TABLES:
            doc[name] = frame_to_doc(getattr(self, name),
                                     arrays=arrays if name in _SIDECAR_TABLES else None,
                                     key=name, shared=shared)
        phi = self.rotation_factor_correlations
        doc["rotation_factor_correlations"] = None if phi is None else frame_to_doc(phi)
        return doc

    def to_json(self) -> str:
        """Every table in one self-contained JSON string (lossless for floats)."""
        return json.dumps(self._document(None))

    def save(self, path) -> list[Path]:
        """Write ``path`` (JSON: settings and the small tables) and, beside it,
        the same name with ``.npz`` (the Q-sorts and per-participant tables as
        arrays). :meth:`load` reads both back exactly. Returns both paths."""
        path = Path(path)
        arrays: dict = {}
        doc = self._document(arrays)
        sidecar = path.with_suffix(".npz")
        doc["sidecar"] = sidecar.name
        save_npz(sidecar, arrays)
        write_text_atomic(path, json.dumps(doc))
        return [path, sidecar]

    @classmethod
    def from_json(cls, text: str, arrays: dict | None = None) -> "QResult":
        """Rebuild a result from :meth:`to_json` text (or a saved ``result.json``
        with its sidecar's ``arrays``). Files of format version 1 are read too."""
        return cls._from_document(json.loads(text), arrays)

    @classmethod
    def _from_document(cls, doc, arrays: dict | None) -> "QResult":
        if not isinstance(doc, dict) or doc.get("format") != "qmethod-result":
            raise ValueError("not a qmethod result file")
        if doc.get("sidecar") and arrays is None:
            raise ValueError(f"this result keeps its large tables in {doc['sidecar']}: "
                             "read it with QResult.load(path)")
        tables = {name: frame_from_doc(doc[name], arrays) for name in _TABLES}
        st = doc.get("statements")
        phi = doc.get("rotation_factor_correlations")
        return cls(info=ResultInfo.from_dict(doc["info"]), grid=Grid.from_dict(doc["grid"]),
                   eigenvalues=pd.Series(doc["eigenvalues"], dtype=float, name="eigenvalue",
                                         index=pd.RangeIndex(1, len(doc["eigenvalues"]) + 1,
                                                             name="component")),
                   statements=None if st is None else pd.Series(
                       list(st.values()), index=pd.Index(list(st.keys()), name="statement"),
                       name="text"),
                   notes=doc.get("notes", []),
                   rotation_factor_correlations=None if phi is None else frame_from_doc(phi),
                   **tables)

    @classmethod
    def load(cls, path) -> "QResult":
        """Read a result saved by :meth:`save` / :meth:`write` (its ``.npz``
        sidecar is found beside it) or a self-contained JSON file."""
        path = Path(path)
        doc = json.loads(read_limited(path, what="result file").decode("utf-8"))
        sidecar = doc.get("sidecar") if isinstance(doc, dict) else None
        arrays = load_npz(path.parent / Path(sidecar).name) if sidecar else None
        return cls._from_document(doc, arrays)


_TABLES = ("data", "unrotated_loadings", "loadings", "flags", "zscores", "factor_arrays",
           "characteristics", "factor_correlations", "sed", "distinguishing")
