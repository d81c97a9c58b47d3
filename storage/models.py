"""The tables of the platform (SQLAlchemy 2 declarative models).

Correctness comes from the database, so that several app replicas can share
one PostgreSQL server:

* ``participant_tokens.token`` is unique: a link is one participant.
* ``participant_sessions.token_id`` and ``responses.token_id`` are unique:
  one session and at most ONE response per token, whatever the number of
  double clicks, retries or replicas.
* ``study_versions (study_id, version)`` is unique: two replicas publishing
  the same change at once cannot both create "version 2".
* ``responses (study_id, is_demo)`` references ``studies (id, is_demo)``: a
  demo response can only belong to a demo study and a real response only to
  a real one, so demo data can never mix with real responses.
* ``researcher_sessions.token_hash`` is unique and holds the SHA-256 of the
  sign-in cookie's random value, never the value itself.
* ``study_drafts.study_id`` is unique: one draft (the next version) per study.
* ``study_access (study_id, researcher_id)`` is the key: a researcher has one
  role per study (``owner`` or ``editor``).

The schema is created and changed only by the Alembic migrations in
``storage/migrations/versions``; a test checks that they match these models.
"""
from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    DateTime,
    Float,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

STUDY_STATUSES = ("open", "closed")
TOKEN_KINDS = ("invitation", "open", "demo", "imported")
SESSION_STATUSES = ("consented", "in_progress", "submitted")
STUDY_ROLES = ("owner", "editor")


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def _ts(nullable: bool = False) -> Mapped:
    return mapped_column(DateTime(timezone=True), nullable=nullable,
                         default=None if nullable else utcnow)


class Researcher(Base):
    __tablename__ = "researchers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(320), nullable=False, unique=True)
    password_hash: Mapped[str] = mapped_column(String(255), nullable=False)
    created_at: Mapped[datetime] = _ts()


