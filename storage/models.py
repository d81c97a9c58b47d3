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

The schema is created and changed only by the Alembic migrations in
``storage/migrations/versions``; a test checks that they match these models.
"""
from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import (JSON, Boolean, CheckConstraint, DateTime, ForeignKey,
                        ForeignKeyConstraint, Index, Integer, MetaData, String, Text,
                        UniqueConstraint)
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


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


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


ALL_TABLES = [t.name for t in Base.metadata.sorted_tables]
