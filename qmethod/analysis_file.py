"""The reproducible analysis file: one JSON document holding everything an
analysis depends on, so that ``python -m qmethod rerun FILE`` (or
:func:`rerun`) gives the same numbers on any machine.

Layout (``"format": 1``; a reader refuses any other format number)::

    {"format": 1, "kind": "qmethod-analysis", "engine_version": "0.1.0",
     "settings": {"nfactors": 3, "extraction": "pca", "rotation": "varimax",
                  "correlation": "pearson", "forced": true, "flag_level": 0.05,
                  "majority": true, "ties": "qmethod"},
     "rotation_history": [["rotate", 0, 1, 15.0], ["invert", 2]],   # 0-based factors
     "manual_flags": {"p07": [2], "p11": []},                         # 1-based factors
     "data": {"title": "...", "grid": {"scores": [...], "heights": [...]} | null,
              "statements": [{"id": "s01", "text": "..."} ...],
              "participants": ["p01", ...],
              "sorts": [[...n grid scores of p01 in statement order...], ...]}}   # N x n

The settings are :class:`qmethod.options.AnalysisOptions`; the rotation
history is :class:`qmethod.rotation.RotationHistory` (its steps in order);
manual flags are what :func:`qmethod.analyze` takes (participant id -> the
1-based factors that sort defines; an empty list unflags it).

:func:`data_fingerprint` names the data a run was made on (see there).
Every problem with a file is a :class:`~qmethod.errors.FormatError` with a
one-line message naming the file and the field.
"""
from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Mapping
from dataclasses import asdict
from pathlib import Path

import numpy as np
import pandas as pd

from . import __version__
from .data import QSortData, str_labels
from .errors import FormatError, QMethodError
from .files import read_limited, write_text_atomic
from .grid import Grid
from .options import AnalysisOptions
from .rotation import RotationHistory
from .textcheck import describe_path, find_bad_text

FORMAT = 1
KIND = "qmethod-analysis"
#: Largest analysis file read (a million sorts of 60 statements is about 200 MB).
MAX_FILE_BYTES = 512 * 2 ** 20

__all__ = ["FORMAT", "analysis_document", "analysis_file_text", "parse_analysis_file",
           "write_analysis_file", "read_analysis_file", "rerun", "data_to_dict", "data_from_dict",
           "data_to_json", "data_from_json", "data_fingerprint", "settings_to_dict",
           "settings_from_dict", "history_to_list", "history_from_list"]


# -- parts -----------------------------------------------------------------------------
def settings_to_dict(settings: AnalysisOptions | Mapping) -> dict:
    """The settings as a JSON-ready dict (checked: an AnalysisOptions is built first)."""
    opts = settings if isinstance(settings, AnalysisOptions) else AnalysisOptions(**dict(settings))
    return asdict(opts)


def settings_from_dict(d) -> AnalysisOptions:
    """AnalysisOptions from :func:`settings_to_dict` output; OptionError on bad values."""
    if not isinstance(d, Mapping):
        raise FormatError("'settings' must be an object")
    known = set(AnalysisOptions.__dataclass_fields__)
    unknown = sorted(set(d) - known)
    if unknown:
        raise FormatError(f"unknown setting {unknown[0]!r}; known: {', '.join(sorted(known))}")
    if "nfactors" not in d:
        raise FormatError("'settings' has no 'nfactors'")
    return AnalysisOptions(**dict(d))


def history_to_list(history: RotationHistory | None) -> list:
    """The steps as JSON lists: ``["rotate", i, j, degrees]`` or ``["invert", f]`` (0-based)."""
    return [] if history is None else [list(s) for s in history.steps]


def history_from_list(steps) -> RotationHistory:
    if not isinstance(steps, list):
        raise FormatError("'rotation_history' must be a list of steps")
    out = []
    for n, step in enumerate(steps, 1):
        ok = isinstance(step, list) and step and step[0] in ("rotate", "invert")
        if ok and step[0] == "rotate":
            ok = (len(step) == 4 and all(_is_int(x) for x in step[1:3])
                  and isinstance(step[3], (int, float)) and not isinstance(step[3], bool)
                  and math.isfinite(step[3]))
            if ok:
                out.append(("rotate", int(step[1]), int(step[2]), float(step[3])))
        elif ok:
            ok = len(step) == 2 and _is_int(step[1])
            if ok:
                out.append(("invert", int(step[1])))
        if not ok:
            raise FormatError(f"rotation step {n} is {json.dumps(step)[:60]}; expected "
                              "[\"rotate\", i, j, degrees] or [\"invert\", f]")
    return RotationHistory(out)


def _is_int(x) -> bool:
    return isinstance(x, int) and not isinstance(x, bool) and x >= 0


def _manual_to_dict(manual: Mapping | None) -> dict:
    return {str(p): sorted(int(f) for f in fs) for p, fs in (manual or {}).items()}


