"""Caps on the sessions an open link starts per minute: ``open_link_starts``
holds one row per start and key (client or study, hashed) for the minute the
caps look back on (see storage/limits.py).

A new table only. Written out in full (no import of storage.models).

Revision ID: 0005
Revises: 0003
Create Date: 2026-12-01 12:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('open_link_starts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_open_link_starts'))
    )
    op.create_index('ix_open_link_starts_key_created_at', 'open_link_starts',
                    ['key', 'created_at'], unique=False)
    op.create_index('ix_open_link_starts_created_at', 'open_link_starts', ['created_at'],
                    unique=False)


def downgrade() -> None:
    op.drop_index('ix_open_link_starts_created_at', table_name='open_link_starts')
    op.drop_index('ix_open_link_starts_key_created_at', table_name='open_link_starts')
    op.drop_table('open_link_starts')
