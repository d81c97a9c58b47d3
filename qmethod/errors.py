"""Typed exceptions of the analysis library.

Every error a user can cause (a bad file, a sort that breaks the grid, a wrong
option) is a subclass of :class:`QMethodError`, so the command line and the web
app can show its one-line message instead of a traceback.
"""


class QMethodError(Exception):
    """Base class for every error the library raises on purpose."""


class InputError(QMethodError, ValueError):
    """The Q-sort data cannot be analysed as given (ids, cells, sizes)."""


class GridError(InputError):
    """A Q-sort does not follow the grid (forced distribution)."""


class FormatError(QMethodError, ValueError):
    """A file could not be read; the message names the line and the problem."""

    def __init__(self, message: str, *, path: str | None = None, line: int | None = None):
        self.path = path
        self.line = line
        where = ""
        if path is not None:
            where = f"{path}"
            if line is not None:
                where += f", line {line}"
            where += ": "
        elif line is not None:
            where = f"line {line}: "
        super().__init__(where + message)


class OptionError(QMethodError, ValueError):
    """An analysis option is out of range or unknown."""


class OutputError(QMethodError, ValueError):
    """An output cannot be written where asked (a device, a FIFO or a folder
    instead of a file) or holds text no file can hold; nothing was written."""