def _manual_from_dict(d) -> dict:
    if not isinstance(d, Mapping):
        raise FormatError("'manual_flags' must be an object: participant id -> list of factors")
    for p, fs in d.items():
        if not isinstance(fs, list) or not all(_is_int(f) and f >= 1 for f in fs):
            raise FormatError(f"manual flags of participant {p!r} must be a list of factor "
                              "numbers (1, 2, ...)")
    return {str(p): list(fs) for p, fs in d.items()}


def data_to_dict(data: QSortData) -> dict:
    """The data section: statement ids and texts, grid, participant ids, sorts (N x n)."""
    sorts = data.sorts
    ids = str_labels(sorts.index)
    texts = data.statements
    text_of = {} if texts is None else {str(k): str(v) for k, v in texts.items()}
    return {"title": data.title or "",
            "grid": None if data.grid is None else data.grid.to_dict(),
            "statements": [{"id": i, "text": text_of.get(i, "")} for i in ids],
            "participants": str_labels(sorts.columns),
            "sorts": np.asarray(sorts.to_numpy(), dtype=np.int64).T.tolist()}


def data_from_dict(d) -> QSortData:
    """Inverse of :func:`data_to_dict` (FormatError on a malformed section)."""
    if not isinstance(d, Mapping):
        raise FormatError("'data' must be an object")
    for key in ("statements", "participants", "sorts"):
        if not isinstance(d.get(key), list):
            raise FormatError(f"'data' has no list {key!r}")
    st = d["statements"]
    if not all(isinstance(s, Mapping) and isinstance(s.get("id"), str) for s in st):
        raise FormatError("each statement must be an object with a string 'id'")
    sids = [s["id"] for s in st]
    pids = d["participants"]
    if not all(isinstance(p, str) for p in pids):
        raise FormatError("participant ids must be strings")
    rows = d["sorts"]
    if len(rows) != len(pids):
        raise FormatError(f"'data' has {len(pids)} participants but {len(rows)} sorts")
    for p, row in zip(pids, rows):
        if not isinstance(row, list) or len(row) != len(sids):
            raise FormatError(f"the sort of participant {p!r} must list {len(sids)} scores, "
                              "one per statement")
        if not all(isinstance(x, int) and not isinstance(x, bool) for x in row):
            raise FormatError(f"the sort of participant {p!r} holds a score that is not a "
                              "whole number")
    values = np.array(rows, dtype=np.int64).reshape(len(pids), len(sids)).T
    sorts = pd.DataFrame(values, index=pd.Index(sids, name="statement"),
                         columns=pd.Index(pids, name="participant"))
    texts = pd.Series([str(s.get("text", "")) for s in st],
                      index=pd.Index(sids, name="statement"), name="text")
    grid = d.get("grid")
    try:
        grid = None if grid is None else Grid.from_dict(grid)
    except (KeyError, TypeError, ValueError) as e:
        raise FormatError(f"'data.grid' is not a grid ({e})") from None
    return QSortData(sorts=sorts, statements=texts, grid=grid, title=str(d.get("title") or ""))


def data_to_json(data: QSortData) -> str:
    """The data section as a JSON string (what a saved run keeps as ``data_json``)."""
    return json.dumps(data_to_dict(data), ensure_ascii=False)


def data_from_json(text: str) -> QSortData:
    try:
        d = json.loads(text)
    except json.JSONDecodeError as e:
        raise FormatError(f"the data are not valid JSON ({e.msg}, line {e.lineno})") from None
    return data_from_dict(d)


def data_fingerprint(data: QSortData | pd.DataFrame, grid: Grid | None = None) -> str:
    """SHA-256 (64 hex digits) of what the numbers of an analysis depend on:
    the statement ids, the participant ids, each sort's scores and the grid
    (scores and heights).

    Deliberately *not* covered: the order of statements and of participants
    (the canonical form sorts both by id, so a re-export of the same
    responses in another order has the same fingerprint), statement texts,
    column labels and the title (editing a text changes no number).
    ``grid`` defaults to the data's own; without one it is the first sort's
    distribution, as :func:`qmethod.analyze` takes it for forced sorts (any
    sort's, since they all follow the grid).
    """
    if isinstance(data, QSortData):
        grid = grid or data.grid
        data = data.sorts
    sids = np.asarray(str_labels(data.index), dtype=object)
    pids = np.asarray(str_labels(data.columns), dtype=object)
    values = np.asarray(data.to_numpy(), dtype=np.int64)
    rs, cs = np.argsort(sids, kind="stable"), np.argsort(pids, kind="stable")
    if grid is None and values.size:
        grid = Grid.from_values(values[:, 0])
    head = {"fingerprint": "qmethod-data", "version": 1,
            "statements": sids[rs].tolist(), "participants": pids[cs].tolist(),
            "grid": None if grid is None else {"scores": list(grid.scores),
                                               "heights": list(grid.heights)}}
    h = hashlib.sha256(json.dumps(head, ensure_ascii=False, separators=(",", ":")).encode())
    h.update(np.ascontiguousarray(values[rs][:, cs].T).astype("<i8").tobytes())
    return h.hexdigest()


