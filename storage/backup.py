"""Backing up a whole database to one portable file, and restoring it.

    python -m storage backup FILE      # FILE.gz: compressed
    python -m storage restore FILE [--replace]

The file is JSON Lines, the same whatever the backend, so a SQLite backup
restores into PostgreSQL and back (moving from the embedded file to a server
is a backup and a restore). Line 1 is a header (``format``, ``version``, the
schema ``revision``, when and from which backend); then, for each table in the
order its foreign keys need, a line ``{"table": ..., "columns": [...]}``
followed by one JSON array per row; the last line ``{"end": true, "rows":
{table: count}}`` says the file is whole. Times are ISO 8601 text in UTC,
JSON columns stay JSON. A file is written as ``FILE.part`` and renamed when
complete, so a crash never leaves a half backup under the real name.

The backup reads every table in ONE read transaction (a consistent snapshot:
PostgreSQL's REPEATABLE READ, SQLite's WAL snapshot) while the platform keeps
running. The restore writes every row in ONE write transaction: it succeeds
whole or leaves the database as it was. It refuses a database that holds any
row (e.g. one where the app has started and published its co-production
study) unless ``replace`` is given, which deletes what is there first. A
backup whose schema revision is older than the code's restores when its
tables and columns all still exist (the platform's migrations so far only
add tables and nullable columns); a newer one is refused.

Why not SQLite's backup API and ``pg_dump``: they are faster on huge
databases, but neither restores into the other backend, ``pg_dump`` must
match the server's version, and a researcher moving a study's data from a
laptop to a server is the common case here.
"""
from __future__ import annotations

import gzip
import io
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import JSON, DateTime, delete, func, insert, select, text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import InterfaceError, OperationalError, SQLAlchemyError

from qmethod.errors import FormatError
from qmethod.files import check_regular_input, output_target
from qmethod.textcheck import find_bad_text

from . import models as m
from .base import unavailable
from .db import WRITE_OPTION
from .errors import StorageError
from .migrations import current_revision, head_revision

FORMAT = "qplatform-backup"
VERSION = 1
BATCH = 1000


@dataclass
class BackupSummary:
    """What a backup or a restore moved: rows per table, and the file."""

    path: Path
    rows: dict[str, int] = field(default_factory=dict)
    revision: str | None = None

    @property
    def total(self) -> int:
        return sum(self.rows.values())

    def text(self) -> str:
        tables = sum(1 for n in self.rows.values() if n)
        return f"{self.total:,} rows in {tables} tables"


class BackupError(StorageError):
    """A backup cannot be written or restored; the message says why."""

    code = "backup_failed"


def _tables():
    return list(m.Base.metadata.sorted_tables)      # parents before children


def _encode(value):
    if isinstance(value, datetime):
        if value.tzinfo is None:                    # SQLite hands back naive UTC
            value = value.replace(tzinfo=UTC)
        return value.astimezone(UTC).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return value


def _decoder(column):
    if isinstance(column.type, DateTime):
        def decode(value):
            if value is None:
                return None
            dt = datetime.fromisoformat(value)
            return dt if dt.tzinfo else dt.replace(tzinfo=UTC)
        return decode
    if isinstance(column.type, JSON):
        return lambda value: value
    return lambda value: value


def _open_write(path: Path, compressed: bool):
    raw = open(path, "wb")
    stream = gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) if compressed else raw
    return raw, io.TextIOWrapper(stream, encoding="utf-8", newline="\n")


def _line(obj) -> str:
    return json.dumps(obj, ensure_ascii=True, allow_nan=False, separators=(",", ":")) + "\n"


