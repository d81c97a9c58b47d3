"""Schema migrations (Alembic), run from Python: no ``alembic.ini`` needed.

:func:`upgrade` brings a database to the newest schema; the :class:`~storage.store.Store`
calls it when it starts. It runs in one transaction and is safe when several
app replicas start at once:

* PostgreSQL: the transaction first takes a transaction-level advisory lock
  (keyed by the current schema), so one replica migrates while the others
  wait, then find nothing left to do. DDL is transactional there, so a failed
  migration leaves nothing half done.
* SQLite: the transaction is opened with ``BEGIN IMMEDIATE``, which holds the
  database's write lock for the whole upgrade.

To add a migration, copy the newest file in ``versions/``, give it a new
``revision`` and set ``down_revision`` to the previous one (or run
``alembic -c`` with a config whose ``script_location`` is this folder).
"""
from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.engine import Engine

from ..db import WRITE_OPTION

HERE = Path(__file__).resolve().parent
ADVISORY_LOCK_PREFIX = "qplatform-migrations:"


def alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(HERE))
    return cfg


def head_revision() -> str:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def _migrate(engine: Engine, step, revision: str) -> None:
    """Run an Alembic ``step`` (command.upgrade / command.downgrade) in one
    transaction; on PostgreSQL an advisory lock per schema makes replicas that
    start together migrate one after the other."""
    cfg = alembic_config()
    with engine.connect() as conn:
        conn.execution_options(**{WRITE_OPTION: True})
        with conn.begin():
            if conn.dialect.name == "postgresql":
                conn.execute(text("SELECT pg_advisory_xact_lock(hashtext(:key || current_schema()))"),
                             {"key": ADVISORY_LOCK_PREFIX})
            cfg.attributes["connection"] = conn
            step(cfg, revision)


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Migrate the database behind ``engine`` to ``revision`` (default: newest)."""
    _migrate(engine, command.upgrade, revision)


def downgrade(engine: Engine, revision: str) -> None:
    """Migrate down to ``revision`` (``"base"`` drops every table)."""
    _migrate(engine, command.downgrade, revision)