# -- the whole file ------------------------------------------------------------------------
def analysis_document(data: QSortData, settings: AnalysisOptions | Mapping,
                      history: RotationHistory | None = None,
                      manual_flags: Mapping | None = None) -> dict:
    """The analysis file as a JSON-ready dict (see the module docstring)."""
    return {"format": FORMAT, "kind": KIND, "engine_version": __version__,
            "settings": settings_to_dict(settings),
            "rotation_history": history_to_list(history),
            "manual_flags": _manual_to_dict(manual_flags),
            "fingerprint": data_fingerprint(data),
            "data": data_to_dict(data)}


def analysis_file_text(data: QSortData, settings, history=None, manual_flags=None) -> str:
    """The analysis file as text (for a download button)."""
    return json.dumps(analysis_document(data, settings, history, manual_flags),
                      ensure_ascii=False, indent=1)


def write_analysis_file(path, data: QSortData, settings, history: RotationHistory | None = None,
                        manual_flags: Mapping | None = None) -> Path:
    """Write the analysis file to ``path`` (UTF-8 JSON, all at once: a reader
    never sees half a file); returns the path."""
    path = Path(path)
    write_text_atomic(path, analysis_file_text(data, settings, history, manual_flags))
    return path


def parse_analysis_file(text: str | bytes, name: str = "analysis file"
                        ) -> tuple[QSortData, AnalysisOptions, RotationHistory, dict]:
    """Read an analysis file's text: ``(data, settings, history, manual_flags)``.

    Raises FormatError with one line naming ``name`` and the problem; the
    settings are checked as :func:`qmethod.analyze` checks them.
    """
    try:
        if isinstance(text, bytes):
            text = text.decode("utf-8")
        doc = json.loads(text)
    except UnicodeDecodeError:
        raise FormatError("not UTF-8 text", path=name) from None
    except json.JSONDecodeError as e:
        raise FormatError(f"not valid JSON ({e.msg})", path=name, line=e.lineno) from None
    except RecursionError:
        raise FormatError("JSON nested too deeply", path=name) from None
    try:
        if not isinstance(doc, dict) or doc.get("kind") != KIND:
            raise FormatError("not a qmethod analysis file (no \"kind\": \"qmethod-analysis\")")
        if doc.get("format") != FORMAT:
            raise FormatError(f"analysis file format {doc.get('format')!r} is not supported "
                              f"(this version reads format {FORMAT})")
        for key in ("settings", "data"):
            if key not in doc:
                raise FormatError(f"the file has no {key!r}")
        # every text but the sorts (numbers, and a million of them): a "\ud800"
        # escape decodes to a lone surrogate that no file or database can take
        texts = {k: v for k, v in doc.items() if k != "data"}
        if isinstance(doc["data"], Mapping):
            texts["data"] = {k: v for k, v in doc["data"].items() if k != "sorts"}
        bad = find_bad_text(texts, nul=False)
        if bad is not None:
            raise FormatError(f"{describe_path(bad[0])} holds {bad[1]} (a \\u escape in the "
                              "file); fix that text")
        settings = settings_from_dict(doc["settings"])
        history = history_from_list(doc.get("rotation_history", []))
        manual = _manual_from_dict(doc.get("manual_flags", {}))
        data = data_from_dict(doc["data"])
    except FormatError as e:
        raise FormatError(str(e), path=name) from None
    except QMethodError as e:  # OptionError, GridError: still name the file
        raise FormatError(str(e), path=name) from None
    return data, settings, history, manual


def read_analysis_file(path) -> tuple[QSortData, AnalysisOptions, RotationHistory, dict]:
    """Read the analysis file at ``path``: ``(data, settings, history, manual_flags)``."""
    path = Path(path)
    data = read_limited(path, MAX_FILE_BYTES, what="analysis file")
    return parse_analysis_file(data, name=path.name or str(path))


def rerun(data: QSortData, settings: AnalysisOptions, history: RotationHistory | None = None,
          manual_flags: Mapping | None = None, *, progress=None):
    """The analysis the file describes: :func:`qmethod.analyze` with its settings."""
    from .pipeline import analyze
    s = settings if isinstance(settings, AnalysisOptions) else settings_from_dict(settings)
    return analyze(data, s.nfactors, extraction=s.extraction, rotation=s.rotation,
                   correlation=s.correlation, forced=s.forced, flag_level=s.flag_level,
                   majority=s.majority, ties=s.ties, manual_flags=dict(manual_flags or {}) or None,
                   judgmental=history if history is not None and history.steps else None,
                   progress=progress)
