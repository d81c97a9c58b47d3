"""Storage layer of the platform: studies and their drafts, participant links,
responses, researchers' accounts and shares, analysis runs.

SQLite file by default (``data/qplatform.sqlite3``, created on first run),
PostgreSQL when ``DATABASE_URL`` is set; the schema is migrated with Alembic
when a :class:`Store` opens. See :mod:`storage.store` for the guarantees and
the per-job modules the Store is made of.
"""
from .accounts import Researcher, check_password, hash_password
from .db import database_url, make_engine, normalise_url
from .drafts import StudyDraftInfo
from .errors import (
                     AlreadySubmitted,
                     ConsentRequired,
                     DatabaseUnavailable,
                     ImportFailed,
                     InvalidSubmission,
                     NotAllowed,
                     SignInFailed,
                     SignInThrottled,
                     StorageError,
                     StorageFull,
                     StudyClosed,
                     StudyVersionChanged,
                     TooManyNewSessions,
                     UnknownRun,
                     UnknownStudy,
                     UnknownToken,
)
from .events import StudyEventInfo
from .invitations import InvitationBatchInfo, InvitationInfo
from .monitoring import MonitoringData
from .publications import PublicationRecord, PublicResults, PublishedLink
from .responses import ResponseRecord, SubmitResult
from .runs import RUN_SOURCES, AnalysisRunRecord, RunSummary
from .sessions import SessionInfo
from .sharing import Member, WorkspaceStudy
from .store import Store
from .studies import StudyInfo
from .submission import Submission, validate_submission

__all__ = [
    "AlreadySubmitted", "AnalysisRunRecord", "ConsentRequired", "DatabaseUnavailable",
    "ImportFailed", "InvalidSubmission", "RUN_SOURCES", "RunSummary", "UnknownRun", "InvitationBatchInfo", "InvitationInfo", "Member", "PublicResults", "PublicationRecord", "PublishedLink",
    "MonitoringData", "NotAllowed", "Researcher", "ResponseRecord", "SessionInfo", "SignInFailed",
    "SignInThrottled", "StorageError", "StorageFull", "Store", "StudyClosed", "StudyDraftInfo", "StudyEventInfo",
    "StudyInfo", "StudyVersionChanged", "Submission", "SubmitResult", "TooManyNewSessions", "UnknownStudy",
    "UnknownToken", "WorkspaceStudy", "check_password", "database_url", "hash_password",
    "make_engine", "normalise_url", "validate_submission",
]
