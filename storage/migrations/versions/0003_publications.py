"""Published results pages: a frozen snapshot of a study's results under an
unguessable link (only the token's SHA-256 is stored).

A new table only. Written out in full (no import of storage.models).

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01 09:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('publications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('study_id', sa.Integer(), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=True),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('content', sa.JSON(), nullable=True),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("status IN ('live', 'replaced', 'withdrawn')", name=op.f('ck_publications_status')),
    sa.ForeignKeyConstraint(['run_id'], ['analysis_runs.id'], name=op.f('fk_publications_run_id_analysis_runs'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['study_id'], ['studies.id'], name=op.f('fk_publications_study_id_studies'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_publications')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_publications_token_hash'))
    )
    op.create_index('ix_publications_study_id', 'publications', ['study_id'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_publications_study_id', table_name='publications')
    op.drop_table('publications')
