"""Initial schema: researchers, studies and their versions, participant tokens,
sessions in progress, responses and analysis runs.

Written out in full (no import of storage.models) so that it stays what it was
when later migrations change the models.

Revision ID: 0001
Revises: 
Create Date: 2026-11-22 22:48:19.415190
"""
import sqlalchemy as sa
from alembic import op

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('researchers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=320), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_researchers')),
    sa.UniqueConstraint('email', name=op.f('uq_researchers_email'))
    )
    op.create_table('studies',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=100), nullable=False),
    sa.Column('is_demo', sa.Boolean(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("status IN ('open', 'closed')", name=op.f('ck_studies_status')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_studies')),
    sa.UniqueConstraint('id', 'is_demo', name='uq_studies_id_is_demo'),
    sa.UniqueConstraint('slug', name=op.f('uq_studies_slug'))
    )
    op.create_table('study_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('study_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('fingerprint', sa.String(length=64), nullable=False),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('definition', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('version >= 1', name=op.f('ck_study_versions_version_positive')),
    sa.ForeignKeyConstraint(['study_id'], ['studies.id'], name=op.f('fk_study_versions_study_id_studies'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_study_versions')),
    sa.UniqueConstraint('id', 'study_id', name='uq_study_versions_id_study_id'),
    sa.UniqueConstraint('study_id', 'version', name='uq_study_versions_study_id_version')
    )
    op.create_table('analysis_runs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('study_version_id', sa.Integer(), nullable=False),
    sa.Column('params', sa.JSON(), nullable=False),
    sa.Column('result_json', sa.Text(), nullable=False),
    sa.Column('n_responses', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['study_version_id'], ['study_versions.id'], name=op.f('fk_analysis_runs_study_version_id_study_versions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_analysis_runs'))
    )
    op.create_index('ix_analysis_runs_study_version_id', 'analysis_runs', ['study_version_id'], unique=False)

    op.create_table('participant_tokens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token', sa.String(length=64), nullable=False),
    sa.Column('study_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('label', sa.String(length=200), nullable=True),
    sa.Column('pinned_version_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('invitation', 'open', 'demo', 'imported')", name=op.f('ck_participant_tokens_kind')),
    sa.ForeignKeyConstraint(['pinned_version_id'], ['study_versions.id'], name=op.f('fk_participant_tokens_pinned_version_id_study_versions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['study_id'], ['studies.id'], name=op.f('fk_participant_tokens_study_id_studies'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_participant_tokens')),
    sa.UniqueConstraint('token', name=op.f('uq_participant_tokens_token'))
    )
    op.create_index('ix_participant_tokens_study_id', 'participant_tokens', ['study_id'], unique=False)

    op.create_table('participant_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token_id', sa.Integer(), nullable=False),
    sa.Column('study_version_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('step', sa.String(length=64), nullable=True),
    sa.Column('draft', sa.JSON(), nullable=True),
    sa.Column('consented_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("status IN ('consented', 'in_progress', 'submitted')", name=op.f('ck_participant_sessions_status')),
    sa.ForeignKeyConstraint(['study_version_id'], ['study_versions.id'], name=op.f('fk_participant_sessions_study_version_id_study_versions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['token_id'], ['participant_tokens.id'], name=op.f('fk_participant_sessions_token_id_participant_tokens'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_participant_sessions')),
    sa.UniqueConstraint('token_id', name=op.f('uq_participant_sessions_token_id'))
    )
    op.create_table('responses',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token_id', sa.Integer(), nullable=False),
    sa.Column('study_id', sa.Integer(), nullable=False),
    sa.Column('study_version_id', sa.Integer(), nullable=False),
    sa.Column('is_demo', sa.Boolean(), nullable=False),
    sa.Column('placements', sa.JSON(), nullable=False),
    sa.Column('presort', sa.JSON(), nullable=False),
    sa.Column('answers', sa.JSON(), nullable=False),
    sa.Column('timings', sa.JSON(), nullable=False),
    sa.Column('user_agent', sa.Text(), nullable=False),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['study_id', 'is_demo'], ['studies.id', 'studies.is_demo'], name='fk_responses_study_id_is_demo_studies', ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['study_version_id', 'study_id'], ['study_versions.id', 'study_versions.study_id'], name='fk_responses_study_version_id_study_id_study_versions', ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['token_id'], ['participant_tokens.id'], name=op.f('fk_responses_token_id_participant_tokens'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_responses')),
    sa.UniqueConstraint('token_id', name=op.f('uq_responses_token_id'))
    )
    op.create_index('ix_responses_study_id', 'responses', ['study_id'], unique=False)
    op.create_index('ix_responses_study_version_id', 'responses', ['study_version_id'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_responses_study_version_id', table_name='responses')
    op.drop_index('ix_responses_study_id', table_name='responses')

    op.drop_table('responses')
    op.drop_table('participant_sessions')
    op.drop_index('ix_participant_tokens_study_id', table_name='participant_tokens')

    op.drop_table('participant_tokens')
    op.drop_index('ix_analysis_runs_study_version_id', table_name='analysis_runs')

    op.drop_table('analysis_runs')
    op.drop_table('study_versions')
    op.drop_table('studies')
    op.drop_table('researchers')
