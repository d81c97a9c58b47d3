"""Reading and writing Q-sort data files.

Formats, chosen by file extension (any case):

========  =========================================  =================================
``.csv``  statements x participants table             :mod:`qmethod.io.sorts_csv`
``.dat``  PQMethod project (+ ``.STA`` beside it)      :mod:`qmethod.io.pqmethod`
``.json`` Ken-Q Sort export                           :mod:`qmethod.io.kenq`
========  =========================================  =================================

Every reader returns a :class:`~qmethod.data.QSortData` whose ``sorts`` is a
statements x participants int64 DataFrame and does not enforce the forced grid
(``qmethod.data.validate_sorts`` does). A malformed file raises
:class:`~qmethod.errors.FormatError` naming the file, the line and the
problem; data that a format cannot hold raise
:class:`~qmethod.errors.InputError` on writing. Anything read or written only
in part is reported with a :class:`FormatWarning`.
"""
from __future__ import annotations

from pathlib import Path

from ..data import QSortData
from ..errors import FormatError
from ._common import FormatWarning
from .kenq import read_kenq_json, write_kenq_json
from .pqmethod import read_dat, read_sta, write_dat, write_sta
from .sorts_csv import read_sorts_csv, write_sorts_csv

__all__ = ["read_any", "write_any", "read_sorts_csv", "write_sorts_csv", "read_dat",
           "read_sta", "write_dat", "write_sta", "read_kenq_json", "write_kenq_json",
           "FormatWarning"]

_READERS = {".csv": read_sorts_csv, ".dat": read_dat, ".json": read_kenq_json}
_KNOWN = ".csv (statements x participants table), .dat (PQMethod), .json (Ken-Q)"


def read_any(path) -> QSortData:
    """Read ``path`` with the reader its extension (any case) names.

    The PQMethod .STA and a table's statements file are found beside the
    data file by the readers themselves.
    """
    path = Path(path)
    reader = _READERS.get(path.suffix.lower())
    if reader is None:
        hint = " (read the .DAT file; its .STA is read with it)" if path.suffix.lower() == ".sta" else ""
        raise FormatError(f"cannot tell the format from the extension {path.suffix or '(none)'!r}"
                          f"{hint}; known: {_KNOWN}", path=path.name or str(path))
    if not path.exists():
        raise FormatError("file not found", path=path.name or str(path))
    return reader(path)


def write_any(data: QSortData, path) -> None:
    """Write ``data`` in the format of the extension of ``path`` (any case).

    For ``.dat`` the statement texts, if any, go to a ``.STA`` beside it (its
    extension in the case of the ``.dat`` one); for ``.csv`` to
    ``statements.csv`` beside it.
    """
    path = Path(path)
    ext = path.suffix.lower()
    if ext == ".csv":
        write_sorts_csv(data, path)
    elif ext == ".dat":
        write_dat(data, path)
        if data.statements is not None:
            write_sta(data, path.with_suffix(".STA" if path.suffix.isupper() else ".sta"))
    elif ext == ".json":
        write_kenq_json(data, path)
    else:
        raise FormatError(f"cannot tell the format from the extension {path.suffix or '(none)'!r}; "
                          f"known: {_KNOWN}", path=path.name or str(path))
