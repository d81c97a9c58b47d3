"""Moving studies in and out of the database.

Whole study, one JSON file
    :func:`export_study` / :func:`write_study_file` write every version of a
    study (its definition) with its responses and analysis runs, under
    ``"format": "qplatform-study"`` and a ``format_version``.
    :func:`import_study` / :func:`read_study_file` read such a file back into
    a database (optionally under another slug) in one transaction: every
    definition and every response is checked again on the way in, exactly as
    a live submission is, and nothing is stored if anything is wrong.
    Participant tokens, sessions in progress and researcher accounts are not
    exported: tokens are credentials, drafts are not data yet. A response a
    researcher excluded from the analysis carries its ``exclusion_reason``. Participants
    are exported with their neutral labels (``r0001`` ...).

Responses for analysis tools
    :func:`export_sorts` writes one study version's Q-sorts with the engine's
    own writers (:mod:`qmethod.io`): ``.csv`` (statements x participants, plus
    the statement texts beside it in ``<name>.statements.csv``), ``.dat``
    (PQMethod, with the ``.sta`` statements beside it) or ``.json`` (Ken-Q
    Sort's export).
"""
from __future__ import annotations

import dataclasses
import json
import os
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from qmethod.data import QSortData
from qmethod.errors import FormatError
from qmethod.files import read_limited, write_text_atomic
from qmethod.textcheck import bad_char, describe_path, find_bad_text
from studies.definition import SLUG_PATTERN, StudyDefinition
from studies.errors import StudyError

from . import models as m
from .errors import ImportFailed, InvalidSubmission, StorageError
from .sessions import new_token
from .store import Store
from .studies import StudyInfo
from .submission import Submission, validate_submission

FORMAT = "qplatform-study"
FORMAT_VERSION = 1
#: A saved run's fields that travel with it (optional in the file), and their JSON types.
_SAVED_RUN_FIELDS = {"name": str, "source": str, "data_json": str, "fingerprint": str,
                     "interpretation": Mapping, "reported": bool}
_KIND_NAMES = {str: "a text", Mapping: "an object", bool: "true or false"}
MAX_IMPORT_BYTES = 200_000_000


# ---------------------------------------------------------------------------
# whole study
# ---------------------------------------------------------------------------
def _iso(dt: datetime | None) -> str | None:
    if dt is None:
        return None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.astimezone(UTC).isoformat()


def export_study(store: Store, slug: str) -> dict:
    """Every version of ``slug`` with its responses and analysis runs, as a JSON-safe dict."""
    versions = store.study_versions(slug)           # raises UnknownStudy
    first = versions[0]
    out_versions = []
    runs = []
    for info in versions:
        out_versions.append({
            "version": info.version,
            "fingerprint": info.fingerprint,
            "created_at": _iso(info.created_at),
            "definition": info.definition.to_dict(),
            "responses": [{
                "participant": r.participant,
                "placements": r.placements,
                "presort": r.presort,
                "answers": r.answers,
                "timings": r.timings,
                "user_agent": r.user_agent,
                "submitted_at": _iso(r.submitted_at),
                # a researcher's exclusion from the analysis travels with the response
                **({"exclusion_reason": r.exclusion_reason} if r.excluded else {}),
            } for r in store.responses(slug, info.version)],
        })
        runs.extend({
            "version": info.version,
            "params": run.params,
            "result_json": run.result_json,
            "n_responses": run.n_responses,
            "created_at": _iso(run.created_at),
            # a saved run's own fields (not its author: account ids are this database's)
            **({k: getattr(run, k) for k in _SAVED_RUN_FIELDS} if run.name is not None else {}),
            **({"stale_at": _iso(run.stale_at), "stale_reason": run.stale_reason}
               if run.stale_at is not None else {}),
        } for run in reversed(store.analysis_runs(slug, info.version)))
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "exported_at": _iso(datetime.now(UTC)),
        "study": {
            "slug": first.slug,
            "status": versions[-1].status,
            "is_demo": first.is_demo,
        },
        "versions": out_versions,
        "analysis_runs": runs,
    }


