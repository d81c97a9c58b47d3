"""Errors raised while reading or checking a study definition, and the
structured problems they (and the storage layer's errors) carry."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from qmethod.errors import QMethodError


@dataclass(frozen=True)
class ColumnCount:
    """How full one grid column is in a Q-sort.

    ``room`` is how many statements the column holds (0 for a score that is
    not a column of the grid: ``on_grid`` is then False); ``statements`` are
    the ids placed in it, in the study's order.
    """

    score: int
    count: int
    room: int
    on_grid: bool = True
    statements: tuple[str, ...] = ()


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a participant's Q-sort or submission, as data.

    ``message`` is the one-line text for a researcher (ids, as logs and the
    command line show it); the other fields hold what any other wording needs,
    so that the participant pages build their own text without parsing it.

    ``code`` names the kind of problem; the fields each kind fills:

    ====================================  ========================================
    code                                  fields
    ====================================  ========================================
    ``placements_unreadable``             (none)
    ``unknown_statements``                ``statements`` (ids not in the study)
    ``unplaced``                          ``statements`` (ids not placed)
    ``not_whole``                         ``statements`` (one id), ``value``
    ``grid``                              ``columns`` (the columns over/under full)
    ``presort_unreadable``                (none)
    ``presort_unknown_statements``        ``statements``
    ``presort_unknown_piles``             ``values`` (pile names)
    ``answers_unreadable``                (none)
    ``unknown_question``                  ``question`` (the id sent, cut to 64)
    ``answer_required``                   ``question``
    ``not_a_number``                      ``question``
    ``number_out_of_range``               ``question``, ``limit``
    ``not_an_option``                     ``question``
    ``not_text``                          ``question``
    ``too_long``                          ``question``, ``count``, ``limit``
    ``timings_unreadable``                (none)
    ``bad_timing``                        ``values`` (the step name), ``value``
    ``submission_unreadable``             ``values`` (unknown parts, if any)
    ``unstorable_text``                   ``values`` (the field: a NUL or a lone surrogate)
    ====================================  ========================================
    """

    code: str
    message: str
    statements: tuple[str, ...] = ()
    columns: tuple[ColumnCount, ...] = ()
    question: str | None = None
    value: str | None = None
    values: tuple[str, ...] = ()
    count: int | None = None
    limit: int | None = None

    def __str__(self) -> str:
        return self.message


class StudyError(QMethodError, ValueError):
    """A study definition (or a Q-sort checked against it) is not valid.

    ``problems`` lists every problem found, each a one-line message that names
    where it is (file and line when the study came from a file), so a researcher
    can fix them all in one pass. ``str(error)`` shows them all. A Q-sort's
    check also gives ``details``: the same problems as :class:`Problem` data.
    """

    def __init__(self, problems: str | Iterable[str], *, path: str | None = None,
                 subject: str | None = None, details: Iterable[Problem] = ()):
        if isinstance(problems, str):
            problems = [problems]
        self.problems: list[str] = [str(p) for p in problems] or ["invalid study definition"]
        self.details: tuple[Problem, ...] = tuple(details)
        self.path = path
        if len(self.problems) == 1:
            message = self.problems[0]
        else:
            subject = subject or path or "the study definition"
            message = (f"{len(self.problems)} problems with {subject}:\n  - "
                       + "\n  - ".join(self.problems))
        super().__init__(message)
