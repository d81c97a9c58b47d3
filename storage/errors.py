"""Errors of the storage layer.

Each is a :class:`qmethod.errors.QMethodError`, so the command line and the
web pages show its one-line message instead of a traceback. Messages are
written for the person who will read them: a participant (token, closed
study, invalid submission) or a researcher (unknown study, import problems).

Each error also carries data, so that a page can word it its own way without
reading the message: ``code`` names the kind of error (a class attribute), and
the fields each one documents say what it is about (which study, which
version; for :class:`InvalidSubmission`, every problem as a
:class:`studies.errors.Problem`).
"""
from __future__ import annotations

from collections.abc import Iterable

from qmethod.errors import QMethodError
from studies.errors import Problem


class StorageError(QMethodError):
    """Base class of every error the storage layer raises on purpose."""

    code = "storage_error"


class DatabaseUnavailable(StorageError):
    """The database server cannot be reached or the file cannot be opened."""

    code = "database_unavailable"


class StorageFull(DatabaseUnavailable):
    """The database cannot grow: its disk (or its size limit) is full. Nothing
    of the refused change was written; what was stored before stays."""

    code = "storage_full"


class UnknownStudy(StorageError, LookupError):
    """No study ``slug`` (or it has no ``version``)."""

    code = "unknown_study"

    def __init__(self, slug: str, version: int | None = None):
        self.slug = slug
        self.version = version
        if version is None:
            msg = f"There is no study called {slug!r}."
        else:
            msg = f"The study {slug!r} has no version {version}."
        super().__init__(msg)


class UnknownToken(StorageError, LookupError):
    """The link's token is not one of the study's."""

    code = "unknown_token"

    def __init__(self, message: str = "This link is not valid: please check that you copied "
                                      "the whole link from your invitation."):
        super().__init__(message)


class ResponseWithdrawn(UnknownToken):
    """The participant withdrew the response of this link: it was deleted, and
    the link can be used for nothing more (refused like an unknown link, but
    a page can say why)."""

    code = "response_withdrawn"

    def __init__(self):
        super().__init__("The response of this link was withdrawn and deleted.")


class NothingSubmitted(StorageError):
    """A withdrawal from a link that has no submitted response."""

    code = "nothing_submitted"

    def __init__(self):
        super().__init__("This link has no submitted response to withdraw.")


class StudyClosed(StorageError):
    """The study ``slug`` (titled ``title``) takes no new participants."""

    code = "study_closed"

    def __init__(self, slug: str, title: str | None = None):
        self.slug = slug
        self.title = title
        name = f"“{title}”" if title else repr(slug)
        super().__init__(f"The study {name} is closed and no longer takes participants. "
                         "Thank you for your interest.")


class AlreadySubmitted(StorageError):
    """The link's response was submitted already."""

    code = "already_submitted"

    def __init__(self, message: str = "Your answers for this link have already been submitted; "
                                      "thank you for taking part."):
        super().__init__(message)


class ConsentRequired(StorageError):
    """The link has no session: consent was never recorded."""

    code = "consent_required"

    def __init__(self, message: str = "Please read the information and give your consent "
                                      "before starting the study."):
        super().__init__(message)


class StudyVersionChanged(StorageError):
    """The session of ``slug`` is pinned to version ``pinned``; the page had ``expected``."""

    code = "version_changed"

    def __init__(self, slug: str, pinned: int, expected: int):
        self.slug = slug
        self.pinned = pinned
        self.expected = expected
        super().__init__(f"This session of study {slug!r} uses version {pinned} of the "
                         f"statements, not version {expected}: please reload the page.")