def write_study_file(store: Store, slug: str, path: str | os.PathLike) -> Path:
    """Write :func:`export_study` of ``slug`` to ``path`` (UTF-8 JSON)."""
    data = export_study(store, slug)
    text = json.dumps(data, ensure_ascii=False, indent=1)
    if bad_char(text, nul=False):
        # a lone surrogate stored before the doors were shut: escaped, the file
        # is still written (the import then names where it is)
        text = json.dumps(data, ensure_ascii=True, indent=1)
    return write_text_atomic(path, text + "\n")


def read_study_file(store: Store, path: str | os.PathLike, *, slug: str | None = None) -> StudyInfo:
    """Import the study export at ``path`` (see :func:`import_study`)."""
    path = Path(path)
    try:
        text = read_limited(path, MAX_IMPORT_BYTES, what="study export").decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ImportFailed(f"{path.name} is not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except FormatError as exc:
        raise ImportFailed(f"cannot read {exc}") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ImportFailed(f"{path.name} is not a study export: invalid JSON at line {exc.lineno}, "
                           f"column {exc.colno} ({exc.msg})") from None
    return import_study(store, data, slug=slug, source=path.name)


def _parse_time(value: Any, where: str) -> datetime:
    if value is None:
        return datetime.now(UTC)
    try:
        dt = datetime.fromisoformat(str(value))
    except ValueError:
        raise ImportFailed(f"{where}: {value!r} is not a date and time (ISO 8601)") from None
    return dt if dt.tzinfo is not None else dt.replace(tzinfo=UTC)


def _need(d: Any, key: str, kind: type | tuple, where: str) -> Any:
    if not isinstance(d, Mapping) or key not in d:
        raise ImportFailed(f"{where} has no {key!r}")
    value = d[key]
    if not isinstance(value, kind) or isinstance(value, bool) and kind is int:
        raise ImportFailed(f"{where}: {key!r} has the wrong type ({type(value).__name__})")
    return value


def import_study(store: Store, data: Mapping, *, slug: str | None = None,
                 source: str = "the file") -> StudyInfo:
    """Create a study from an export (``data``), in one transaction.

    ``slug`` imports it under another name (each version's definition gets
    that slug). Raises :class:`ImportFailed` naming the first problem; a
    study with the same slug must not exist yet.
    """
    if not isinstance(data, Mapping) or data.get("format") != FORMAT:
        raise ImportFailed(f"{source} is not a study export (no \"format\": \"{FORMAT}\")")
    bad = find_bad_text(data)       # no backend (and no export of ours) can hold these
    if bad is not None:
        raise ImportFailed(f"{source}: {describe_path(bad[0])} holds {bad[1]}; nothing was imported")
    fv = data.get("format_version")
    if not isinstance(fv, int) or isinstance(fv, bool) or fv < 1:
        raise ImportFailed(f"{source}: the format_version is missing or not a whole number")
    if fv > FORMAT_VERSION:
        raise ImportFailed(f"{source} uses format version {fv}, newer than this platform "
                           f"reads ({FORMAT_VERSION}): update the platform first")
    study = _need(data, "study", Mapping, source)
    is_demo = bool(study.get("is_demo", False))
    status = study.get("status", "open")
    if status not in m.STUDY_STATUSES:
        raise ImportFailed(f"{source}: the study status {status!r} is not 'open' or 'closed'")
    new_slug = slug or _need(study, "slug", str, f"{source}, study")
    if not SLUG_PATTERN.match(new_slug) or len(new_slug) > 100:
        raise ImportFailed(f"the slug {new_slug!r} may only use lower-case letters, digits and '-'")
    versions = _need(data, "versions", list, source)
    if not versions:
        raise ImportFailed(f"{source} holds no study version")

    # -- check everything before writing anything --------------------------------
    prepared = []
    for k, v in enumerate(versions, start=1):
        where = f"{source}, version {k}"
        number = _need(v, "version", int, where)
        if number != k:
            raise ImportFailed(f"{where}: versions must be numbered 1, 2, 3 ... in order "
                               f"(found {number})")
        try:
            defn = StudyDefinition.from_dict(_need(v, "definition", Mapping, where))
            if defn.slug != new_slug:
                defn = dataclasses.replace(defn, slug=new_slug)
        except StudyError as exc:
            raise ImportFailed(f"{where}: the study definition is not valid: "
                               + "; ".join(exc.problems)) from None
        rows = []
        for j, r in enumerate(_need(v, "responses", list, where)):
            rwhere = f"{where}, response {j + 1}"
            if not isinstance(r, Mapping):
                raise ImportFailed(f"{rwhere} is not an object")
            unknown = set(r) - {"participant", "placements", "presort", "answers", "timings",
                                "user_agent", "submitted_at", "exclusion_reason"}
            if unknown:
                raise ImportFailed(f"{rwhere} has unknown fields: {', '.join(sorted(unknown))}")
            try:
                clean = validate_submission(
                    defn, Submission(placements=_need(r, "placements", Mapping, rwhere),
                                     presort=r.get("presort") or {}, answers=r.get("answers") or {},
                                     timings=r.get("timings") or {},
                                     user_agent=r.get("user_agent") or ""),
                    who=f"participant {r.get('participant', j + 1)}")
            except InvalidSubmission as exc:
                raise ImportFailed(f"{rwhere}: {exc}") from None
            reason = r.get("exclusion_reason")
            if reason is not None and (not isinstance(reason, str) or not reason.strip()):
                raise ImportFailed(f"{rwhere}: exclusion_reason must be a non-empty text")
            rows.append((clean, _parse_time(r.get("submitted_at"), rwhere), reason))
        prepared.append((defn, _parse_time(v.get("created_at"), where), rows))

    runs = []
    all_runs = data.get("analysis_runs") or []
    if not isinstance(all_runs, list):
        raise ImportFailed(f"{source}: 'analysis_runs' has the wrong type ({type(all_runs).__name__})")
    for k, run in enumerate(all_runs, start=1):
        where = f"{source}, analysis run {k}"
        number = _need(run, "version", int, where)
        if not 1 <= number <= len(prepared):
            raise ImportFailed(f"{where}: there is no version {number}")
        saved = {}
        for key, kind in _SAVED_RUN_FIELDS.items():
            if run.get(key) is not None:
                if not isinstance(run[key], kind):
                    raise ImportFailed(f"{where}: {key} must be {_KIND_NAMES[kind]}")
                saved[key] = dict(run[key]) if kind is Mapping else run[key]
        if run.get("stale_at") is not None:
            saved["stale_at"] = _parse_time(run["stale_at"], where)
            saved["stale_reason"] = str(run.get("stale_reason") or "")
        runs.append((number, _need(run, "params", Mapping, where),
                     _need(run, "result_json", str, where),
                     int(run.get("n_responses") or 0), _parse_time(run.get("created_at"), where),
                     saved))

    if sum(1 for *_, saved in runs if saved.get("reported")) > 1:
        raise ImportFailed(f"{source}: more than one analysis run is marked as reported "
                           "(a study has at most one)")

    # -- one transaction ------------------------------------------------------------
    try:
        with store._tx(write=True) as s:
            if s.scalar(select(m.Study.id).where(m.Study.slug == new_slug)) is not None:
                raise ImportFailed(f"a study called {new_slug!r} already exists; import the "
                                   f"file under another slug")
            row = m.Study(slug=new_slug, is_demo=is_demo, status=status,
                          created_at=prepared[0][1])
            s.add(row)
            s.flush()
            version_ids = []
            for number, (defn, created, rows) in enumerate(prepared, start=1):
                ver = m.StudyVersion(study_id=row.id, version=number, fingerprint=defn.fingerprint(),
                                     title=defn.title, definition=defn.to_dict(), created_at=created)
                s.add(ver)
                s.flush()
                version_ids.append(ver.id)
                tokens = [m.ParticipantToken(token=new_token(),
                                             study_id=row.id, kind="imported",
                                             label=f"imported from {source}"[:200],
                                             pinned_version_id=ver.id, created_at=created)
                          for _ in rows]
                s.add_all(tokens)
                s.flush()
                s.add_all([m.Response(token_id=tok.id, study_id=row.id, study_version_id=ver.id,
                                      is_demo=is_demo, submitted_at=at, **clean,
                                      excluded_at=None if reason is None else at,
                                      exclusion_reason=reason)
                           for tok, (clean, at, reason) in zip(tokens, rows)])
                s.flush()
            for number, params, result_json, n, created, saved in runs:
                s.add(m.AnalysisRun(study_version_id=version_ids[number - 1], params=dict(params),
                                    result_json=result_json, n_responses=n, created_at=created,
                                    **saved))
    except IntegrityError:
        raise ImportFailed(f"a study called {new_slug!r} already exists; import the file under "
                           f"another slug") from None
    return store.get_study(new_slug)


# ---------------------------------------------------------------------------
# responses for analysis tools (via the engine's writers)
# ---------------------------------------------------------------------------
def sorts_data(store: Store, slug: str, version: int | None = None) -> QSortData:
    """One version's Q-sorts as the engine's :class:`QSortData` (texts, grid, title)."""
    info = store.get_study(slug, version)
    defn = info.definition
    frame = store.sorts_frame(slug, info.version)
    texts = pd.Series([s.text for s in defn.statements],
                      index=pd.Index(defn.statement_ids(), name="statement"), name="text")
    return QSortData(sorts=frame, statements=texts, grid=defn.grid, title=defn.title)


SORT_FORMATS = {".csv": "sorts.csv table", ".dat": "PQMethod .DAT + .STA", ".json": "Ken-Q JSON"}


def sorts_export_paths(path: str | os.PathLike) -> dict[Path, str]:
    """The files :func:`export_sorts` writes for ``path``, each with what it holds.

    ``.csv``: the table and ``<name>.statements.csv`` (the statement texts;
    named after the table so that two exports in one folder never overwrite
    each other's texts). ``.dat``: the PQMethod file and its ``.STA`` (``.sta``
    for a lower-case suffix). ``.json``: one Ken-Q Sort file.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in SORT_FORMATS:
        raise StorageError(f"cannot tell the format of {path.name!r}: use a file name ending in "
                           + ", ".join(f"{s} ({what})" for s, what in SORT_FORMATS.items()))
    if suffix == ".csv":
        return {path: "Q-sorts", path.with_name(path.stem + ".statements.csv"): "statement texts"}
    if suffix == ".dat":
        return {path: "Q-sorts", path.with_suffix(".STA" if path.suffix == ".DAT" else ".sta"):
                "statement texts"}
    return {path: "Q-sorts and statement texts"}


def export_sorts(store: Store, slug: str, path: str | os.PathLike,
                 version: int | None = None) -> list[Path]:
    """Write one version's responses to ``path``, in the format its suffix names
    (the files of :func:`sorts_export_paths`, replaced if they exist). Returns
    the files written."""
    from qmethod.io import kenq, pqmethod, sorts_csv

    targets = list(sorts_export_paths(path))
    data = sorts_data(store, slug, version)
    if data.sorts.shape[1] == 0:
        raise StorageError(f"the study {slug!r} has no responses to export yet")
    suffix = targets[0].suffix.lower()
    if suffix == ".csv":
        sorts_csv.write_sorts_csv(data, targets[0], statements_path=targets[1])
    elif suffix == ".dat":
        pqmethod.write_dat(data, targets[0])
        pqmethod.write_sta(data, targets[1])
    else:
        kenq.write_kenq_json(data, targets[0])
    return targets