def backup(store, path: str | Path) -> BackupSummary:
    """Write every row of ``store``'s database to ``path`` (``.gz``: compressed)."""
    path = output_target(path)          # a regular file or none: never a device or a FIFO
    part = path.with_name(path.name + ".part")
    summary = BackupSummary(path, revision=current_revision(store.engine))
    raw = None
    try:
        raw, out = _open_write(part, path.suffix == ".gz")
        out.write(_line({"format": FORMAT, "version": VERSION, "revision": summary.revision,
                         "created_at": datetime.now(UTC).isoformat(), "backend": store.backend,
                         "tables": [t.name for t in _tables()]}))
        with _snapshot(store) as conn:
            for table in _tables():
                columns = [c.name for c in table.columns]
                out.write(_line({"table": table.name, "columns": columns}))
                n = 0
                order = list(table.primary_key.columns) or list(table.columns)
                result = conn.execution_options(stream_results=True, yield_per=BATCH) \
                    .execute(select(*table.columns).order_by(*order))
                for row in result:
                    out.write(_line([_encode(v) for v in row]))
                    n += 1
                summary.rows[table.name] = n
        out.write(_line({"end": True, "rows": summary.rows}))
        out.flush()
        if out.buffer is not raw:
            out.buffer.close()                  # writes the gzip trailer (raw stays open)
        raw.flush()
        os.fsync(raw.fileno())
        raw.close()
        os.replace(part, path)
    except (OperationalError, InterfaceError) as exc:
        _discard(raw, part)
        raise unavailable(exc, store.url) from exc
    except BaseException:
        _discard(raw, part)
        raise
    return summary


def _discard(raw, part: Path) -> None:
    if raw is not None:
        raw.close()
    part.unlink(missing_ok=True)


class _snapshot:
    """One read transaction over every table (REPEATABLE READ on PostgreSQL)."""

    def __init__(self, store):
        self.store = store

    def __enter__(self) -> Connection:
        conn = self.store.engine.connect()
        if self.store.backend == "postgresql":
            conn = conn.execution_options(isolation_level="REPEATABLE READ")
        self.conn = conn
        self.tx = conn.begin()
        return conn

    def __exit__(self, *exc):
        try:
            self.tx.rollback()
        finally:
            self.conn.close()


#: Longest line of a backup file read back (one row: an analysis run's result
#: is the largest, a few MB).
MAX_LINE_CHARS = 256 * 2 ** 20


def _read_lines(path: Path) -> Iterator[object]:
    with open(path, "rb") as probe:
        gz = probe.read(2) == b"\x1f\x8b"
    opener = gzip.open if gz else open
    try:
        with opener(path, "rt", encoding="utf-8") as f:
            # a line at a time, each at most MAX_LINE_CHARS: a damaged or hostile
            # file (one endless line, a gzip bomb) cannot fill the memory
            for number, line in enumerate(iter(lambda: f.readline(MAX_LINE_CHARS + 1), ""), start=1):
                if len(line) > MAX_LINE_CHARS:
                    raise BackupError(f"{path.name}: line {number} is longer than "
                                      f"{MAX_LINE_CHARS} characters: this is not a backup of this "
                                      "platform; nothing was restored")
                if not line.strip():
                    continue
                try:
                    yield json.loads(line)
                except ValueError:
                    raise BackupError(f"{path.name}: line {number} is not JSON: this file is not "
                                      "a whole backup; nothing was restored") from None
    except (OSError, EOFError, UnicodeDecodeError) as exc:
        if isinstance(exc, FileNotFoundError):
            raise
        raise BackupError(f"{path.name} cannot be read as a backup ({exc}); nothing was "
                          "restored") from None


def _rows_in(conn: Connection) -> dict[str, int]:
    return {t.name: n for t in _tables()
            if (n := int(conn.execute(select(func.count()).select_from(t)).scalar() or 0))}