class InvalidSubmission(StorageError, ValueError):
    """A submission does not fit the study.

    ``details`` holds each problem as a :class:`studies.errors.Problem` (its
    ``code`` and fields); ``problems`` their messages (for researchers: they
    name statement and question ids). Build one with :meth:`of`.
    """

    code = "invalid_submission"

    def __init__(self, message: str, problems: list[str] | None = None,
                 details: Iterable[Problem] = ()):
        self.details: tuple[Problem, ...] = tuple(details)
        self.problems = list(problems) if problems else (
            [p.message for p in self.details] or [message])
        super().__init__(message)

    @classmethod
    def of(cls, *problems: Problem, who: str = "your Q-sort") -> "InvalidSubmission":
        """The error for ``problems``, its message one line: the problem itself,
        or "<Who> has N problems: a; b; ..."."""
        texts = [p.message for p in problems]
        if len(texts) == 1:
            msg = texts[0]
        else:
            msg = f"{who[0].upper() + who[1:]} has {len(texts)} problems: " + "; ".join(texts)
        msg = " ".join(msg.split())
        msg = msg[0].upper() + msg[1:] + ("" if msg.endswith(".") else ".")
        return cls(msg, texts, problems)


class UnstorableText(InvalidSubmission):
    """Text that no database or file can hold: a NUL character or a lone UTF-16
    surrogate (see :mod:`qmethod.textcheck`). Refused at every door where a
    participant's or a study's text comes in (submissions, drafts, study
    designs, imports, restores), the same on SQLite and PostgreSQL; nothing is
    stored. ``where`` names the field (e.g. ``answers.why``). An
    :class:`InvalidSubmission` with one problem of code ``unstorable_text``, so
    the participant pages treat it as any refused submission."""

    code = "unstorable_text"

    def __init__(self, where: str, problem: str, what: str = "the text"):
        self.where = where
        message = f"{what[0].upper() + what[1:]} cannot be stored: {where} holds {problem}."
        super().__init__(message, [message],
                         (Problem("unstorable_text", message, values=(where,)),))


def refuse_unstorable(value, what: str = "the text", path: tuple = ()) -> None:
    """:class:`UnstorableText` naming the first string in ``value`` (nested
    mappings and lists, keys included) holding a NUL or a lone surrogate."""
    from qmethod.textcheck import describe_path, find_bad_text
    bad = find_bad_text(value, path)
    if bad is not None:
        raise UnstorableText(describe_path(bad[0]), bad[1], what)


class ImportFailed(StorageError, ValueError):
    """A study export file cannot be imported; the message says why."""

    code = "import_failed"


class SignInFailed(StorageError):
    """The email or the password is wrong (one message for both, so that it
    does not tell which emails have an account)."""

    code = "signin_failed"

    def __init__(self, message: str = "The email or the password is not right."):
        super().__init__(message)


class SignInThrottled(StorageError):
    """Too many failed sign-ins: the next attempt must wait ``wait_seconds``."""

    code = "signin_throttled"

    def __init__(self, wait_seconds: float):
        self.wait_seconds = max(1, int(round(wait_seconds + 0.499)))
        super().__init__(f"Too many failed sign-ins: please wait {self.wait_seconds} seconds "
                         "and try again.")


class NotAllowed(StorageError):
    """The researcher may look at the study but not do this (e.g. change the
    read-only demo study, or share a study they do not own)."""

    code = "not_allowed"


class TooManyNewSessions(StorageError):
    """The open link started too many sessions in the last minute, from this
    client (``scope='client'``) or for this study (``scope='study'``); the next
    start may come after ``wait_seconds``. Nothing was stored."""

    code = "too_many_new_sessions"

    def __init__(self, scope: str, wait_seconds: float):
        self.scope = scope
        self.wait_seconds = max(1, int(round(wait_seconds + 0.499)))
        who = "from this address" if scope == "client" else "for this study"
        super().__init__(f"Too many new sessions {who} in the last minute: please wait "
                         f"{self.wait_seconds} seconds and try again.")


class UnknownRun(StorageError, LookupError):
    """No analysis run ``run_id`` among the runs of study ``slug``."""

    code = "unknown_run"

    def __init__(self, slug: str, run_id):
        self.slug = slug
        self.run_id = run_id
        super().__init__(f"The study {slug!r} has no saved analysis run {run_id!r}.")