class Study(Base):
    """One study, named by its slug; its content lives in :class:`StudyVersion`."""

    __tablename__ = "studies"
    __table_args__ = (
        UniqueConstraint("id", "is_demo", name="uq_studies_id_is_demo"),
        CheckConstraint("status IN ('open', 'closed')", name="status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slug: Mapped[str] = mapped_column(String(100), nullable=False, unique=True)
    is_demo: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="open")
    created_at: Mapped[datetime] = _ts()


class StudyVersion(Base):
    """An immutable version of a study's definition (Q-set, grid, texts)."""

    __tablename__ = "study_versions"
    __table_args__ = (
        UniqueConstraint("study_id", "version", name="uq_study_versions_study_id_version"),
        UniqueConstraint("id", "study_id", name="uq_study_versions_id_study_id"),
        CheckConstraint("version >= 1", name="version_positive"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    study_id: Mapped[int] = mapped_column(ForeignKey("studies.id", ondelete="CASCADE"),
                                          nullable=False)
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    fingerprint: Mapped[str] = mapped_column(String(64), nullable=False)
    title: Mapped[str] = mapped_column(Text, nullable=False)
    definition: Mapped[dict] = mapped_column(JSON, nullable=False)
    created_at: Mapped[datetime] = _ts()


class ParticipantToken(Base):
    """A single-use participant link (an invitation or one issued by the open link).

    Until the participant consents this row is all that is stored: the study
    version shown to them is pinned here when they first open the link.
    """

    __tablename__ = "participant_tokens"
    __table_args__ = (
        CheckConstraint("kind IN ('invitation', 'open', 'demo', 'imported')", name="kind"),
        Index("ix_participant_tokens_study_id", "study_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    study_id: Mapped[int] = mapped_column(ForeignKey("studies.id", ondelete="CASCADE"),
                                          nullable=False)
    kind: Mapped[str] = mapped_column(String(16), nullable=False)
    label: Mapped[str | None] = mapped_column(String(200), nullable=True)
    pinned_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("study_versions.id", ondelete="CASCADE"), nullable=True)
    created_at: Mapped[datetime] = _ts()
    # the batch of invitations it was made in (None for open-link and demo
    # tokens); batches are deleted only with their study, which deletes its
    # tokens too (no ON DELETE action: SQLite cannot reflect one on a column
    # added by ALTER TABLE, see migration 0002)
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("invitation_batches.id"),
                                                 nullable=True)
    # a revoked link is refused like an unknown one
    revoked_at: Mapped[datetime | None] = _ts(nullable=True)
    # the participant withdrew their response from this link (then revoked
    # too; the link says so instead of "not recognised"; migration 0007)
    withdrawn_at: Mapped[datetime | None] = _ts(nullable=True)


class ParticipantSession(Base):
    """A participant's session after consent: the draft of a sort in progress."""

    __tablename__ = "participant_sessions"
    __table_args__ = (
        CheckConstraint("status IN ('consented', 'in_progress', 'submitted')", name="status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_id: Mapped[int] = mapped_column(ForeignKey("participant_tokens.id", ondelete="CASCADE"),
                                          nullable=False, unique=True)
    study_version_id: Mapped[int] = mapped_column(
        ForeignKey("study_versions.id", ondelete="CASCADE"), nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="consented")
    step: Mapped[str | None] = mapped_column(String(64), nullable=True)
    draft: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    consented_at: Mapped[datetime] = _ts()
    updated_at: Mapped[datetime] = _ts()
    submitted_at: Mapped[datetime | None] = _ts(nullable=True)


class Response(Base):
    """One submitted Q-sort with everything the participant gave."""

    __tablename__ = "responses"
    __table_args__ = (
        ForeignKeyConstraint(["study_id", "is_demo"], ["studies.id", "studies.is_demo"],
                             name="fk_responses_study_id_is_demo_studies", ondelete="CASCADE"),
        ForeignKeyConstraint(["study_version_id", "study_id"],
                             ["study_versions.id", "study_versions.study_id"],
                             name="fk_responses_study_version_id_study_id_study_versions",
                             ondelete="CASCADE"),
        Index("ix_responses_study_version_id", "study_version_id"),
        Index("ix_responses_study_id", "study_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_id: Mapped[int] = mapped_column(ForeignKey("participant_tokens.id", ondelete="CASCADE"),
                                          nullable=False, unique=True)
    study_id: Mapped[int] = mapped_column(Integer, nullable=False)
    study_version_id: Mapped[int] = mapped_column(Integer, nullable=False)
    is_demo: Mapped[bool] = mapped_column(Boolean, nullable=False)
    placements: Mapped[dict] = mapped_column(JSON, nullable=False)
    presort: Mapped[dict] = mapped_column(JSON, nullable=False)
    answers: Mapped[dict] = mapped_column(JSON, nullable=False)
    timings: Mapped[dict] = mapped_column(JSON, nullable=False)
    user_agent: Mapped[str] = mapped_column(Text, nullable=False, default="")
    submitted_at: Mapped[datetime] = _ts()
    # excluded from analysis by a researcher (reversible; see study_events)
    excluded_at: Mapped[datetime | None] = _ts(nullable=True)
    exclusion_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    # what the monitoring page's checks need, worked out once from the columns
    # above by studies.quality.response_checks (at submit, or on the first
    # monitoring view for rows stored without them: NULL means "not yet")
    device: Mapped[str | None] = mapped_column(String(16), nullable=True)
    sort_seconds: Mapped[float | None] = mapped_column(Float, nullable=True)
    against_presort: Mapped[int | None] = mapped_column(Integer, nullable=True)
    placement_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)


class AnalysisRun(Base):
    """A stored analysis of one study version (parameters and result JSON)."""

    __tablename__ = "analysis_runs"
    __table_args__ = (Index("ix_analysis_runs_study_version_id", "study_version_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    study_version_id: Mapped[int] = mapped_column(
        ForeignKey("study_versions.id", ondelete="CASCADE"), nullable=False)
    params: Mapped[dict] = mapped_column(JSON, nullable=False)
    result_json: Mapped[str] = mapped_column(Text, nullable=False)
    n_responses: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    created_at: Mapped[datetime] = _ts()
    # the workspace's saved runs (migration 0006): a name, who saved it, the
    # data it ran on (so an uploaded data set or a later-deleted response
    # still reruns) and its fingerprint, the researcher's interpretation
    # (names, narratives, accepted viewpoint matches) and the reported mark
    name: Mapped[str | None] = mapped_column(Text, nullable=True)
    # a researcher id, with no foreign key: adding one would make SQLite
    # rebuild the table, which cascades to the publications that point at it
    created_by: Mapped[int | None] = mapped_column(Integer, nullable=True)
    source: Mapped[str | None] = mapped_column(String(16), nullable=True)
    data_json: Mapped[str | None] = mapped_column(Text, nullable=True)
    fingerprint: Mapped[str | None] = mapped_column(String(64), nullable=True)
    interpretation: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    reported: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False,
                                           server_default=false())
    # set when data the run was built on is deleted or withdrawn
    stale_at: Mapped[datetime | None] = _ts(nullable=True)
    stale_reason: Mapped[str | None] = mapped_column(Text, nullable=True)


class ResearcherSession(Base):
    """A signed-in browser: only the SHA-256 of its random cookie value is kept.

    It expires after a day without activity (``last_seen_at``), see
    :mod:`storage.accounts`.
    """

    __tablename__ = "researcher_sessions"
    __table_args__ = (Index("ix_researcher_sessions_researcher_id", "researcher_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    researcher_id: Mapped[int] = mapped_column(ForeignKey("researchers.id", ondelete="CASCADE"),
                                               nullable=False)
    token_hash: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    created_at: Mapped[datetime] = _ts()
    last_seen_at: Mapped[datetime] = _ts()


class SignInThrottle(Base):
    """Failed sign-ins counted per key: the SHA-256 of ``account:<email>`` or
    ``client:<address>`` (neither is stored in clear)."""

    __tablename__ = "signin_throttle"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    first_failure_at: Mapped[datetime] = _ts()
    last_failure_at: Mapped[datetime] = _ts()


class StudyAccess(Base):
    """Who may open a study in the workspace: its owner and those it was shared with."""

    __tablename__ = "study_access"
    __table_args__ = (
        CheckConstraint("role IN ('owner', 'editor')", name="role"),
        Index("ix_study_access_researcher_id", "researcher_id"),
    )

    study_id: Mapped[int] = mapped_column(ForeignKey("studies.id", ondelete="CASCADE"),
                                          primary_key=True)
    researcher_id: Mapped[int] = mapped_column(ForeignKey("researchers.id", ondelete="CASCADE"),
                                               primary_key=True)
    role: Mapped[str] = mapped_column(String(16), nullable=False)
    created_at: Mapped[datetime] = _ts()


class StudyDraft(Base):
    """The next version of a study while it is being designed (one per study).

    ``content`` is the definition in dict form as the researcher left it: it may
    not be valid yet (the design page shows its problems); it becomes a
    :class:`StudyVersion` when published. ``base_version`` is the version it
    was copied from (None for a study never published).
    """

    __tablename__ = "study_drafts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    study_id: Mapped[int] = mapped_column(ForeignKey("studies.id", ondelete="CASCADE"),
                                          nullable=False, unique=True)
    content: Mapped[dict] = mapped_column(JSON, nullable=False)
    base_version: Mapped[int | None] = mapped_column(Integer, nullable=True)
    updated_by: Mapped[int | None] = mapped_column(
        ForeignKey("researchers.id", ondelete="SET NULL"), nullable=True)
    created_at: Mapped[datetime] = _ts()
    updated_at: Mapped[datetime] = _ts()


class InvitationBatch(Base):
    """Single-use links made together, with an optional label."""

    __tablename__ = "invitation_batches"
    __table_args__ = (Index("ix_invitation_batches_study_id", "study_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    study_id: Mapped[int] = mapped_column(ForeignKey("studies.id", ondelete="CASCADE"),
                                          nullable=False)
    label: Mapped[str | None] = mapped_column(String(200), nullable=True)
    size: Mapped[int] = mapped_column(Integer, nullable=False)
    created_by: Mapped[int | None] = mapped_column(
        ForeignKey("researchers.id", ondelete="SET NULL"), nullable=True)
    created_at: Mapped[datetime] = _ts()


class StudyEvent(Base):
    """The log of what researchers did to a study (publish, share, revoke,
    exclude, include, delete...). ``response_id`` has no foreign key, so the
    record of a deleted response stays."""

    __tablename__ = "study_events"
    __table_args__ = (Index("ix_study_events_study_id", "study_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    study_id: Mapped[int] = mapped_column(ForeignKey("studies.id", ondelete="CASCADE"),
                                          nullable=False)
    researcher_id: Mapped[int | None] = mapped_column(
        ForeignKey("researchers.id", ondelete="SET NULL"), nullable=True)
    action: Mapped[str] = mapped_column(String(32), nullable=False)
    response_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    detail: Mapped[str] = mapped_column(Text, nullable=False, default="")
    created_at: Mapped[datetime] = _ts()

class Publication(Base):
    """A published results page: a frozen snapshot of a study's results
    (:class:`analysis.report.Report` as JSON), reached by an unguessable link.

    Only the SHA-256 of the link's token is stored. ``status`` is ``live``,
    ``replaced`` (a newer publication of the study took over) or ``withdrawn``;
    when a publication ends its ``content`` is erased, so an old link can
    reveal nothing of the study. At most one publication per study is live
    (kept by :mod:`storage.publications`, which locks the study row).
    """

    __tablename__ = "publications"
    __table_args__ = (
        CheckConstraint("status IN ('live', 'replaced', 'withdrawn')", name="status"),
        Index("ix_publications_study_id", "study_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    study_id: Mapped[int] = mapped_column(ForeignKey("studies.id", ondelete="CASCADE"), nullable=False)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("analysis_runs.id", ondelete="SET NULL"),
                                               nullable=True)
    token_hash: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="live")
    content: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    published_at: Mapped[datetime] = _ts()
    ended_at: Mapped[datetime | None] = _ts(nullable=True)
    # set when data the published run was built on is deleted or withdrawn
    stale_at: Mapped[datetime | None] = _ts(nullable=True)
    stale_reason: Mapped[str | None] = mapped_column(Text, nullable=True)


class OpenLinkStart(Base):
    """One session started by a study's open link, counted for its client and
    for its study (two rows, ``key`` the SHA-256 of ``client:<address>`` or
    ``study:<id>``), kept only for the minute the caps look back on
    (:mod:`storage.limits`): nothing here links to a token or a response."""

    __tablename__ = "open_link_starts"
    __table_args__ = (Index("ix_open_link_starts_key_created_at", "key", "created_at"),
                      Index("ix_open_link_starts_created_at", "created_at"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(64), nullable=False)
    created_at: Mapped[datetime] = _ts()


ALL_TABLES = [t.name for t in Base.metadata.sorted_tables]
