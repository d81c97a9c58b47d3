"""Errors of the storage layer.

Each is a :class:`qmethod.errors.QMethodError`, so the command line and the
web pages show its one-line message instead of a traceback. Messages are
written for the person who will read them: a participant (token, closed
study, invalid submission) or a researcher (unknown study, import problems).
"""
from __future__ import annotations

from qmethod.errors import QMethodError


class StorageError(QMethodError):
    """Base class of every error the storage layer raises on purpose."""


class DatabaseUnavailable(StorageError):
    """The database server cannot be reached or the file cannot be opened."""


class UnknownStudy(StorageError, LookupError):
    def __init__(self, slug: str, version: int | None = None):
        self.slug = slug
        self.version = version
        if version is None:
            msg = f"There is no study called {slug!r}."
        else:
            msg = f"The study {slug!r} has no version {version}."
        super().__init__(msg)


class UnknownToken(StorageError, LookupError):
    def __init__(self, message: str = "This link is not valid: please check that you copied "
                                      "the whole link from your invitation."):
        super().__init__(message)


class StudyClosed(StorageError):
    def __init__(self, slug: str, title: str | None = None):
        self.slug = slug
        name = f"“{title}”" if title else repr(slug)
        super().__init__(f"The study {name} is closed and no longer takes participants. "
                         "Thank you for your interest.")


class AlreadySubmitted(StorageError):
    def __init__(self, message: str = "Your answers for this link have already been submitted; "
                                      "thank you for taking part."):
        super().__init__(message)


class ConsentRequired(StorageError):
    def __init__(self, message: str = "Please read the information and give your consent "
                                      "before starting the study."):
        super().__init__(message)


class StudyVersionChanged(StorageError):
    def __init__(self, slug: str, pinned: int, expected: int):
        self.slug = slug
        self.pinned = pinned
        self.expected = expected
        super().__init__(f"This session of study {slug!r} uses version {pinned} of the "
                         f"statements, not version {expected}: please reload the page.")


class InvalidSubmission(StorageError, ValueError):
    """A submission does not fit the study; ``problems`` lists each problem."""

    def __init__(self, message: str, problems: list[str] | None = None):
        self.problems = list(problems) if problems else [message]
        super().__init__(message)


class ImportFailed(StorageError, ValueError):
    """A study export file cannot be imported; the message says why."""
