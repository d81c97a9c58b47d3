"""Errors raised while reading or checking a study definition."""
from __future__ import annotations

from typing import Iterable

from qmethod.errors import QMethodError


class StudyError(QMethodError, ValueError):
    """A study definition (or a Q-sort checked against it) is not valid.

    ``problems`` lists every problem found, each a one-line message that names
    where it is (file and line when the study came from a file), so a researcher
    can fix them all in one pass. ``str(error)`` shows them all.
    """

    def __init__(self, problems: str | Iterable[str], *, path: str | None = None,
                 subject: str | None = None):
        if isinstance(problems, str):
            problems = [problems]
        self.problems: list[str] = [str(p) for p in problems] or ["invalid study definition"]
        self.path = path
        if len(self.problems) == 1:
            message = self.problems[0]
        else:
            subject = subject or path or "the study definition"
            message = (f"{len(self.problems)} problems with {subject}:\n  - "
                       + "\n  - ".join(self.problems))
        super().__init__(message)
