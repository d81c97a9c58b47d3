"""Database engines: an embedded SQLite file by default, PostgreSQL when configured.

``database_url()`` answers the ``DATABASE_URL`` environment variable when it is
set, else a SQLite file under ``<repo>/data/`` (the folder is created on first
use). ``make_engine(url, schema=...)`` builds an SQLAlchemy engine set up for
the platform:

* SQLite: write-ahead logging (readers never block the writer), a busy
  timeout, foreign keys enforced, and write transactions opened with
  ``BEGIN IMMEDIATE`` so two writers queue on the busy timeout instead of
  failing with "database is locked" when one upgrades a read to a write.
  Commits run with ``synchronous = NORMAL`` (no fsync of the log at each
  commit: a power loss may undo the last commits, never corrupt the file),
  except the transactions marked ``DURABLE_OPTION`` (a submission, a new
  link or consent), which run with ``synchronous = FULL``: once the
  participant is told "received", it is on the disk. The cost of each is
  measured by ``bench/bench_durability.py``.
* PostgreSQL: the psycopg 3 driver (``postgres://`` and ``postgresql://``
  URLs are normalised to ``postgresql+psycopg://``) and, optionally, a schema
  put first on the ``search_path`` of every connection, so that tests (or two
  platforms sharing a server) can live side by side in one database.
"""
from __future__ import annotations

import os
import re
import sqlite3
import time
from pathlib import Path

from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.engine.url import URL
from sqlalchemy.exc import IntegrityError, OperationalError

from .errors import StorageError

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SQLITE_NAME = "qplatform.sqlite3"
SCHEMA_PATTERN = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")

#: how long a SQLite writer waits for another one (seconds)
SQLITE_BUSY_SECONDS = 60.0

#: execution option that marks a transaction as one that will write
WRITE_OPTION = "qplatform_write"
#: execution option that marks a write whose commit must survive a power loss
#: (SQLite: ``synchronous = FULL`` for that transaction, see ``_sqlite_engine``)
DURABLE_OPTION = "qplatform_durable"


def default_sqlite_path() -> Path:
    return REPO_ROOT / "data" / DEFAULT_SQLITE_NAME


def database_url() -> str:
    """``DATABASE_URL`` if set (normalised), else the embedded SQLite file.

    The default file's folder is created here, so the database is created on
    first run with no setup.
    """
    env = os.environ.get("DATABASE_URL", "").strip()
    if env:
        return normalise_url(env)
    path = default_sqlite_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{path}"


