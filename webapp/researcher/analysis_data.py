"""The analysis page's data: the study's submitted responses (minus the
excluded ones) or an uploaded file (sorts.csv, PQMethod .DAT with its .STA,
Ken-Q JSON), read by :func:`qmethod.io.read_any`; and the factor-choice aids."""
from __future__ import annotations

import tempfile
import warnings
from pathlib import Path

import pandas as pd
import streamlit as st

from analysis import figures
from qmethod.data import QSortData
from qmethod.errors import QMethodError
from qmethod.nfactors import factor_aids
from webapp.participant.session import get_store
from webapp.study_text import inline

from . import common
from .analysis_state import Dataset

SOURCE = "ws_an_source"
UPLOAD = "ws_an_upload"
UPLOADED = "ws_an_uploaded"       # (file names, Dataset) of the last good upload
AIDS = "ws_an_aids"               # fingerprint -> FactorAids
RUN_DATA = "ws_an_run_data"       # the Dataset saved with a reopened run
SOURCES = ("study", "upload")
SOURCE_NAMES = {"study": "The study's responses",
                "upload": "A file (sorts .csv, PQMethod .DAT + .STA, Ken-Q .json)",
                "run": "The data saved with the reopened run"}
PARALLEL_ITERATIONS = 1000      # the command line's default
AIDS_SEED = 1


def study_dataset(study) -> tuple[Dataset | None, object]:
    """(the study's data, its definition); None when it has no response to analyse."""
    store = get_store()
    info = store.get_study(study.slug)
    sorts = store.sorts_frame(study.slug)
    if sorts.shape[1] == 0:
        return None, info.definition
    defn = info.definition
    texts = pd.Series({s.id: s.text for s in defn.statements}, name="text").reindex(sorts.index)
    data = QSortData(sorts, texts, defn.grid, title=study.title)
    label = f"{sorts.shape[1]} submitted responses to version {info.version} (excluded ones left out)"
    return Dataset.of(data, "study", label, grid=defn.grid), defn


def read_upload(files) -> Dataset:
    """The uploaded files as a Dataset (a .DAT is read with the .STA uploaded
    beside it); raises the importer's :class:`qmethod.errors.QMethodError`."""
    from qmethod.io import read_any

    files = list(files)
    names = [Path(f.name).name for f in files]
    main = [n for n in names if Path(n).suffix.lower() in (".csv", ".dat", ".json")]
    if not main:
        raise QMethodError("upload a sorts table (.csv), a PQMethod .DAT (with its .STA) "
                           "or a Ken-Q .json file")
    # a statements.csv beside a sorts table is its texts, not data
    data_files = [n for n in main if n.lower() != "statements.csv"] or main
    with tempfile.TemporaryDirectory() as tmp:
        for f, name in zip(files, names):
            (Path(tmp) / name).write_bytes(f.getvalue())
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            data = read_any(Path(tmp) / data_files[0])
    label = f"{data.sorts.shape[1]} sorts of {data.sorts.shape[0]} statements from {data_files[0]}"
    return Dataset.of(data, "upload", label)


def choose(study) -> tuple[Dataset | None, object]:
    """The source picker and, for an upload, the file box, its preview and
    error. Returns (dataset or None, the study's definition or None)."""
    saved = st.session_state.get(RUN_DATA)
    sources = SOURCES + (("run",) if saved is not None else ())
    if st.session_state.get(SOURCE) not in sources:
        st.session_state[SOURCE] = "study"
    source = st.radio("Data", sources, horizontal=True, key=SOURCE, format_func=SOURCE_NAMES.get)
    if source == "run":
        defn = None
        if saved.source == "study-run":
            current, defn = study_dataset(study)
            if current is not None and current.fingerprint == saved.fingerprint:
                st.caption(f"The run's data are the study's responses as they are now ({inline(current.label)}).")
                return current, defn
            st.warning("The study's responses have changed since this run was saved: it is analysed "
                       "on the data saved with it.")
        st.caption(f"Analysing {inline(saved.label)}.")
        return saved, defn
    if source == "study":
        data, defn = study_dataset(study)
        if data is None:
            st.info("No submitted response to analyse yet (or all are excluded). "
                    "Upload a file instead, or invite participants.")
            return None, defn
        st.caption(f"Analysing {inline(data.label)}.")
        return data, defn
    files = st.file_uploader("Q-sort data file(s)", type=["csv", "dat", "sta", "json"],
                             accept_multiple_files=True, key=UPLOAD)
    if not files:
        st.info("Choose a file: a statements x participants table (.csv), a PQMethod project "
                "(.DAT and its .STA together) or a Ken-Q Sort export (.json).")
        return None, None
    names = tuple(sorted(f.name for f in files))
    kept = st.session_state.get(UPLOADED)
    if kept and kept[0] == names:
        data = kept[1]
    else:
        try:
            data = read_upload(files)
        except (QMethodError, ValueError, UnicodeDecodeError) as exc:
            st.error(f"That file cannot be read: {str(exc).splitlines()[0] if str(exc) else exc}")
            return None, None
        st.session_state[UPLOADED] = (names, data)
    st.caption(f"Analysing {inline(data.label)}.")
    with st.expander("Preview of the file's data"):
        st.dataframe(data.sorts.iloc[:20, :20], width="stretch")
    return data, None


def aids_panel(data: Dataset) -> None:
    """The factor-choice aids as a table and a scree plot, and the recommendation."""
    cache = st.session_state.setdefault(AIDS, {})
    aids = cache.get(data.fingerprint)
    if aids is None:
        aids = common.with_progress(
            "Parallel analysis",
            lambda progress: factor_aids(data.qsortdata(), max_factors=8,
                                         parallel_iterations=PARALLEL_ITERATIONS, seed=AIDS_SEED,
                                         progress=progress))
        if aids is None:
            return
        cache.clear()
        cache[data.fingerprint] = aids
    st.markdown(f"**Recommended: {aids.recommended} factor{'s' if aids.recommended != 1 else ''}.** "
                + " ".join(aids.reasons))
    st.caption(f"Parallel analysis: {PARALLEL_ITERATIONS} random studies of the same grid, seed "
               f"{AIDS_SEED} (the same numbers as `python -m qmethod nfactors FILE --seed {AIDS_SEED}`).")
    left, right = st.columns([3, 2])
    left.plotly_chart(figures.scree(aids), key="ws_an_scree")
    shown = aids.table.copy()
    right.dataframe(shown.round(3), width="stretch", key="ws_an_aids_table")