def restore(store, path: str | Path, *, replace: bool = False) -> BackupSummary:
    """Load the backup at ``path`` into ``store``'s (migrated) database.

    Refuses a database that holds any row unless ``replace`` (then everything
    in it is deleted first, in the same transaction). All or nothing.
    """
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(2, "No such file or directory", str(path))
    try:
        check_regular_input(path, what="backup")      # a FIFO or a device would never end
    except FormatError as exc:
        raise BackupError(f"{exc}; nothing was restored") from None
    lines = _read_lines(path)
    header = next(lines, None)
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise BackupError(f"{path.name} is not a backup of this platform (made by "
                          "'python -m storage backup'); nothing was restored")
    if header.get("version") != VERSION:
        raise BackupError(f"{path.name} is a backup of format version {header.get('version')!r}; "
                          f"this platform reads version {VERSION}; nothing was restored")
    head = head_revision()
    if header.get("revision") not in _known_revisions():
        raise BackupError(f"{path.name} was made by a newer version of the platform (schema "
                          f"{header.get('revision')!r}, this one knows up to {head!r}): restore "
                          "it with that version; nothing was restored")
    if current_revision(store.engine) != head:
        raise BackupError("the database is not migrated to this platform's schema; "
                          "run 'python -m storage init' first")
    tables = {t.name: t for t in _tables()}
    summary = BackupSummary(path, revision=header.get("revision"))
    try:
        with store.engine.connect() as conn:
            conn = conn.execution_options(**{WRITE_OPTION: True})
            with conn.begin():
                present = _rows_in(conn)
                if present and not replace:
                    what = ", ".join(f"{n} {t}" for t, n in list(present.items())[:4])
                    raise BackupError(f"the database is not empty ({what}...): restore into an "
                                      "empty database, or add --replace to delete everything "
                                      "in it first; nothing was restored")
                if present:
                    for table in reversed(_tables()):
                        conn.execute(delete(table))
                _load(conn, lines, tables, summary, path)
                if conn.dialect.name == "postgresql":
                    _reset_sequences(conn)
    except (OperationalError, InterfaceError) as exc:
        raise unavailable(exc, store.url) from exc
    except SQLAlchemyError as exc:          # a row the database refuses: nothing was written
        reason = (str(getattr(exc, "orig", None) or exc).strip().splitlines() or ["?"])[0]
        raise BackupError(f"{path.name} cannot be restored: {reason[:200]}; nothing was "
                          "restored") from None
    store.clear_cache()
    return summary


def _known_revisions() -> set[str]:
    from alembic.script import ScriptDirectory

    from .migrations import alembic_config
    return {s.revision for s in ScriptDirectory.from_config(alembic_config()).walk_revisions()}


def _load(conn: Connection, lines: Iterator[object], tables: dict, summary: BackupSummary,
          path: Path) -> None:
    table, columns, decoders, batch = None, [], [], []

    def flush() -> None:
        if batch:
            conn.execute(insert(table), batch)
            batch.clear()

    ended = False
    for item in lines:
        if isinstance(item, list):
            if table is None or len(item) != len(columns):
                raise BackupError(f"{path.name} holds a row that fits no table; nothing was "
                                  "restored")
            bad = find_bad_text(item)       # refused on both backends alike, before the database
            if bad is not None:
                raise BackupError(f"{path.name}: row {summary.rows[table.name] + 1} of "
                                  f"{table.name!r}, column {columns[bad[0][0]]!r} holds {bad[1]}; "
                                  "nothing was restored")
            batch.append({c: d(v) for c, d, v in zip(columns, decoders, item)})
            summary.rows[table.name] += 1
            if len(batch) >= BATCH:
                flush()
        elif isinstance(item, dict) and "table" in item:
            flush()
            table = tables.get(item["table"])
            if table is None:
                raise BackupError(f"{path.name} holds a table {item['table']!r} this platform "
                                  "does not have; nothing was restored")
            columns = [str(c) for c in item.get("columns") or []]
            unknown = [c for c in columns if c not in table.columns]
            if unknown:
                raise BackupError(f"{path.name}: the table {table.name!r} has no column "
                                  f"{unknown[0]!r} here; nothing was restored")
            decoders = [_decoder(table.columns[c]) for c in columns]
            summary.rows[table.name] = 0
        elif isinstance(item, dict) and item.get("end"):
            flush()
            expected = item.get("rows") or {}
            if {k: v for k, v in expected.items() if v} != \
                    {k: v for k, v in summary.rows.items() if v}:
                raise BackupError(f"{path.name} does not hold the rows its last line counts; "
                                  "nothing was restored")
            ended = True
            break
        else:
            raise BackupError(f"{path.name} holds a line this platform cannot read; nothing "
                              "was restored")
    if not ended:
        raise BackupError(f"{path.name} is incomplete (it stops before its last line): nothing "
                          "was restored")


def _reset_sequences(conn: Connection) -> None:
    """Let PostgreSQL's id sequences continue after the restored ids."""
    for table in _tables():
        pk = list(table.primary_key.columns)
        if len(pk) != 1 or pk[0].name != "id" or not pk[0].autoincrement:
            continue
        seq = conn.execute(text("SELECT pg_get_serial_sequence(:t, 'id')"),
                           {"t": table.name}).scalar()
        if seq:
            conn.execute(text(f'SELECT setval(:s, COALESCE((SELECT MAX(id) FROM "{table.name}"), 1), '
                              f'(SELECT MAX(id) FROM "{table.name}") IS NOT NULL)'), {"s": seq})
