"""Alembic environment: runs on the connection given by :func:`storage.migrations.upgrade`."""
from __future__ import annotations

from alembic import context

from storage.models import Base

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - guard against running plain `alembic upgrade`
    raise RuntimeError("run the migrations with storage.migrations.upgrade(engine) "
                       "or `python -m storage init`")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    transactional_ddl=True,
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
