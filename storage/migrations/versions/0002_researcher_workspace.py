"""The researcher's workspace: sign-in sessions, throttling of failed sign-ins,
study access (owners and shares), study drafts, invitation batches and revoked
links, excluded responses (and what the monitoring checks need of each
response, worked out once), and the log of researchers' actions on a study.

Only new tables and new nullable columns: no existing table is rebuilt (on
SQLite a rebuilt ``studies`` table would cascade-delete every version and
response through its foreign keys).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 09:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('researcher_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('researcher_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['researcher_id'], ['researchers.id'], name=op.f('fk_researcher_sessions_researcher_id_researchers'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_researcher_sessions')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_researcher_sessions_token_hash'))
    )
    op.create_index('ix_researcher_sessions_researcher_id', 'researcher_sessions', ['researcher_id'], unique=False)

    op.create_table('signin_throttle',
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.Column('first_failure_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_failure_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_signin_throttle'))
    )
    op.create_table('study_access',
    sa.Column('study_id', sa.Integer(), nullable=False),
    sa.Column('researcher_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("role IN ('owner', 'editor')", name=op.f('ck_study_access_role')),
    sa.ForeignKeyConstraint(['researcher_id'], ['researchers.id'], name=op.f('fk_study_access_researcher_id_researchers'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['study_id'], ['studies.id'], name=op.f('fk_study_access_study_id_studies'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('study_id', 'researcher_id', name=op.f('pk_study_access'))
    )
    op.create_index('ix_study_access_researcher_id', 'study_access', ['researcher_id'], unique=False)

    op.create_table('study_drafts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('study_id', sa.Integer(), nullable=False),
    sa.Column('content', sa.JSON(), nullable=False),
    sa.Column('base_version', sa.Integer(), nullable=True),
    sa.Column('updated_by', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['study_id'], ['studies.id'], name=op.f('fk_study_drafts_study_id_studies'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['updated_by'], ['researchers.id'], name=op.f('fk_study_drafts_updated_by_researchers'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_study_drafts')),
    sa.UniqueConstraint('study_id', name=op.f('uq_study_drafts_study_id'))
    )
    op.create_table('invitation_batches',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('study_id', sa.Integer(), nullable=False),
    sa.Column('label', sa.String(length=200), nullable=True),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by'], ['researchers.id'], name=op.f('fk_invitation_batches_created_by_researchers'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['study_id'], ['studies.id'], name=op.f('fk_invitation_batches_study_id_studies'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_invitation_batches'))
    )
    op.create_index('ix_invitation_batches_study_id', 'invitation_batches', ['study_id'], unique=False)

    op.create_table('study_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('study_id', sa.Integer(), nullable=False),
    sa.Column('researcher_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=32), nullable=False),
    sa.Column('response_id', sa.Integer(), nullable=True),
    sa.Column('detail', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['researcher_id'], ['researchers.id'], name=op.f('fk_study_events_researcher_id_researchers'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['study_id'], ['studies.id'], name=op.f('fk_study_events_study_id_studies'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_study_events'))
    )
    op.create_index('ix_study_events_study_id', 'study_events', ['study_id'], unique=False)

    # New nullable columns on existing tables. SQLite adds a column (with its
    # REFERENCES clause) in place; the foreign key gets the name the naming
    # convention gives it on PostgreSQL.
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        # kept by a downgrade (see there): add it only if it is not there
        columns = {c["name"] for c in sa.inspect(bind).get_columns("participant_tokens")}
        if "batch_id" not in columns:
            op.execute("ALTER TABLE participant_tokens ADD COLUMN batch_id INTEGER "
                       "CONSTRAINT fk_participant_tokens_batch_id_invitation_batches "
                       "REFERENCES invitation_batches (id)")
    else:
        op.add_column('participant_tokens', sa.Column('batch_id', sa.Integer(), nullable=True))
        op.create_foreign_key(op.f('fk_participant_tokens_batch_id_invitation_batches'),
                              'participant_tokens', 'invitation_batches', ['batch_id'], ['id'])
    op.add_column('participant_tokens', sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True))
    op.add_column('responses', sa.Column('excluded_at', sa.DateTime(timezone=True), nullable=True))
    op.add_column('responses', sa.Column('exclusion_reason', sa.Text(), nullable=True))
    op.add_column('responses', sa.Column('device', sa.String(length=16), nullable=True))
    op.add_column('responses', sa.Column('sort_seconds', sa.Float(), nullable=True))
    op.add_column('responses', sa.Column('against_presort', sa.Integer(), nullable=True))
    op.add_column('responses', sa.Column('placement_hash', sa.String(length=64), nullable=True))


def downgrade() -> None:
    # SQLite 3.35+ drops a plain column in place, but not one with a foreign
    # key, and rebuilding participant_tokens would cascade-delete its sessions
    # and responses: there batch_id stays, emptied, and the upgrade reuses it.
    op.execute("UPDATE participant_tokens SET batch_id = NULL")
    for column in ('placement_hash', 'against_presort', 'sort_seconds', 'device',
                   'exclusion_reason'):
        op.drop_column('responses', column)
    op.drop_column('responses', 'excluded_at')
    op.drop_column('participant_tokens', 'revoked_at')
    if op.get_bind().dialect.name != "sqlite":
        op.drop_constraint(op.f('fk_participant_tokens_batch_id_invitation_batches'),
                           'participant_tokens', type_='foreignkey')
        op.drop_column('participant_tokens', 'batch_id')
    op.drop_index('ix_study_events_study_id', table_name='study_events')
    op.drop_table('study_events')
    op.drop_index('ix_invitation_batches_study_id', table_name='invitation_batches')
    op.drop_table('invitation_batches')
    op.drop_table('study_drafts')
    op.drop_index('ix_study_access_researcher_id', table_name='study_access')
    op.drop_table('study_access')
    op.drop_table('signin_throttle')
    op.drop_index('ix_researcher_sessions_researcher_id', table_name='researcher_sessions')
    op.drop_table('researcher_sessions')
