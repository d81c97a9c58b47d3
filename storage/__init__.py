"""Storage layer of the platform: studies, participant links, responses, analysis runs.

SQLite file by default (``data/qplatform.sqlite3``, created on first run),
PostgreSQL when ``DATABASE_URL`` is set; the schema is migrated with Alembic
when a :class:`Store` opens. See :mod:`storage.store` for the guarantees.
"""
from .db import database_url, make_engine, normalise_url
from .errors import (AlreadySubmitted, ConsentRequired, DatabaseUnavailable, ImportFailed,
                     InvalidSubmission, StorageError, StudyClosed, StudyVersionChanged,
                     UnknownStudy, UnknownToken)
from .store import (AnalysisRunRecord, ResponseRecord, SessionInfo, Store, StudyInfo, Submission,
                    SubmitResult, demo_definition, ensure_coproduction, validate_submission)

__all__ = [
    "AlreadySubmitted", "AnalysisRunRecord", "ConsentRequired", "DatabaseUnavailable",
    "ImportFailed", "InvalidSubmission", "ResponseRecord", "SessionInfo", "StorageError", "Store",
    "StudyClosed", "StudyInfo", "StudyVersionChanged", "Submission", "SubmitResult",
    "UnknownStudy", "UnknownToken", "database_url", "demo_definition", "ensure_coproduction",
    "make_engine", "normalise_url", "validate_submission",
]