def normalise_url(url: str) -> str:
    """Accept ``postgres://`` / ``postgresql://`` (as hosting platforms give them)
    and use the psycopg 3 driver; leave every other URL as it is."""
    url = str(url).strip()
    for prefix in ("postgres://", "postgresql://", "postgresql+psycopg2://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def is_sqlite(engine_or_url) -> bool:
    name = engine_or_url.dialect.name if isinstance(engine_or_url, Engine) \
        else make_url(str(engine_or_url)).get_backend_name()
    return name == "sqlite"


def safe_url(url: str | URL) -> str:
    """The URL with any password hidden, fit for a log line or a message."""
    try:
        return make_url(str(url)).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - never fail while reporting
        return "<unparseable database URL>"


def check_schema_name(schema: str) -> str:
    if not SCHEMA_PATTERN.match(schema or ""):
        raise StorageError(f"the schema name {schema!r} must be lower-case letters, digits "
                           f"and '_' (at most 63), starting with a letter or '_'")
    return schema


def make_engine(url: str | None = None, *, schema: str | None = None,
                pool_size: int = 10, max_overflow: int = 20, echo: bool = False) -> Engine:
    """An engine for ``url`` (default :func:`database_url`).

    ``schema`` (PostgreSQL only) is created if missing and put first on each
    connection's ``search_path``; all tables, including Alembic's version
    table, then live in it. With SQLite a schema is refused: use another file.
    """
    url = normalise_url(url) if url else database_url()
    try:
        parsed = make_url(url)
    except Exception:  # noqa: BLE001
        # Never echo the URL itself: it may carry a password.
        raise StorageError("the database URL cannot be read; expected e.g. "
                           "postgresql://user@host:5432/dbname or sqlite:///path/to/file.sqlite3") from None
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        if schema:
            raise StorageError("a schema name only applies to PostgreSQL; with SQLite use "
                               "another database file instead")
        return _sqlite_engine(parsed, pool_size=pool_size, max_overflow=max_overflow, echo=echo)
    if backend == "postgresql":
        return _postgres_engine(parsed, schema=schema, pool_size=pool_size,
                                max_overflow=max_overflow, echo=echo)
    raise StorageError(f"unsupported database {backend!r} in {safe_url(url)}: use a sqlite:/// "
                       f"file or a postgresql:// server")


def _sqlite_engine(url: URL, *, pool_size: int, max_overflow: int, echo: bool) -> Engine:
    database = url.database or ""
    in_memory = database in ("", ":memory:") or database.startswith("file::memory:")
    if not in_memory:
        Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    kwargs = {}
    if not in_memory:
        kwargs.update(pool_size=pool_size, max_overflow=max_overflow, pool_timeout=60)
    engine = create_engine(url, echo=echo,
                           connect_args={"timeout": 60, "check_same_thread": False}, **kwargs)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        # Take transaction control from the sqlite3 module (its legacy mode
        # would never BEGIN before a SELECT); we emit BEGIN ourselves below.
        dbapi_connection.isolation_level = None
        cur = dbapi_connection.cursor()
        try:
            cur.execute(f"PRAGMA busy_timeout = {int(SQLITE_BUSY_SECONDS * 1000)}")
            cur.execute("PRAGMA foreign_keys = ON")
            if not in_memory:
                _wal(cur)
                cur.execute("PRAGMA synchronous = NORMAL")
                _record.info["qp_synchronous"] = "NORMAL"
        finally:
            cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        options = conn.get_execution_options()
        if not in_memory:
            # The level is read at COMMIT; it is a property of the connection,
            # so set it (only when it changes) before each transaction.
            level = "FULL" if options.get(DURABLE_OPTION) else "NORMAL"
            if conn.info.get("qp_synchronous") != level:
                conn.exec_driver_sql(f"PRAGMA synchronous = {level}")
                conn.info["qp_synchronous"] = level
        # Writers take the write lock up front: a deferred transaction that
        # reads and then writes fails at once (SQLITE_BUSY_SNAPSHOT) when
        # another writer committed in between; an immediate one just waits.
        if options.get(WRITE_OPTION):
            _begin_immediate(conn.connection.dbapi_connection)
        else:
            conn.exec_driver_sql("BEGIN")

    return engine


def _while_busy(cur, sql: str, nap: float) -> None:
    """Execute ``sql``, trying again every ``nap`` seconds while SQLite answers
    "database is locked" (SQLITE_BUSY), for up to ``SQLITE_BUSY_SECONDS``;
    then, or on any other error, raise the sqlite3 error."""
    deadline = time.monotonic() + SQLITE_BUSY_SECONDS
    while True:
        try:
            cur.execute(sql)
            return
        except sqlite3.OperationalError as exc:
            if exc.sqlite_errorcode != sqlite3.SQLITE_BUSY or time.monotonic() > deadline:
                raise
            time.sleep(nap)


def _wal(cur) -> None:
    """Put the database in WAL mode. Changing the mode needs the database to
    itself, and SQLite may answer "database is locked" at once, without its
    busy handler, while other processes open a new database at the same moment
    (replicas starting together): so try again for a while."""
    _while_busy(cur, "PRAGMA journal_mode = WAL", 0.005)


def _begin_immediate(dbapi_connection) -> None:
    """``BEGIN IMMEDIATE``, waiting for a writer of another process in naps of
    about a millisecond. (SQLite's own busy handler naps up to 100 ms at a
    time: the first writer of this process to wait, which holds the Store's
    write lock, would keep every other one waiting that long too.) Writers of
    one process queue on the Store's lock (``storage.base``), not here."""
    cur = dbapi_connection.cursor()
    try:
        cur.execute("PRAGMA busy_timeout = 2")
        try:
            _while_busy(cur, "BEGIN IMMEDIATE", 0.001)
        except sqlite3.OperationalError as exc:
            # as SQLAlchemy would have raised it (the Store reports it cleanly)
            raise OperationalError("BEGIN IMMEDIATE", None, exc) from exc
    finally:
        cur.execute(f"PRAGMA busy_timeout = {int(SQLITE_BUSY_SECONDS * 1000)}")
        cur.close()


def _postgres_engine(url: URL, *, schema: str | None, pool_size: int, max_overflow: int,
                     echo: bool) -> Engine:
    connect_args = {"connect_timeout": 10}
    if schema:
        check_schema_name(schema)
        connect_args["options"] = f"-csearch_path={schema},public"
    engine = create_engine(url, echo=echo, connect_args=connect_args, pool_size=pool_size,
                           max_overflow=max_overflow, pool_timeout=60, pool_pre_ping=True)
    if schema:
        try:
            with engine.begin() as conn:
                conn.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))
        except IntegrityError:
            pass  # another process created it at the same moment
    return engine


def drop_schema(engine: Engine, schema: str) -> None:
    """Drop a PostgreSQL schema and everything in it (tests clean up with this)."""
    check_schema_name(schema)
    with engine.begin() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
