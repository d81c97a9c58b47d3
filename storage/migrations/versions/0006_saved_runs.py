"""Saved analysis runs for the workspace (name, author, data and its
fingerprint, interpretation, reported mark) and stale marks on runs and
publications whose data was later deleted or withdrawn.

New columns only, added in place (a rebuilt table would cascade to its
children on SQLite) (``reported`` defaults to false), so existing rows
stay valid. Written out in full (no import of storage.models).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 13:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('analysis_runs') as batch:
        batch.add_column(sa.Column('name', sa.Text(), nullable=True))
        batch.add_column(sa.Column('created_by', sa.Integer(), nullable=True))
        batch.add_column(sa.Column('source', sa.String(length=16), nullable=True))
        batch.add_column(sa.Column('data_json', sa.Text(), nullable=True))
        batch.add_column(sa.Column('fingerprint', sa.String(length=64), nullable=True))
        batch.add_column(sa.Column('interpretation', sa.JSON(), nullable=True))
        batch.add_column(sa.Column('reported', sa.Boolean(), nullable=False,
                                   server_default=sa.false()))
        batch.add_column(sa.Column('stale_at', sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column('stale_reason', sa.Text(), nullable=True))
    with op.batch_alter_table('publications') as batch:
        batch.add_column(sa.Column('stale_at', sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column('stale_reason', sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('publications') as batch:
        batch.drop_column('stale_reason')
        batch.drop_column('stale_at')
    with op.batch_alter_table('analysis_runs') as batch:
        for col in ('stale_reason', 'stale_at', 'reported', 'interpretation', 'fingerprint',
                    'data_json', 'source', 'created_by', 'name'):
            batch.drop_column(col)
