"""A participant's withdrawal: ``participant_tokens.withdrawn_at`` is set when
the participant withdrew their submitted response from their own link (the
response is deleted; the link, revoked, then says it was withdrawn).

A new nullable column only, added and dropped in place (a rebuilt table
would cascade to its children on SQLite). Written out in full (no import of storage.models).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 14:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('participant_tokens',
                  sa.Column('withdrawn_at', sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    # in place on SQLite too (3.35+): a batch rebuild of participant_tokens
    # would cascade-delete its sessions and responses
    op.execute('ALTER TABLE participant_tokens DROP COLUMN withdrawn_at')
